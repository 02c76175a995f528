"""The console's complaint and application pages, and the public application form: each
form works through the same service commands (review, uphold with a recount, appeal and its
outcome, redacted publication; accredit and refuse), and hostile posts are refused with
nothing changed (no CSRF token, the wrong role, another constituency, malformed choices,
crowded and oversized forms, a decision twice)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.people.people import PersonRole
from tallyroom.store.schema import (
    ComplaintAttachmentRow,
    ComplaintRow,
    ComplaintStepRow,
    OrganisationApplicationRow,
    StationDecisionRow,
)
from tests.console_people import Account, Console, make_account
from tests.polled_election import poll_small_election


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 90, 0)).save(out, format="JPEG")
    return out.getvalue()


def _file(console: Console, station: str = "001-0001") -> str:
    filed = console.client.post(
        "/complaints/new",
        data={
            "category": "ballot_stuffing",
            "about": "station",
            "station": station,
            "description": "Ms Private Name saw a bundle of ballots put in the box.",
            "reporter_kind": "voter",
            "reporter_name": "Private Name",
        },
        files={"attachment": ("p.jpg", _photo(), "image/jpeg")},
    )
    assert filed.status_code == 201, filed.text
    with console.sessions() as session:
        return str(
            session.scalars(
                select(ComplaintRow.tracking_number).order_by(ComplaintRow.id.desc())
            ).first()
        )


def _post(console: Console, path: str, csrf: str | None, **fields: str) -> Any:
    data = dict(fields)
    if csrf is not None:
        data["csrf_token"] = csrf
    return console.client.post(f"{path}?lang=en", data=data, follow_redirects=False)


def _status(console: Console, tracking: str) -> str:
    with console.sessions() as session:
        return str(
            session.scalar(
                select(ComplaintRow.status).where(ComplaintRow.tracking_number == tracking)
            )
        )


@pytest.fixture
def member(console: Console) -> Account:
    return make_account(console.sessions, "leyla")


def test_a_member_reviews_upholds_with_a_recount_records_an_appeal_and_publishes(
    console: Console, member: Account
) -> None:
    poll_small_election_via(console)
    tracking = _file(console)
    csrf = console.sign_in(member)
    page = console.client.get("/console/complaints?lang=en")
    assert page.status_code == 200
    assert f'data-complaint="{tracking}"' in page.text
    assert "Private Name" in page.text  # the commission sees the reporter
    assert 'data-form="review"' in page.text
    base = f"/console/complaints/{tracking}"
    assert _post(console, f"{base}/review", csrf, reason="taken up").status_code == 303
    assert _status(console, tracking) == "under_review"
    decided = _post(
        console, f"{base}/decision", csrf, decision="uphold", remedy="recount", reason="seen"
    )
    assert decided.status_code == 303, decided.text
    assert _status(console, tracking) == "upheld"
    appealed = _post(
        console, f"{base}/appeal", csrf, appeal_body="Court of Appeal", reason="the chair appeals"
    )
    assert appealed.status_code == 303, appealed.text
    page = console.client.get("/console/complaints?lang=en").text
    assert 'data-form="appeal-decision"' in page
    outcome = _post(
        console, f"{base}/appeal-decision", csrf, outcome="dismissed", reason="no new facts"
    )
    assert outcome.status_code == 303, outcome.text
    with console.sessions() as session:
        digest = session.scalar(select(ComplaintAttachmentRow.file_sha256))
    published = _post(
        console,
        f"{base}/publication",
        csrf,
        description="A voter saw a bundle of ballots put in the box.",
        **{f"attachment.{digest}": "on"},
    )
    assert published.status_code == 303, published.text
    with console.sessions() as session:
        kinds = list(session.scalars(select(ComplaintStepRow.kind).order_by(ComplaintStepRow.id)))
        assert kinds == ["under_review", "upheld", "appealed", "appeal_decided", "published"]
        assert session.scalar(select(StationDecisionRow.kind)) == "recount"
        assert audit_discrepancies(session) == []
    register = console.client.get("/complaints?lang=en").text
    assert "A voter saw a bundle" in register
    assert "Private Name" not in register
    assert f"/complaints/files/{digest}" in register


def poll_small_election_via(console: Console) -> None:
    """Protocols for the stations, so that a recount has something to recount."""
    from tests.station_client import Api

    poll_small_election(Api(console.client, console.credentials, console.sessions))


def test_complaint_forms_refuse_what_they_must(console: Console, member: Account) -> None:
    tracking = _file(console)
    base = f"/console/complaints/{tracking}"
    # not signed in: no session, nothing changes
    assert _post(console, f"{base}/review", None, reason="x").status_code in (401, 403)
    assert console.client.get("/console/complaints", follow_redirects=False).status_code == 303
    csrf = console.sign_in(member)
    cases = [
        (f"{base}/review", None, {"reason": "no token"}, 403),
        (f"{base}/review", "forged", {"reason": "wrong token"}, 403),
        (f"{base}/review", csrf, {"reason": " "}, 422),
        (f"{base}/review", csrf, {"reason": "x" * 5_001}, 422),
        (f"{base}/decision", csrf, {"decision": "uphold", "reason": "skips review"}, 409),
        (f"{base}/appeal", csrf, {"appeal_body": "Court", "reason": "not decided"}, 409),
        ("/console/complaints/../../x/review", csrf, {"reason": "path"}, 404),
        ("/console/complaints/S2-C999999/review", csrf, {"reason": "unknown"}, 404),
    ]
    for path, token, fields, status in cases:
        answer = _post(console, path, token, **fields)
        assert answer.status_code == status, (path, fields, answer.text[:300])
    assert _status(console, tracking) == "received"
    assert _post(console, f"{base}/review", csrf, reason="ok").status_code == 303
    for fields in (
        {"decision": "approve", "reason": "bad choice"},
        {"decision": "uphold", "remedy": "reelection", "reason": "bad remedy"},
    ):
        assert _post(console, f"{base}/decision", csrf, **fields).status_code == 422
    crowded = _post(console, f"{base}/decision", csrf, **{f"f{n}": "x" for n in range(60)})
    assert crowded.status_code == 400
    huge = console.client.post(
        f"{base}/decision",
        content=b"reason=" + b"x" * 3_000_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    assert _status(console, tracking) == "under_review"
    # staff may not handle complaints; a constituency member only her own constituency's
    console.client.cookies.clear()
    tural = make_account(console.sessions, "tural", PersonRole.COMMISSION_STAFF)
    staff_csrf = console.sign_in(tural)
    assert console.client.get("/console/complaints").status_code == 403
    assert (
        _post(console, f"{base}/decision", staff_csrf, decision="dismiss", reason="x").status_code
        == 403
    )
    console.client.cookies.clear()
    other = make_account(console.sessions, "nigar", PersonRole.CONSTITUENCY_MEMBER, constituency=2)
    other_csrf = console.sign_in(other)
    page = console.client.get("/console/complaints")
    assert page.status_code == 200
    assert tracking not in page.text
    refused = _post(console, f"{base}/decision", other_csrf, decision="dismiss", reason="x")
    assert refused.status_code == 403
    assert _status(console, tracking) == "under_review"


def test_an_organisation_applies_and_the_commission_accredits_or_refuses(
    console: Console, member: Account
) -> None:
    form = console.client.get("/observers/apply?lang=en")
    assert form.status_code == 200
    assert 'id="application-form"' in form.text
    applied = console.client.post(
        "/observers/apply",
        data={
            "kind": "exit_poll",
            "code": "ep-new",
            "name": "New Exit Polls",
            "country": "AZ",
            "partner_name": "Sondaggi Srl",
            "partner_country": "IT",
        },
    )
    assert applied.status_code == 201, applied.text
    assert 'data-application="ep-new"' in applied.text
    ngo = console.client.post(
        "/observers/apply",
        data={"kind": "local_ngo", "code": "ngo-new", "name": "Watchers", "country": "AZ"},
    )
    assert ngo.status_code == 201
    hostile = [
        ({"kind": "exit_poll", "code": "ep-2", "name": "No partner", "country": "AZ"}, 422),
        ({"kind": "spy", "code": "x-1", "name": "Kind", "country": "AZ"}, 422),
        ({"kind": "local_ngo", "code": "bad code!", "name": "Code", "country": "AZ"}, 422),
        ({"kind": "local_ngo", "code": "ngo-2", "name": "Country", "country": "Azerbaijan"}, 422),
        ({"kind": "local_ngo", "code": "ngo-new", "name": "Twice", "country": "AZ"}, 409),
        ({"kind": "party", "code": "p-1", "name": "Who", "country": "AZ"}, 422),
        ({"kind": "local_ngo", "code": "ngo-3", "name": "a\x00b", "country": "AZ"}, 422),
    ]
    for data, status in hostile:
        answer = console.client.post("/observers/apply", data=data)
        assert answer.status_code == status, (data, answer.text[:400])
        assert 'id="form-problem"' in answer.text
    with console.sessions() as session:
        assert (
            session.scalar(
                select(OrganisationApplicationRow.id).where(
                    OrganisationApplicationRow.code.in_(["ep-2", "x-1", "ngo-2", "p-1", "ngo-3"])
                )
            )
            is None
        )

    csrf = console.sign_in(member)
    page = console.client.get("/console/applications?lang=en")
    assert page.status_code == 200
    assert 'data-application="ep-new"' in page.text
    assert "Sondaggi Srl" in page.text
    path = "/console/applications/{}/decision"
    assert (
        _post(console, path.format("ep-new"), None, decision="accredit", reason="x").status_code
        == 403
    )
    assert (
        _post(console, path.format("ep-new"), csrf, decision="maybe", reason="x").status_code == 422
    )
    assert (
        _post(console, path.format("ep-new"), csrf, decision="accredit", reason="").status_code
        == 422
    )
    assert (
        _post(console, path.format("nobody"), csrf, decision="accredit", reason="x").status_code
        == 404
    )
    accredited = _post(console, path.format("ep-new"), csrf, decision="accredit", reason="complete")
    assert accredited.status_code == 303
    refused = _post(console, path.format("ngo-new"), csrf, decision="refuse", reason="no statute")
    assert refused.status_code == 303
    again = _post(console, path.format("ngo-new"), csrf, decision="accredit", reason="changed")
    assert again.status_code == 409
    with console.sessions() as session:
        rows = session.execute(
            select(OrganisationApplicationRow.code, OrganisationApplicationRow.status)
        ).all()
        statuses = {row.code: row.status for row in rows}
        assert statuses == {"ep-new": "accredited", "ngo-new": "refused"}
        assert audit_discrepancies(session) == []
    page = console.client.get("/console/applications?lang=en").text
    assert 'data-application-status="accredited"' in page
    console.client.cookies.clear()
    member_of_constituency = make_account(
        console.sessions, "nigar", PersonRole.CONSTITUENCY_MEMBER, constituency=1
    )
    console.sign_in(member_of_constituency)
    assert console.client.get("/console/applications").status_code == 403


def test_a_member_links_a_complaint_to_the_camera_outage(console: Console, member: Account) -> None:
    from tests.api.test_complaint_links_api import _outage
    from tests.station_client import Api

    outage = _outage(Api(console.client, console.credentials, console.sessions))
    tracking = _file(console)
    csrf = console.sign_in(member)
    page = console.client.get("/console/complaints?lang=en").text
    assert 'data-form="webcam-outage"' in page
    path = f"/console/complaints/{tracking}/webcam-outage"
    assert _post(console, path, None, outage=str(outage), reason="x").status_code == 403
    assert _post(console, path, csrf, outage="one", reason="x").status_code == 422
    assert _post(console, path, csrf, outage=str(outage), reason="").status_code == 422
    linked = _post(console, path, csrf, outage=str(outage), reason="down at the time")
    assert linked.status_code == 303, linked.text
    page = console.client.get("/console/complaints?lang=en").text
    assert f'data-cited-outage="{outage}"' in page
    assert 'data-form="webcam-outage"' not in page
