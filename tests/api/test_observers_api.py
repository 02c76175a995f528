"""The observers' routes end to end: accreditation by the commission, an observer's copy
that differs in one field, a complaint with a photo taken through review to an upheld
decision ordering a recount; hostile requests refused with nothing stored."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    CandidateRow,
    CandidateTotalRow,
    ComplaintRow,
    ObserverProtocolCopyRow,
    StoredFileRow,
)
from tests.polled_election import poll_small_election
from tests.station_client import Api

OSCE = {
    "code": "O0004",
    "full_name": "Anna Schmidt",
    "kind": "international",
    "organisation": "osce-odihr",
    "country": "DE",
    "stations": ["001-0001", "002-0001"],
}
NGO = {
    "code": "O0003",
    "full_name": "Elvin Mustafayev",
    "kind": "local_ngo",
    "organisation": "seçki-izləmə",
    "country": "AZ",
    "stations": ["002-0001"],
}


def _photo() -> str:
    out = io.BytesIO()
    Image.new("RGB", (24, 24), (0, 90, 0)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def _accredit(api: Api, *observers: dict[str, Any]) -> list[str]:
    answer = api.client.post(
        "/api/v1/observers/accreditations",
        json={"observers": list(observers)},
        headers=api.commission,
    )
    assert answer.status_code == 201, answer.text
    issued = answer.json()["observers"]
    assert issued[0]["badge_svg"].startswith("<svg")
    return [o["credential"] for o in issued]


def _counted_figures(api: Api, station: str) -> dict[str, Any]:
    from tests.station_client import good_figures

    assert station == "001-0001"
    figures = good_figures()
    return {
        "registered_voters": figures.registered_voters,
        "voters_added": figures.voters_added,
        "ballots_received": figures.ballots_received,
        "ballots_issued_in_station": figures.ballots_issued_in_station,
        "ballots_issued_portable": figures.ballots_issued_portable,
        "ballots_cast": figures.ballots_cast,
        "invalid_ballots": figures.invalid_ballots,
        "unused_ballots": figures.unused_ballots,
        "votes": dict(figures.votes),
    }


def test_copy_complaint_review_uphold_recount(api: Api) -> None:
    poll_small_election(api)
    (osce,) = _accredit(api, OSCE)
    figures = _counted_figures(api, "001-0001")
    same = api.client.post(
        "/api/v1/observer/protocol-copies",
        json={"station": "001-0001", "figures": figures},
        headers=api.headers(osce),
    )
    assert same.status_code == 201, same.text
    differing = figures | {"votes": figures["votes"] | {"C002": figures["votes"]["C002"] + 40}}
    answer = api.client.post(
        "/api/v1/observer/protocol-copies",
        json={"station": "001-0001", "figures": differing, "photo_base64": _photo()},
        headers=api.headers(osce),
    )
    assert answer.status_code == 201, answer.text
    copies = api.client.get("/api/v1/stations/001-0001/observer-copies").json()["copies"]
    assert [c["matches"] for c in copies] == [True, False]
    assert copies[1]["against_counted"] == [
        {"field": "votes.C002", "copy_value": 290, "station_value": 250}
    ]
    summary = api.client.get("/api/v1/observer-copies/summary").json()
    assert (summary["matching"], summary["mismatching"]) == (1, 1)
    assert summary["stations_with_mismatch"] == ["001-0001"]
    # never counted: the station's result is unchanged
    with transaction(api.sessions) as session:
        c002 = session.scalar(
            select(CandidateTotalRow.votes)
            .join(CandidateRow, CandidateRow.id == CandidateTotalRow.candidate_id)
            .where(CandidateRow.code == "C002")
        )
    assert c002 == 590

    filed = api.client.post(
        "/api/v1/complaints",
        json={
            "category": "protocol_discrepancy",
            "about": "station",
            "station": "001-0001",
            "description": "My copy says C002 290, the published protocol 250.",
            "reporter_kind": "voter",
            "attachments": [{"content_type": "image/png", "content_base64": _photo()}],
        },
        headers=api.headers(osce),
    )
    assert filed.status_code == 201, filed.text
    tracking = filed.json()["tracking_number"]
    skip = api.client.post(
        f"/api/v1/complaints/{tracking}/decision",
        json={"decision": "uphold", "reason": "x"},
        headers=api.commission,
    )
    assert skip.status_code == 409
    assert skip.json()["error"]["code"] == "state_not_allowed"
    observer_decides = api.client.post(
        f"/api/v1/complaints/{tracking}/review", json={"reason": "x"}, headers=api.headers(osce)
    )
    assert observer_decides.status_code == 401
    shared_observer = api.client.post(
        f"/api/v1/complaints/{tracking}/review",
        json={"reason": "x"},
        headers=api.headers(api.credentials.observer_token),
    )
    assert shared_observer.status_code == 403
    assert (
        api.client.post(
            f"/api/v1/complaints/{tracking}/review",
            json={"reason": "copy differs"},
            headers=api.commission,
        ).status_code
        == 201
    )
    (public,) = api.client.get("/api/v1/complaints", params={"station": "001-0001"}).json()[
        "complaints"
    ]
    assert public["status"] == "under_review"
    assert public["description"] is None
    assert "reporter_kind" not in public
    decided = api.client.post(
        f"/api/v1/complaints/{tracking}/decision",
        json={"decision": "uphold", "reason": "photo shows 290", "remedy": "recount"},
        headers=api.commission,
    )
    assert decided.status_code == 201, decided.text
    (public,) = api.client.get("/api/v1/complaints").json()["complaints"]
    assert public["status"] == "upheld"
    assert public["station_decision"] == "recount"
    full = api.client.get(f"/api/v1/complaints/{tracking}", headers=api.commission).json()
    assert full["reporter_kind"] == "observer"
    assert len(full["attachments"]) == 1


def test_withheld_from_other_organisations_and_refused_uploads(api: Api) -> None:
    osce, ngo = _accredit(api, OSCE, NGO)
    filed = api.client.post(
        "/api/v1/complaints",
        json={
            "category": "obstruction_of_observers",
            "about": "station",
            "station": "002-0001",
            "description": "Sent out during the count.",
            "reporter_kind": "observer",
        },
        headers=api.headers(ngo),
    ).json()["tracking_number"]
    assert (
        api.client.get(f"/api/v1/complaints/{filed}", headers=api.headers(ngo)).status_code == 200
    )
    other = api.client.get(f"/api/v1/complaints/{filed}", headers=api.headers(osce))
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "withheld"
    assert api.client.get(f"/api/v1/complaints/{filed}").status_code == 401
    # not accredited to that station
    figures = _counted_figures(api, "001-0001")
    refused = api.client.post(
        "/api/v1/observer/protocol-copies",
        json={"station": "001-0001", "figures": figures},
        headers=api.headers(ngo),
    )
    assert refused.status_code == 403
    with transaction(api.sessions) as session:
        before = session.scalar(select(func.count(ComplaintRow.id)))
    for attachment in (
        {
            "content_type": "image/png",
            "content_base64": base64.b64encode(b"GIF89a not png").decode(),
        },
        {"content_type": "image/png", "content_base64": "***"},
        {"content_type": "application/pdf", "content_base64": _photo()},
        {"content_base64": base64.b64encode(b"").decode() or "AA=="},
    ):
        answer = api.client.post(
            "/api/v1/complaints",
            json={
                "category": "other",
                "about": "commission",
                "description": "x",
                "reporter_kind": "voter",
                "attachments": [attachment],
            },
        )
        assert answer.status_code == 422, answer.text
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count(ComplaintRow.id))) == before
        assert session.scalar(select(func.count(StoredFileRow.sha256))) == 0
        assert session.scalar(select(func.count(ObserverProtocolCopyRow.id))) == 0


@pytest.mark.parametrize(
    "body",
    [
        {
            "category": "nonsense",
            "about": "commission",
            "description": "x",
            "reporter_kind": "voter",
        },
        {"category": "other", "about": "station", "description": "x", "reporter_kind": "voter"},
        {
            "category": "other",
            "about": "commission",
            "description": "   ",
            "reporter_kind": "voter",
        },
        {
            "category": "other",
            "about": "commission",
            "description": "x" * 5001,
            "reporter_kind": "voter",
        },
    ],
)
def test_malformed_complaints_are_422(api: Api, body: dict[str, Any]) -> None:
    answer = api.client.post("/api/v1/complaints", json=body)
    assert answer.status_code == 422, answer.text


def test_oversized_and_unauthorised_commands(api: Api) -> None:
    big = api.client.post(
        "/api/v1/complaints",
        content=b"{" + b" " * (41 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413
    station = api.headers(api.station_token("001-0001"))
    answer = api.client.post(
        "/api/v1/observers/accreditations", json={"observers": [NGO]}, headers=station
    )
    assert answer.status_code == 403
    assert (
        api.client.post("/api/v1/observers/accreditations", json={"observers": [NGO]}).status_code
        == 401
    )
    bad_row = dict(NGO, stations=["999-9999"])
    answer = api.client.post(
        "/api/v1/observers/accreditations", json={"observers": [bad_row]}, headers=api.commission
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["problems"][0]["line"] == 1
    stats = api.client.get("/api/v1/observers/statistics").json()
    assert stats["local"] == 0
    assert "Elvin" not in str(stats)


def test_applications_over_the_api(api: Api) -> None:
    answer = api.client.post(
        "/api/v1/organisation-applications",
        json={
            "code": "ep-res",
            "name": "Exit Poll Research",
            "kind": "exit_poll",
            "country": "AZ",
            "partner_name": "Ricerca Srl",
            "partner_country": "IT",
        },
    )
    assert answer.status_code == 201
    assert answer.json()["status"] == "applied"
    decided = api.client.post(
        "/api/v1/organisation-applications/ep-res/decision",
        json={"decision": "accredit", "reason": "complete"},
        headers=api.commission,
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "accredited"
    again = api.client.post(
        "/api/v1/organisation-applications/ep-res/decision",
        json={"decision": "refuse", "reason": "x"},
        headers=api.commission,
    )
    assert again.status_code == 409


def test_filings_are_rate_limited(api: Api) -> None:
    body = {
        "category": "other",
        "about": "commission",
        "description": "x",
        "reporter_kind": "voter",
    }
    codes = [api.client.post("/api/v1/complaints", json=body).status_code for _ in range(12)]
    assert codes[:10] == [201] * 10
    assert codes[10:] == [429, 429]


@pytest.mark.parametrize("text", ["nul \u0000 inside", "lone \ud800 surrogate"])
def test_text_that_cannot_be_stored_is_refused(api: Api, text: str) -> None:
    import json as json_module

    body = {
        "category": "other",
        "about": "commission",
        "description": text,
        "reporter_kind": "voter",
    }
    answer = api.client.post(
        "/api/v1/complaints",
        content=json_module.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 422, answer.text


def test_names_only_to_the_commission_and_assignment(api: Api) -> None:
    (ngo,) = _accredit(api, NGO)
    listed = api.client.get("/api/v1/observers", headers=api.commission)
    assert listed.status_code == 200
    assert listed.json()["observers"][0]["full_name"] == "Elvin Mustafayev"
    for headers in ({}, api.headers(ngo), api.headers(api.credentials.observer_token)):
        assert api.client.get("/api/v1/observers", headers=headers).status_code in (401, 403)
    assert "Elvin" not in api.client.get("/api/v1/observers/statistics").text
    outside = api.client.post(
        "/api/v1/observers/O0003/assignment",
        json={"stations": ["001-0001"], "constituency": 2},
        headers=api.commission,
    )
    assert outside.status_code == 422
    assigned = api.client.post(
        "/api/v1/observers/O0003/assignment",
        json={"stations": ["001-0001"]},
        headers=api.commission,
    )
    assert assigned.status_code == 201, assigned.text
    by_observer = api.client.post(
        "/api/v1/observers/O0003/assignment", json={"stations": []}, headers=api.headers(ngo)
    )
    assert by_observer.status_code == 401
    figures = _counted_figures(api, "001-0001")
    copy = api.client.post(
        "/api/v1/observer/protocol-copies",
        json={"station": "001-0001", "figures": figures},
        headers=api.headers(ngo),
    )
    assert copy.status_code == 201, copy.text
