"""The console's queue, constituency and certification pages: what they show, the decision
and certification forms working through the same service commands, and hostile posts (no
CSRF token, the wrong role, another constituency, malformed and oversized fields, a second
decision on the same protocol, an unknown station)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from sqlalchemy import select, update

from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.audit import audit_tree, row_ledger
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.people.people import PersonRole
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, ElectionRow, PollingStationRow, ProtocolVersionRow
from tests.commission_console import flagged_protocol
from tests.console_people import Account, Console, make_account
from tests.polled_election import poll_small_election
from tests.station_client import Api


def _submit(console: Console, document: dict[str, Any]) -> str:
    station = str(document["station"])
    _, token, pem = console.credentials.stations[station]
    response = console.client.post(
        "/api/v1/protocols",
        json={"protocol": document, "signature": sign_document(document, load_private_key(pem))},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (200, 201), response.text
    return str(response.json()["status"])


def _status(console: Console, station: str, version: int) -> str:
    with console.sessions() as session:
        return session.scalars(
            select(ProtocolVersionRow.status)
            .join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
            .where(PollingStationRow.code == station, ProtocolVersionRow.version == version)
        ).one()


def _decide(console: Console, csrf: str | None, station: str, **fields: str) -> Any:
    data = dict(fields)
    if csrf is not None:
        data["csrf_token"] = csrf
    return console.client.post(
        f"/console/queue/{station}/decision?lang=en", data=data, follow_redirects=False
    )


@pytest.fixture
def member(console: Console) -> Account:
    return make_account(console.sessions, "leyla")


def test_the_queue_shows_a_flagged_protocol_with_its_checks_figures_and_forms(
    console: Console, member: Account
) -> None:
    assert _submit(console, flagged_protocol()) == "flagged"
    console.sign_in(member)
    page = console.client.get("/console/queue?lang=en")
    assert page.status_code == 200
    assert 'id="item-001-0001"' in page.text
    assert 'data-reason="' in page.text
    assert 'data-figure="ballots_received"' in page.text
    assert 'class="tally-sheet-photo"' in page.text
    for decision in ("accept", "reject", "recount", "annul"):
        assert f'data-decision="{decision}"' in page.text
    assert '<script type="module" src="/static/console/queue.js">' in page.text
    fragment = console.client.get("/console/queue/items/001-0001?lang=ru")
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith("<article")
    assert console.client.get("/console/queue/items/001-0002").status_code == 404
    script = console.client.get("/static/console/queue.js")
    assert script.status_code == 200
    assert "EventSource" in script.text


def test_a_member_rejects_then_accepts_the_amendment_and_a_second_decision_is_409(
    console: Console, member: Account
) -> None:
    _submit(console, flagged_protocol())
    csrf = console.sign_in(member)
    rejected = _decide(
        console, csrf, "001-0001", decision="reject", version="1", reason="recount the ballots"
    )
    assert rejected.status_code == 303, rejected.text
    assert rejected.headers["location"].startswith("/console/queue?station=001-0001")
    assert _status(console, "001-0001", 1) == "rejected"
    again = _decide(console, csrf, "001-0001", decision="accept", version="1", reason="fine")
    assert again.status_code == 409
    assert "data-code=" in again.text
    amended = flagged_protocol(version=2, amendment_reason="counted again")
    assert _submit(console, amended) == "flagged"
    no_reason = _decide(console, csrf, "001-0001", decision="accept", version="2", reason="")
    assert no_reason.status_code == 422
    assert _status(console, "001-0001", 2) == "flagged"
    accepted = _decide(
        console, csrf, "001-0001", decision="accept", version="2", reason="the sheet agrees"
    )
    assert accepted.status_code == 303
    assert _status(console, "001-0001", 2) == "accepted"
    with console.sessions() as session:
        actors = session.scalars(
            select(AuditEntryRow.actor).where(AuditEntryRow.action == "protocol.accepted")
        ).all()
    assert actors == [f"commission:person-{member.person_id}"]
    shown = console.client.get(rejected.headers["location"] + "&lang=en")
    assert 'id="decision-done"' in shown.text


def test_annulment_needs_its_confirmation_box(console: Console, member: Account) -> None:
    _submit(console, flagged_protocol())
    csrf = console.sign_in(member)
    refused = _decide(console, csrf, "001-0001", decision="annul", reason="ballot stuffing")
    assert refused.status_code == 422
    done = _decide(
        console, csrf, "001-0001", decision="annul", reason="ballot stuffing", confirmed="yes"
    )
    assert done.status_code == 303
    assert "001-0001" not in console.client.get("/console/queue").text.split("queue-items")[1]


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"decision": "approve", "version": "1", "reason": "x"}, 422),
        ({"decision": "accept", "version": "one", "reason": "x"}, 422),
        ({"decision": "accept", "version": "9" * 40, "reason": "x"}, 422),
        ({"decision": "reject", "version": "1", "reason": "x" * 5000}, 422),
        ({"decision": "reject", "version": "1", "reason": "   "}, 422),
        ({"decision": "reject", "version": "7", "reason": "no such version"}, 404),
    ],
)
def test_malformed_and_oversized_decision_forms_change_nothing(
    console: Console, member: Account, fields: dict[str, str], status: int
) -> None:
    _submit(console, flagged_protocol())
    csrf = console.sign_in(member)
    answer = _decide(console, csrf, "001-0001", **fields)
    assert answer.status_code == status, answer.text
    assert _status(console, "001-0001", 1) == "flagged"


def test_decision_forms_refuse_without_csrf_for_unknown_stations_and_non_forms(
    console: Console, member: Account
) -> None:
    _submit(console, flagged_protocol())
    csrf = console.sign_in(member)
    missing = _decide(console, None, "001-0001", decision="reject", version="1", reason="x")
    assert missing.status_code == 403
    wrong = _decide(console, "forged", "001-0001", decision="reject", version="1", reason="x")
    assert wrong.status_code == 403
    unknown = _decide(console, csrf, "999-9999", decision="reject", version="1", reason="x")
    assert unknown.status_code == 404
    too_long = _decide(console, csrf, "9" * 300, decision="reject", version="1", reason="x")
    assert too_long.status_code == 404
    as_json = console.client.post(
        "/console/queue/001-0001/decision",
        json={"csrf_token": csrf, "decision": "reject", "version": "1", "reason": "x"},
    )
    assert as_json.status_code == 400
    assert _status(console, "001-0001", 1) == "flagged"
    console.client.cookies.clear()
    signed_out = _decide(console, csrf, "001-0001", decision="reject", version="1", reason="x")
    assert signed_out.status_code == 401
    assert console.client.get("/console/queue", follow_redirects=False).status_code == 303


def test_a_constituency_member_sees_and_decides_only_in_her_constituency(
    console: Console,
) -> None:
    _submit(console, flagged_protocol())
    aynur = make_account(console.sessions, "aynur", PersonRole.CONSTITUENCY_MEMBER, constituency=2)
    csrf = console.sign_in(aynur)
    page = console.client.get("/console/queue?lang=en")
    assert 'id="item-001-0001"' not in page.text
    assert console.client.get("/console/queue/items/001-0001").status_code == 404
    other = _decide(console, csrf, "001-0001", decision="reject", version="1", reason="x")
    assert other.status_code == 403
    assert _status(console, "001-0001", 1) == "flagged"
    assert console.client.get("/console/constituencies/1").status_code == 403
    assert console.client.get("/console/constituencies/2?lang=en").status_code == 200
    assert console.client.get("/console/certification").status_code == 403
    home = console.client.get("/console?lang=en")
    assert 'href="/console/constituencies/2"' in home.text
    assert 'href="/console/queue"' in home.text
    certify = console.client.post(
        "/console/constituencies/2/certification", data={"csrf_token": csrf}
    )
    assert certify.status_code == 403


def test_a_constituency_member_rejects_in_her_own_constituency(console: Console) -> None:
    _submit(console, flagged_protocol())
    aynur = make_account(console.sessions, "aynur", PersonRole.CONSTITUENCY_MEMBER, constituency=1)
    csrf = console.sign_in(aynur)
    page = console.client.get("/console/queue?lang=en")
    assert 'id="item-001-0001"' in page.text
    assert 'data-decision="annul"' not in page.text
    annul = _decide(console, csrf, "001-0001", decision="annul", reason="stuffing", confirmed="yes")
    assert annul.status_code == 403
    done = _decide(console, csrf, "001-0001", decision="reject", version="1", reason="amend")
    assert done.status_code == 303
    assert _status(console, "001-0001", 1) == "rejected"


def _give_key(console: Console) -> None:
    with transaction(console.sessions) as session:
        key = audit_tree.create_tree_head_key(session, actor="commission")
    console.client.app.state.runtime.tree_head_key = key  # type: ignore[attr-defined]


def test_the_constituency_page_lists_unreported_stations_sorted_and_refuses_early(
    console: Console, member: Account
) -> None:
    _give_key(console)
    csrf = console.sign_in(member)
    page = console.client.get("/console/constituencies/1?lang=en&sort=-station")
    assert page.status_code == 200
    assert 'id="unreported"' in page.text
    assert 'href="/api/v1/constituencies/1/unreported.csv?sort=-station"' in page.text
    rows = [line for line in page.text.splitlines() if "<tr data-station=" in line]
    codes = [row.split('data-station="')[1].split('"')[0] for row in rows]
    assert codes == sorted(codes, reverse=True)
    assert len(codes) >= 1
    csv = console.client.get("/api/v1/constituencies/1/unreported.csv")
    assert csv.status_code == 200
    refused = console.client.post(
        "/console/constituencies/1/certification?lang=en", data={"csrf_token": csrf}
    )
    assert refused.status_code == 409
    assert 'data-code="stations_missing"' in refused.text
    for bad in (
        "/console/constituencies/abc",
        "/console/constituencies/99",
        "/console/constituencies/1?sort=nonsense",
    ):
        assert console.client.get(bad).status_code in (404, 422)
    no_csrf = console.client.post("/console/constituencies/1/certification", data={"reason": ""})
    assert no_csrf.status_code == 403
    long_reason = console.client.post(
        "/console/constituencies/1/certification/withdrawal",
        data={"csrf_token": csrf, "reason": "x" * 5000},
    )
    assert long_reason.status_code == 422
    not_certified = console.client.post(
        "/console/constituencies/1/certification/withdrawal",
        data={"csrf_token": csrf, "reason": "mistake"},
    )
    assert not_certified.status_code == 409


def test_certifying_constituencies_and_the_nation_from_the_console(
    console: Console, member: Account
) -> None:
    _give_key(console)
    poll_small_election(Api(console.client, console.credentials, console.sessions))
    csrf = console.sign_in(member)
    console.client.follow_redirects = False
    national = console.client.get("/console/certification?lang=en")
    assert national.status_code == 200
    assert 'data-final="no"' in national.text
    assert 'id="certify-national-form"' not in national.text
    early = console.client.post("/console/certification", data={"csrf_token": csrf})
    assert early.status_code == 409
    assert (
        console.client.post(
            "/console/constituencies/1/certification", data={"csrf_token": csrf}
        ).status_code
        == 303
    )
    page = console.client.get("/console/constituencies/1?lang=en")
    assert 'data-certified="yes"' in page.text
    assert 'id="withdraw-form"' in page.text
    twice = console.client.post(
        "/console/constituencies/1/certification", data={"csrf_token": csrf}
    )
    assert twice.status_code == 409
    assert 'data-code="already_certified"' in twice.text
    two = console.client.get("/console/constituencies/2?lang=en")
    if 'data-too-close="yes"' in two.text:
        no_reason = console.client.post(
            "/console/constituencies/2/certification", data={"csrf_token": csrf, "reason": ""}
        )
        assert no_reason.status_code == 409
    assert (
        console.client.post(
            "/console/constituencies/2/certification",
            data={"csrf_token": csrf, "reason": "recounted under observation"},
        ).status_code
        == 303
    )
    certified = console.client.post("/console/certification", data={"csrf_token": csrf})
    assert certified.status_code == 303, certified.text
    assert 'data-final="yes"' in console.client.get("/console/certification").text
    assert console.client.get("/api/v1/certifications").json()["final"] is True
    blocked = console.client.post(
        "/console/constituencies/1/certification/withdrawal",
        data={"csrf_token": csrf, "reason": "complaint"},
    )
    assert blocked.status_code == 409
    no_reason = console.client.post(
        "/console/certification/withdrawal", data={"csrf_token": csrf, "reason": " "}
    )
    assert no_reason.status_code == 422
    assert (
        console.client.post(
            "/console/certification/withdrawal",
            data={"csrf_token": csrf, "reason": "complaint upheld"},
        ).status_code
        == 303
    )
    assert (
        console.client.post(
            "/console/constituencies/1/certification/withdrawal",
            data={"csrf_token": csrf, "reason": "complaint upheld"},
        ).status_code
        == 303
    )
    page = console.client.get("/console/constituencies/1?lang=en")
    assert 'id="last-withdrawal"' in page.text
    assert "complaint upheld" in page.text
    with console.sessions() as session:
        assert audit_discrepancies(session) == []


def test_four_eyes_a_second_member_confirms_and_the_proposer_cannot(
    console: Console, member: Account
) -> None:
    with transaction(console.sessions) as session:
        session.execute(update(ElectionRow).values(four_eyes_decisions="reject"))
        row_ledger.record_rows(session, actor="test", table="election")
    _submit(console, flagged_protocol())
    csrf = console.sign_in(member)
    proposed = _decide(console, csrf, "001-0001", decision="reject", version="1", reason="amend")
    assert proposed.status_code == 303
    assert "state=pending" in proposed.headers["location"]
    assert _status(console, "001-0001", 1) == "flagged"
    page = console.client.get("/console/queue?lang=en")
    assert 'data-status="pending_confirmation"' in page.text
    found = re.search(r'action="/console/decisions/(\d+)/confirmation"', page.text)
    assert found
    confirmation = f"/console/decisions/{found.group(1)}/confirmation"
    again = _decide(console, csrf, "001-0001", decision="accept", version="1", reason="fine")
    assert again.status_code == 409
    own = console.client.post(confirmation, data={"csrf_token": csrf}, follow_redirects=False)
    assert own.status_code == 403
    assert _status(console, "001-0001", 1) == "flagged"
    console.client.cookies.clear()
    second = make_account(console.sessions, "nigar")
    csrf = console.sign_in(second)
    for bad in ("/console/decisions/abc/confirmation", "/console/decisions/999999/confirmation"):
        answer = console.client.post(bad, data={"csrf_token": csrf}, follow_redirects=False)
        assert answer.status_code == 404
    no_csrf = console.client.post(confirmation, data={"x": "1"}, follow_redirects=False)
    assert no_csrf.status_code == 403
    confirmed = console.client.post(confirmation, data={"csrf_token": csrf}, follow_redirects=False)
    assert confirmed.status_code == 303
    assert _status(console, "001-0001", 1) == "rejected"
    twice = console.client.post(confirmation, data={"csrf_token": csrf}, follow_redirects=False)
    assert twice.status_code == 409


def test_staff_read_the_queue_and_the_unreported_stations_and_decide_nothing(
    console: Console, member: Account
) -> None:
    _give_key(console)
    _submit(console, flagged_protocol())
    tural = make_account(console.sessions, "tural", PersonRole.COMMISSION_STAFF)
    csrf = console.sign_in(tural)
    home = console.client.get("/console?lang=en")
    assert 'href="/console/queue"' in home.text
    assert 'href="/console/certification"' in home.text
    # The queue, in every constituency, as the page, an item and the JSON; no decision forms.
    page = console.client.get("/console/queue?lang=en")
    assert page.status_code == 200
    assert 'id="item-001-0001"' in page.text
    assert 'class="decision-form"' not in page.text
    assert console.client.get("/console/queue/items/001-0001").status_code == 200
    queue = console.client.get("/api/v1/queue/flagged")
    assert queue.status_code == 200, queue.text
    assert [item["station"] for item in queue.json()["items"]] == ["001-0001"]
    events = console.client.get("/api/v1/queue/flagged/events?lifetime=0.3")
    assert events.status_code == 200
    assert "001-0001" in events.text
    assert console.client.get("/api/v1/queue/complaints").status_code == 200
    # The stations not reported, in any constituency, as the page, JSON and CSV.
    for number in (1, 2):
        constituency = console.client.get(f"/console/constituencies/{number}?lang=en")
        assert constituency.status_code == 200
        assert 'id="certify-form"' not in constituency.text
        unreported = console.client.get(f"/api/v1/constituencies/{number}/unreported")
        assert unreported.status_code == 200, unreported.text
        assert (
            console.client.get(f"/api/v1/constituencies/{number}/unreported.csv").status_code == 200
        )
    national = console.client.get("/console/certification?lang=en")
    assert national.status_code == 200
    assert 'id="staff-read-only"' in national.text
    assert 'id="certify-national-form"' not in national.text
    # Deciding, confirming and certifying stay with the members: each refused, nothing changed.
    for fields in (
        {"decision": "reject", "version": "1", "reason": "x"},
        {"decision": "accept", "version": "1", "reason": "checked"},
        {"decision": "recount", "reason": "x"},
        {"decision": "annul", "reason": "x", "confirmed": "yes"},
    ):
        refused = _decide(console, csrf, "001-0001", **fields)
        assert refused.status_code == 403, fields
    assert _status(console, "001-0001", 1) == "flagged"
    api_decision = console.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision",
        json={"decision": "reject", "reason": "x"},
        headers={"X-CSRF-Token": csrf},
    )
    assert api_decision.status_code == 403, api_decision.text
    assert api_decision.json()["error"]["code"] == "commission_only"
    for path in ("/console/constituencies/1/certification", "/console/certification"):
        assert console.client.post(path, data={"csrf_token": csrf}).status_code == 403, path
    assert _status(console, "001-0001", 1) == "flagged"


def test_oversized_forms_are_refused(console: Console, member: Account) -> None:
    _submit(console, flagged_protocol())
    csrf = console.sign_in(member)
    many = {f"field{n}": "x" for n in range(60)}
    crowded = _decide(console, csrf, "001-0001", decision="reject", version="1", **many)
    assert crowded.status_code == 400
    huge = console.client.post(
        "/console/queue/001-0001/decision",
        content=b"reason=" + b"x" * 3_000_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    assert _status(console, "001-0001", 1) == "flagged"


def test_the_queue_shows_the_flagged_protocols_photo_once_it_has_arrived(
    console: Console, member: Account
) -> None:
    from tests.api.test_protocol_photo import jpeg

    photo = jpeg(colour="gray")
    digest = hashlib.sha256(photo).hexdigest()
    document = flagged_protocol() | {
        "format": 2,
        "contest": "constituency-1",
        "photo_sha256": digest,
    }
    assert _submit(console, document) == "flagged"
    console.sign_in(member)
    page = console.client.get("/console/queue/items/001-0001?lang=en").text
    assert 'data-photo="awaited"' in page
    assert digest in page
    _, token, _ = console.credentials.stations["001-0001"]
    sent = console.client.put(
        "/api/v1/stations/001-0001/protocols/1/photo",
        content=photo,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
    )
    assert sent.status_code == 201, sent.text
    page = console.client.get("/console/queue/items/001-0001?lang=az").text
    assert 'data-photo="stored"' in page
    assert f'src="/api/v1/photos/{digest}.jpg"' in page
