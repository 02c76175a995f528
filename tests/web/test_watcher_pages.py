"""The watchers' pages: the complaint form files a complaint with a photo (and refuses a bad
file storing nothing), the observer signs in with a credential and submits a copy that
differs in one field, and the station page and its open data show both."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlalchemy import func, select

from tallyroom.store.database import transaction
from tallyroom.store.schema import ComplaintRow, StoredFileRow
from tallyroom.web.watcher_pages import MAXIMUM_FORM_BYTES
from tests.polled_election import poll_small_election
from tests.station_client import Api, good_figures


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 0, 0)).save(out, format="JPEG")
    return out.getvalue()


def _credential(api: Api) -> str:
    answer = api.client.post(
        "/api/v1/observers/accreditations",
        json={
            "observers": [
                {
                    "code": "O0004",
                    "full_name": "Anna Schmidt",
                    "kind": "international",
                    "organisation": "osce-odihr",
                    "country": "DE",
                    "stations": ["001-0001", "002-0001"],
                }
            ]
        },
        headers=api.commission,
    )
    credential: str = answer.json()["observers"][0]["credential"]
    return credential


def _copy_form(votes_c002: int) -> dict[str, Any]:
    figures = good_figures()
    fields: dict[str, Any] = {
        name: str(getattr(figures, name))
        for name in (
            "registered_voters",
            "voters_added",
            "ballots_received",
            "ballots_issued_in_station",
            "ballots_issued_portable",
            "ballots_cast",
            "invalid_ballots",
            "unused_ballots",
        )
    }
    fields |= {f"votes.{code}": str(votes) for code, votes in figures.votes.items()}
    fields["votes.C002"] = str(votes_c002)
    fields["station"] = "001-0001"
    return fields


def test_observer_copy_and_complaint_show_on_the_station_page(api: Api) -> None:
    poll_small_election(api)
    credential = _credential(api)
    assert "credential" in api.client.get("/observer").text
    refused = api.client.post("/observer/sign-in", data={"credential": "obs_wrong"})
    assert refused.status_code == 401
    signed = api.client.post(
        "/observer/sign-in", data={"credential": credential}, follow_redirects=False
    )
    assert signed.status_code == 303
    home = api.client.get("/observer", params={"station": "001-0001"})
    assert 'id="copy-form"' in home.text
    assert 'name="votes.C002"' in home.text
    stored = api.client.post(
        "/observer/copies",
        data=_copy_form(290),
        files={"photo": ("copy.jpg", _photo(), "image/jpeg")},
    )
    assert stored.status_code == 201, stored.text
    filed = api.client.post(
        "/complaints/new",
        data={
            "category": "protocol_discrepancy",
            "about": "station",
            "station": "001-0001",
            "description": "C002 has 290 on my copy",
            "reporter_kind": "voter",
        },
        files={"attachment": ("p.jpg", _photo(), "image/jpeg")},
    )
    assert filed.status_code == 201, filed.text
    assert 'id="tracking-number"' in filed.text
    with transaction(api.sessions) as session:
        tracking = session.scalar(select(ComplaintRow.tracking_number))
    api.client.post(
        f"/api/v1/complaints/{tracking}/review", json={"reason": "copy"}, headers=api.commission
    )
    page = api.client.get("/stations/001-0001").text
    assert "data-under-review" in page
    assert 'data-difference="votes.C002"' in page
    data = api.client.get("/stations/001-0001.json").json()["data"]["station"]
    assert data["under_review"] is True
    assert data["observer_copies"][0]["against_counted"][0]["field"] == "votes.C002"
    register = api.client.get("/complaints").text
    assert tracking in register
    assert "C002 has 290" not in register
    api.client.post(
        f"/api/v1/complaints/{tracking}/decision",
        json={"decision": "uphold", "reason": "recount", "remedy": "recount"},
        headers=api.commission,
    )
    page = api.client.get("/stations/001-0001").text
    assert "data-under-review" not in page
    assert 'data-complaint-status="upheld"' in page


def test_a_bad_attachment_is_refused_and_nothing_stored(api: Api) -> None:
    answer = api.client.post(
        "/complaints/new",
        data={
            "category": "other",
            "about": "commission",
            "description": "x",
            "reporter_kind": "voter",
        },
        files={"attachment": ("a.jpg", b"MZ\x90 executable", "image/jpeg")},
    )
    assert answer.status_code == 422
    assert 'id="form-problem"' in answer.text
    bad_choice = api.client.post(
        "/complaints/new", data={"category": "nope", "about": "x", "description": "x"}
    )
    assert bad_choice.status_code == 422
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count(ComplaintRow.id))) == 0
        assert session.scalar(select(func.count(StoredFileRow.sha256))) == 0


def test_copies_need_a_signed_in_observer(api: Api) -> None:
    answer = api.client.post("/observer/copies", data=_copy_form(1))
    assert answer.status_code == 401
    api.client.cookies.set("observer_credential", "obs_forged")
    assert api.client.get("/observer").status_code == 401


def test_no_cache_keeps_the_signed_in_observer_page(api: Api) -> None:
    """The signed-in page is marked private (the form's service worker keeps no such page);
    the offline page holds nothing of the observer even with the credential sent; signing
    out tells the browser to drop its caches."""
    credential = _credential(api)
    api.client.post("/observer/sign-in", data={"credential": credential})
    home = api.client.get("/observer", params={"station": "001-0001"})
    assert home.status_code == 200
    assert 'id="copy-form"' in home.text
    assert "private" in home.headers["cache-control"]
    assert "no-store" in home.headers["cache-control"]
    offline = api.client.get("/observer/offline", params={"station": "001-0001", "lang": "en"})
    assert offline.status_code == 200
    assert 'id="observer-offline"' in offline.text
    assert "001-0001" not in offline.text
    assert "copy-form" not in offline.text
    assert "private" not in offline.headers["cache-control"]
    # a forged or stale credential changes nothing: the offline page reads none
    api.client.cookies.set("observer_credential", "obs_forged")
    assert api.client.get("/observer/offline").status_code == 200
    worker = api.client.get("/observer/app/sw.js").text
    assert '"/observer/offline"' in worker
    assert '[\n    "/observer",' not in worker  # the signed-in page is never pre-cached
    signed_out = api.client.post("/observer/sign-out", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["clear-site-data"] == '"cache"'
    assert "observer_credential=" in signed_out.headers["set-cookie"]
    # replayed sign-out, no credential: the same answer, never a 5xx
    api.client.cookies.clear()
    again = api.client.post("/observer/sign-out", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["clear-site-data"] == '"cache"'
    assert api.client.get("/observer/sign-out").status_code == 405


def test_only_published_attachments_are_served(api: Api) -> None:
    photo = _photo()
    filed = api.client.post(
        "/complaints/new",
        data={"category": "other", "about": "commission", "description": "x"},
        files={"attachment": ("p.jpg", photo, "image/jpeg")},
    )
    assert filed.status_code == 201
    with transaction(api.sessions) as session:
        tracking = session.scalar(select(ComplaintRow.tracking_number))
        digest = session.scalar(select(StoredFileRow.sha256))
    assert api.client.get(f"/complaints/files/{digest}").status_code == 404
    assert api.client.get("/complaints/files/..%2f..%2fetc").status_code == 404
    published = api.client.post(
        f"/api/v1/complaints/{tracking}/publication",
        json={"description": "[redacted]", "attachments": [digest]},
        headers=api.commission,
    )
    assert published.status_code == 201, published.text
    served = api.client.get(f"/complaints/files/{digest}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert f"/complaints/files/{digest}" in api.client.get("/complaints").text


JSON = {"Accept": "application/json"}
KEY = "5f1c7a0e-3b2d-4e6f-8a9b-0c1d2e3f4a5b"


def _signed_in(api: Api) -> None:
    credential = _credential(api)
    api.client.post("/observer/sign-in", data={"credential": credential})


def test_the_outbox_sends_a_copy_and_a_complaint_once_whatever_the_tries(api: Api) -> None:
    poll_small_election(api)
    _signed_in(api)
    home = api.client.get("/observer", params={"station": "001-0001"}).text
    assert 'id="observer-complaint-form"' in home
    assert 'data-outbox data-kind="complaint"' in home
    assert '<script type="module" src="/observer/app/observer.js">' in home
    complaint = {
        "category": "pressure_on_voters",
        "station": "001-0001",
        "description": "A man told voters whom to choose.",
        "idempotency_key": KEY,
    }
    answers = [
        api.client.post("/observer/complaints", data=complaint, headers=JSON) for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json()["tracking_number"] for a in answers}) == 1
    copies = [
        api.client.post(
            "/observer/copies", data=_copy_form(250) | {"idempotency_key": KEY}, headers=JSON
        )
        for _ in range(2)
    ]
    assert [c.status_code for c in copies] == [201, 201]
    assert copies[0].json() == copies[1].json()
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count(ComplaintRow.id))) == 1
        (row,) = session.scalars(select(ComplaintRow)).all()
        assert row.reporter_kind == "observer"
    # without a script the form still works (a page, no key)
    plain = api.client.post("/observer/complaints", data=complaint | {"idempotency_key": ""})
    assert plain.status_code == 201
    assert 'id="tracking-number"' in plain.text


def test_the_outbox_routes_refuse_what_they_must(api: Api) -> None:
    good = {
        "category": "other",
        "station": "001-0001",
        "description": "x",
        "idempotency_key": KEY,
    }
    # not signed in: 401 in the error envelope, nothing stored
    anonymous = api.client.post("/observer/complaints", data=good, headers=JSON)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"]
    _signed_in(api)
    cases = {
        "bad key": (good | {"idempotency_key": "short"}, 422, "invalid_idempotency_key"),
        "bad category": (good | {"category": "riot"}, 422, "invalid_choice"),
        "other station": (good | {"station": "009-9999"}, 422, "unknown_station"),
        "bad outage": (good | {"webcam_outage": "x1"}, 422, "invalid_outage"),
        "NUL": (good | {"description": "a\x00b"}, 422, "nul_character"),
    }
    for name, (data, status, code) in cases.items():
        answer = api.client.post("/observer/complaints", data=data, headers=JSON)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), name
    exe = api.client.post(
        "/observer/complaints",
        data=good,
        files={"attachment": ("a.jpg", b"MZ\x90 executable", "image/jpeg")},
        headers=JSON,
    )
    assert exe.status_code == 422
    oversized = api.client.post(
        "/observer/complaints",
        data=good,
        files={
            "attachment": ("a.pdf", b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024), "application/pdf")
        },
        headers=JSON,
    )
    assert oversized.status_code == 413
    copy = api.client.post(
        "/observer/copies", data=_copy_form(250) | {"idempotency_key": "é" * 20}, headers=JSON
    )
    assert copy.status_code == 422
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count(ComplaintRow.id))) == 0
        assert session.scalar(select(func.count(StoredFileRow.sha256))) == 0
    assert api.client.get("/observer/app/observer.js").status_code == 200
    worker = api.client.get("/observer/app/sw.js")
    assert worker.headers["service-worker-allowed"] == "/observer"
    assert api.client.get("/observer/app/..%2fapp.py").status_code == 404
    assert api.client.get("/station/outbox_store.js").status_code == 200


def _pollster_credential(api: Api) -> str:
    issued = api.client.post("/api/v1/exit-polls/ep-az/credential", headers=api.commission)
    assert issued.status_code in (200, 201), issued.text
    credential: str = issued.json()["credential"]
    return credential


def test_an_exit_poll_organisation_sends_estimates_from_its_page(api: Api) -> None:
    credential = _pollster_credential(api)
    assert 'id="pollster-sign-in"' in api.client.get("/exit-poll").text
    assert api.client.post("/exit-poll/sign-in", data={"credential": "wrong"}).status_code == 401
    signed = api.client.post(
        "/exit-poll/sign-in", data={"credential": credential}, follow_redirects=False
    )
    assert signed.status_code == 303
    assert signed.headers["set-cookie"].lower().count("samesite=strict") == 1
    home = api.client.get("/exit-poll?lang=en")
    assert 'id="estimates-form"' in home.text
    sent = api.client.post(
        "/exit-poll/estimates",
        data={"estimates": "station,turnout,C001,C002,C003\n001-0002,55.5,30,25,\n"},
    )
    assert sent.status_code == 201, sent.text
    assert 'id="estimates-stored"' in sent.text
    assert 'data-estimated="1"' in sent.text
    # the polls are closing (the drill clock): a sample can no longer be declared
    late = api.client.post("/exit-poll/sample", data={"stations": "001-0003"})
    assert late.status_code == 409
    assert 'data-sampled="' in late.text


def test_the_exit_poll_page_refuses_what_it_must(api: Api) -> None:
    anonymous = api.client.post(
        "/exit-poll/estimates", data={"estimates": "station,turnout,C001\n001-0002,50,20\n"}
    )
    assert anonymous.status_code == 401
    # an observer's credential is not an organisation's
    api.client.cookies.set("pollster_credential", api.credentials.observer_token)
    assert api.client.get("/exit-poll").status_code == 401
    api.client.cookies.clear()
    api.client.post("/exit-poll/sign-in", data={"credential": _pollster_credential(api)})
    cases = {
        "no header": ("001-0002,50,20\n", 422),
        "bad header": ("code,turnout,C001\n001-0002,50,20\n", 422),
        "short line": ("station,turnout,C001\n001-0002,50\n", 422),
        "not a number": ("station,turnout,C001\n001-0002,fifty,20\n", 422),
        "NaN": ("station,turnout,C001\n001-0002,nan,20\n", 422),
        "out of range": ("station,turnout,C001\n001-0002,150,20\n", 422),
        "not sampled": ("station,turnout,C001\n002-0001,50,20\n", 422),
        "stranger": ("station,turnout,C999\n001-0002,50,20\n", 422),
        "too many": ("station,turnout,C001\n" + "001-0002,50,20\n" * 1_001, 422),
    }
    for name, (text, status) in cases.items():
        answer = api.client.post("/exit-poll/estimates", data={"estimates": text})
        assert answer.status_code == status, (name, answer.text[:300])
        assert 'id="form-problem"' in answer.text
    too_big = api.client.post(
        "/exit-poll/estimates", data={"estimates": "x" * (MAXIMUM_FORM_BYTES + 10)}
    )
    assert too_big.status_code == 413
    assert api.client.post("/exit-poll/sample", data={"stations": " "}).status_code == 422
    assert api.client.post("/exit-poll/sample", data={"stations": "x" * 40}).status_code == 422
    home = api.client.get("/exit-poll").text
    assert 'data-estimated="0"' in home
