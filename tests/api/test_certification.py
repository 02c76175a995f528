"""Certification that means something: refused while a station is missing or a protocol
waits, a reason when too close, signed with the commission's key; a certified constituency
is frozen until the certification is withdrawn; the nation certified by its own act, and only
then is the site "Final"."""

from __future__ import annotations

from typing import Any

import pytest

from tallyroom.domain.certification_document import certification_is_valid
from tallyroom.domain.signature import public_key_hex
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.store.database import transaction
from tests.commission_console import (
    close_race_protocol,
    flagged_protocol,
    give_commission_key,
)
from tests.polled_election import figures, poll_small_election
from tests.station_client import Api, good_figures, protocol


def certify(api: Api, number: int, **body: Any) -> Any:
    return api.client.post(
        f"/api/v1/constituencies/{number}/certification",
        json=body or None,
        headers=api.commission,
    )


def withdraw(api: Api, number: int, reason: str = "complaint upheld (act 40/2024)") -> Any:
    return api.client.post(
        f"/api/v1/constituencies/{number}/certification/withdrawal",
        json={"reason": reason},
        headers=api.commission,
    )


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def test_refused_with_a_station_missing(api: Api) -> None:
    give_commission_key(api)
    assert api.submit(protocol()).status_code == 201
    response = certify(api, 1)
    assert response.status_code == 409
    assert error_code(response) == "stations_missing"
    assert response.json()["error"]["details"]["stations"] == ["001-0002", "001-0003"]


def test_refused_with_a_protocol_pending_and_a_superseded_flagged_version_blocks_nothing(
    api: Api,
) -> None:
    give_commission_key(api)
    poll_small_election(api)
    amended = flagged_protocol("001-0002", version=2, amendment_reason="recounted")
    assert api.submit(amended).json()["status"] == "flagged"
    response = certify(api, 1)
    assert response.status_code == 409
    assert error_code(response) == "protocols_pending"
    assert response.json()["error"]["details"]["stations"] == ["001-0002"]
    # The station amends again: version 2 stays flagged but superseded, and blocks nothing.
    corrected = protocol(
        "001-0002",
        version=3,
        amendment_reason="figures copied again",
        figures=figures(
            {"C001": 200, "C002": 300, "C003": 50},
            registered=800,
            issued_in_station=560,
            portable=10,
            invalid=10,
        ),
    )
    assert api.submit(corrected).json()["status"] == "accepted"
    response = certify(api, 1)
    assert response.status_code == 201, response.text


def test_a_too_close_contest_needs_a_reason_and_the_document_is_signed(api: Api) -> None:
    key = give_commission_key(api)
    assert api.submit(close_race_protocol()).json()["status"] == "accepted"
    response = certify(api, 2)
    assert response.status_code == 409
    assert error_code(response) == "too_close_reason_required"
    response = certify(api, 2, reason="recounted under observation (act 31/2024)")
    assert response.status_code == 201, response.text
    body = response.json()
    document = body["document"]
    assert document["kind"] == "tallyroom-certification/1"
    assert (document["constituency"], document["winner"]) == (2, "C004")
    assert document["votes"] == {"C004": 300, "C005": 299}
    assert document["too_close"] is True
    assert document["reason"] == "recounted under observation (act 31/2024)"
    assert body["public_key"] == public_key_hex(key)
    assert certification_is_valid(document, body["public_key"], body["signature"])
    assert not certification_is_valid(
        document | {"winner": "C005"}, body["public_key"], body["signature"]
    )
    published = api.client.get("/api/v1/certifications").json()
    assert published["final"] is False
    (only,) = published["certifications"]
    assert only["document"] == document
    assert only["withdrawn_at"] is None


def test_refused_without_the_commission_key(api: Api) -> None:
    poll_small_election(api)
    response = certify(api, 2)
    assert response.status_code == 409
    assert error_code(response) == "commission_key_missing"


def test_a_certified_constituency_is_frozen_until_withdrawn(api: Api) -> None:
    give_commission_key(api)
    poll_small_election(api)
    assert certify(api, 1).status_code == 201
    assert error_code(certify(api, 1)) == "already_certified"
    # An amendment, an annulment, a recount order: each refused with the stable code.
    amendment = protocol(
        "001-0001",
        version=2,
        amendment_reason="a late correction",
        figures=good_figures(votes={"C001": 401, "C002": 249, "C003": 100}),
    )
    refused = api.submit(amendment)
    assert (refused.status_code, error_code(refused)) == (409, "contest_certified")
    for path, body in (
        ("annulment", {"reason": "seal broken", "confirmed": True}),
        ("recount", {"reason": "asked by a candidate"}),
    ):
        response = api.client.post(
            f"/api/v1/stations/001-0002/{path}", json=body, headers=api.commission
        )
        assert (response.status_code, error_code(response)) == (409, "contest_certified"), path
    # The same stored document again is still answered as stored (a station's retry).
    repeat = api.submit(protocol("001-0001", figures=good_figures()))
    assert repeat.status_code in (200, 201)
    assert repeat.json()["already_stored"] is True
    assert api.client.get("/api/v1/results/constituencies/1").json()["certified"] is True
    # The other constituency is not frozen.
    other = api.client.post(
        "/api/v1/stations/002-0001/recount", json={"reason": "asked"}, headers=api.commission
    )
    assert other.status_code == 201, other.text
    # Withdrawn with a reason: the amendment is taken again.
    assert withdraw(api, 1, reason="").status_code == 422
    response = withdraw(api, 1)
    assert response.status_code == 200, response.text
    assert error_code(withdraw(api, 1)) == "not_certified"
    taken = api.submit(amendment)
    assert taken.status_code == 201
    assert taken.json()["status"] == "accepted"
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []
    published = api.client.get("/api/v1/certifications").json()["certifications"]
    assert published[0]["withdrawal_reason"] == "complaint upheld (act 40/2024)"


def _turnout(api: Api, station: str, as_of: str, voters: int) -> Any:
    return api.client.post(
        f"/api/v1/stations/{station}/turnout",
        json={"as_of": as_of, "voters": voters},
        headers=api.headers(api.station_token(station)),
    )


def test_certified_means_frozen_for_turnout_too_until_withdrawn(api: Api) -> None:
    give_commission_key(api)
    poll_small_election(api)  # 001-0001 reported 100 voters at 10:00
    assert certify(api, 1).status_code == 201
    # A new hourly report for a certified constituency's station: refused, nothing stored.
    refused = _turnout(api, "001-0001", "12:00", 300)
    assert (refused.status_code, error_code(refused)) == (409, "contest_certified")
    assert refused.json()["error"]["details"]["constituency"] == 1
    # Relayed in a batch by the constituency commission: the whole batch is refused.
    batch = api.client.post(
        "/api/v1/turnout",
        json={"reports": [{"station": "001-0002", "as_of": "10:00", "voters": 70}]},
        headers=api.headers(api.credentials.constituency_tokens[1]),
    )
    assert (batch.status_code, error_code(batch)) == (409, "contest_certified")
    hours = api.client.get("/api/v1/turnout").json()["hours"]
    assert (hours[0]["voters"], hours[0]["stations_reporting"], hours[1]["voters"]) == (100, 1, 0)
    # A station's retry of a stored report is still answered as stored.
    repeat = _turnout(api, "001-0001", "10:00", 100)
    assert repeat.status_code == 200, repeat.text
    assert repeat.json()["already_stored"] is True
    # Another constituency is not frozen.
    assert _turnout(api, "002-0001", "10:00", 40).status_code == 201
    # Withdrawn: the report is taken.
    assert withdraw(api, 1).status_code == 200
    assert _turnout(api, "001-0001", "12:00", 300).status_code == 201
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_a_station_token_cannot_slip_a_protocol_into_a_certified_contest_in_bulk(
    api: Api,
) -> None:
    give_commission_key(api)
    assert api.submit(close_race_protocol()).status_code == 201
    assert certify(api, 2, reason="recounted").status_code == 201
    amended = protocol(
        "002-0001",
        version=2,
        amendment_reason="a late correction",
        figures=figures(
            {"C004": 299, "C005": 300}, registered=600, issued_in_station=599, portable=0, invalid=0
        ),
    )
    response = api.submit(amended)
    assert (response.status_code, error_code(response)) == (409, "contest_certified")
    assert (
        api.client.get("/api/v1/results/constituencies/2").json()["candidates"][0]["code"] == "C004"
    )


def test_the_nation_is_certified_by_its_own_act_and_only_then_is_the_site_final(
    api: Api,
) -> None:
    give_commission_key(api)
    poll_small_election(api)
    national = api.client.post("/api/v1/certification", headers=api.commission)
    assert (national.status_code, error_code(national)) == (409, "constituencies_not_certified")
    assert national.json()["error"]["details"]["constituencies"] == [1, 2]
    for number in (1, 2):
        assert certify(api, number).status_code == 201
    # Every constituency certified, the nation not yet: preliminary.
    assert api.client.get("/api/v1/results").json()["status"] == "preliminary"
    api.client.cookies.set("lang", "en")
    page = api.client.get("/constituencies/1").text
    assert "Certified, the national result not yet" in page
    assert 'data-status="preliminary"' in api.client.get("/").text
    national = api.client.post("/api/v1/certification", headers=api.commission)
    assert national.status_code == 201, national.text
    document = national.json()["document"]
    assert document["scope"] == "nation"
    assert [c["winner"] for c in document["constituencies"]] == ["C001", "C004"]
    assert certification_is_valid(
        document, national.json()["public_key"], national.json()["signature"]
    )
    assert api.client.get("/api/v1/results").json()["status"] == "final"
    overview = api.client.get("/").text
    assert 'data-status="final"' in overview
    assert "Final" in overview
    assert api.client.get("/api/v1/certifications").json()["final"] is True
    # A constituency's certification cannot be withdrawn under the nation's.
    response = withdraw(api, 1)
    assert (response.status_code, error_code(response)) == (409, "nation_certified")
    again = api.client.post("/api/v1/certification", headers=api.commission)
    assert error_code(again) == "already_certified"
    response = api.client.post(
        "/api/v1/certification/withdrawal",
        json={"reason": "a court ruling (case 7/2024)"},
        headers=api.commission,
    )
    assert response.status_code == 200, response.text
    assert api.client.get("/api/v1/results").json()["status"] == "preliminary"
    assert withdraw(api, 1).status_code == 200
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


# --- hostile ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/constituencies/1/certification",
        "/api/v1/constituencies/1/certification/withdrawal",
        "/api/v1/certification",
        "/api/v1/certification/withdrawal",
    ],
)
def test_only_the_commission_certifies(api: Api, path: str) -> None:
    give_commission_key(api)
    body = {"reason": "because"}
    for headers, status, code in (
        ({}, 401, "token_missing"),
        (api.headers("nonsense"), 401, "token_unknown"),
        (api.headers(api.station_token("001-0001")), 403, "commission_only"),
        (api.headers(api.credentials.observer_token), 403, "commission_only"),
        (api.headers(api.credentials.constituency_tokens[1]), 403, "commission_only"),
    ):
        response = api.client.post(path, json=body, headers=headers)
        assert (response.status_code, error_code(response)) == (status, code), headers


@pytest.mark.parametrize(
    ("path", "content", "status", "code"),
    [
        ("/api/v1/constituencies/1/certification", b"{", 400, "malformed_json"),
        ("/api/v1/constituencies/1/certification", b"[]", 400, "malformed_json"),
        ("/api/v1/constituencies/1/certification", b'{"reason": 7}', 422, "invalid_reason"),
        (
            "/api/v1/constituencies/1/certification",
            b'{"reason": "' + b"x" * 2001 + b'"}',
            422,
            "invalid_reason",
        ),
        ("/api/v1/constituencies/9/certification", b"{}", 404, "unknown_constituency"),
        ("/api/v1/constituencies/0/certification", b"{}", 422, "invalid_request"),
        ("/api/v1/constituencies/1/certification/withdrawal", b"{}", 422, "reason_required"),
        ("/api/v1/certification/withdrawal", b'{"reason": "  "}', 422, "reason_required"),
        ("/api/v1/certification/withdrawal", b'{"reason": "x"}', 409, "not_certified"),
        (
            "/api/v1/constituencies/1/certification",
            b'{"reason": "' + b"x" * 70_000 + b'"}',
            413,
            "body_too_large",
        ),
    ],
)
def test_malformed_certification_requests_are_refused_whole(
    api: Api, path: str, content: bytes, status: int, code: str
) -> None:
    give_commission_key(api)
    poll_small_election(api)
    response = api.client.post(
        path, content=content, headers={**api.commission, "Content-Type": "application/json"}
    )
    assert (response.status_code, error_code(response)) == (status, code), response.text
    assert api.client.get("/api/v1/certifications").json()["certifications"] == []
