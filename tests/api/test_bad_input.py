"""Every kind of bad submission gets a 4xx with a stable code and a message, and nothing is
stored (no protocol version, no audit entry)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from tallyroom.domain.signature import load_private_key, new_private_key, sign_document
from tallyroom.service.definition.credentials import issue_credentials
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, ProtocolVersionRow, TurnoutReportRow
from tests.station_client import Api, good_figures, protocol


def stored(api: Api) -> tuple[int, int, int]:
    with transaction(api.sessions) as session:
        return (
            int(session.scalar(select(func.count(ProtocolVersionRow.id))) or 0),
            int(session.scalar(select(func.count(TurnoutReportRow.id))) or 0),
            int(session.scalar(select(func.count(AuditEntryRow.sequence))) or 0),
        )


def assert_refused(api: Api, response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]


def post_raw(api: Api, body: bytes, token: str) -> Any:
    return api.client.post(
        "/api/v1/protocols",
        content=body,
        headers={**api.headers(token), "Content-Type": "application/json"},
    )


def test_malformed_json(api: Api) -> None:
    before = stored(api)
    response = post_raw(api, b'{"protocol": {"station": ', api.station_token("001-0001"))
    assert_refused(api, response, 400, "malformed_json")
    assert stored(api) == before


def test_unknown_station(api: Api) -> None:
    before = stored(api)
    document = protocol()
    document["station"] = "999-9999"
    response = api.client.post(
        "/api/v1/protocols",
        json=api.signed(document, station="001-0001"),
        headers=api.commission,
    )
    assert_refused(api, response, 404, "unknown_station")
    assert stored(api) == before


def test_token_for_another_station(api: Api) -> None:
    before = stored(api)
    response = api.submit(protocol(), token=api.station_token("001-0002"))
    assert_refused(api, response, 403, "out_of_scope")
    assert stored(api) == before


def test_token_for_another_constituency(api: Api) -> None:
    before = stored(api)
    response = api.submit(protocol(), token=api.credentials.constituency_tokens[2])
    assert_refused(api, response, 403, "out_of_scope")
    assert stored(api) == before


def test_constituency_token_may_submit_for_its_own_station(api: Api) -> None:
    response = api.submit(protocol(), token=api.credentials.constituency_tokens[1])
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("token", "code"),
    [(None, "token_missing"), ("made-up-token", "token_unknown")],
)
def test_missing_or_unknown_token(api: Api, token: str | None, code: str) -> None:
    before = stored(api)
    headers = api.headers(token) if token else {}
    response = api.client.post("/api/v1/protocols", json=api.signed(protocol()), headers=headers)
    assert_refused(api, response, 401, code)
    assert stored(api) == before


def test_missing_signature(api: Api) -> None:
    before = stored(api)
    response = api.client.post(
        "/api/v1/protocols",
        json={"protocol": protocol()},
        headers=api.headers(api.station_token("001-0001")),
    )
    assert_refused(api, response, 422, "signature_missing")
    assert stored(api) == before


def test_wrong_signature(api: Api) -> None:
    before = stored(api)
    document = protocol()
    stranger = new_private_key()
    response = api.client.post(
        "/api/v1/protocols",
        json={"protocol": document, "signature": sign_document(document, stranger)},
        headers=api.headers(api.station_token("001-0001")),
    )
    assert_refused(api, response, 422, "signature_invalid")
    assert stored(api) == before


def test_signature_over_other_figures(api: Api) -> None:
    before = stored(api)
    envelope = api.signed(protocol())
    envelope["protocol"]["figures"]["votes"]["C001"] += 100
    response = api.client.post(
        "/api/v1/protocols", json=envelope, headers=api.headers(api.station_token("001-0001"))
    )
    assert_refused(api, response, 422, "signature_invalid")
    assert stored(api) == before


def test_revoked_key_is_flagged_never_counted_nor_dropped(api: Api) -> None:
    """A document signed before a new enrolment and delivered after it is stored flagged."""
    old_key = load_private_key(api.credentials.stations["001-0001"][2])
    with transaction(api.sessions) as session:
        fresh = issue_credentials(session, actor="test")
    before = stored(api)
    document = protocol()
    response = api.client.post(
        "/api/v1/protocols",
        json={"protocol": document, "signature": sign_document(document, old_key)},
        headers=api.headers(fresh.stations["001-0001"][1]),
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "flagged"
    assert [reason["code"] for reason in response.json()["reasons"]] == ["signed_with_revoked_key"]
    assert stored(api)[0] == before[0] + 1


def test_revoked_token(api: Api) -> None:
    token = api.station_token("001-0001")
    revoked = api.client.post(
        "/api/v1/tokens/revocation", json={"token": token}, headers=api.commission
    )
    assert revoked.status_code == 201, revoked.text
    before = stored(api)
    assert_refused(api, api.submit(protocol(), token=token), 401, "token_revoked")
    assert stored(api) == before


def _with_figure(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["figures"][name] = value

    return change


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (_with_figure("invalid_ballots", -3), "figures.invalid_ballots", "negative"),
        (_with_figure("ballots_cast", 760.5), "figures.ballots_cast", "not_a_whole_number"),
        (_with_figure("ballots_received", 10**12), "figures.ballots_received", "too_large"),
        (_with_figure("unused_ballots", "440"), "figures.unused_ballots", "not_a_whole_number"),
        (_with_figure("voters_added", True), "figures.voters_added", "not_a_whole_number"),
        (lambda d: d["figures"].pop("ballots_cast"), "figures.ballots_cast", "missing"),
        (lambda d: d["figures"]["votes"].update(C001=-1), "figures.votes.C001", "negative"),
        (lambda d: d.update(extra=1), "extra", "unknown_field"),
    ],
)
def test_bad_numbers_and_fields(
    api: Api, change: Callable[[dict[str, Any]], None], field: str, code: str
) -> None:
    before = stored(api)
    document = protocol()
    change(document)
    response = api.submit(document)
    assert_refused(api, response, 422, "malformed_protocol")
    problems = response.json()["error"]["details"]["problems"]
    assert {"field": field, "code": code} in [
        {"field": p["field"], "code": p["code"]} for p in problems
    ]
    assert stored(api) == before


def test_votes_for_a_candidate_not_standing_there(api: Api) -> None:
    before = stored(api)
    figures = good_figures(votes={"C001": 400, "C002": 250, "C003": 50, "C004": 50})
    response = api.submit(protocol(figures=figures))
    assert_refused(api, response, 422, "unknown_candidate")
    assert response.json()["error"]["details"]["candidates"] == ["C004"]
    assert stored(api) == before


def test_body_over_64_kib(api: Api) -> None:
    before = stored(api)
    envelope = api.signed(protocol())
    envelope["padding"] = "x" * (65 * 1024)
    response = post_raw(api, json.dumps(envelope).encode(), api.station_token("001-0001"))
    assert_refused(api, response, 413, "body_too_large")
    assert stored(api) == before


def test_replayed_old_version(api: Api) -> None:
    first = protocol()
    assert api.submit(first).status_code == 201
    amended = protocol(
        version=2,
        figures=good_figures(votes={"C001": 390, "C002": 260, "C003": 100}),
        amendment_reason="recount",
    )
    assert api.submit(amended).status_code == 201
    before = stored(api)
    assert_refused(api, api.submit(first), 409, "replayed_version")
    assert stored(api) == before


def test_other_figures_under_an_existing_version(api: Api) -> None:
    assert api.submit(protocol()).status_code == 201
    before = stored(api)
    clash = protocol(figures=good_figures(votes={"C001": 399, "C002": 251, "C003": 100}))
    assert_refused(api, api.submit(clash), 409, "version_conflict")
    assert stored(api) == before


def test_wrong_election(api: Api) -> None:
    before = stored(api)
    document = protocol()
    document["election"] = "some-other-2024"
    assert_refused(api, api.submit(document), 422, "wrong_election")
    assert stored(api) == before


@pytest.mark.parametrize(
    ("as_of", "voters", "status", "code"),
    [
        ("07:00", 10, 422, "outside_voting_hours"),
        ("21:30", 10, 422, "outside_voting_hours"),
        ("11:00", 10, 422, "not_a_reporting_hour"),
        ("noon", 10, 422, "not_a_time"),
        ("10:00", -1, 422, "out_of_range"),
        ("10:00", 1.5, 422, "not_a_whole_number"),
    ],
)
def test_bad_turnout_reports(api: Api, as_of: str, voters: Any, status: int, code: str) -> None:
    before = stored(api)
    response = api.client.post(
        "/api/v1/stations/001-0001/turnout",
        json={"as_of": as_of, "voters": voters},
        headers=api.headers(api.station_token("001-0001")),
    )
    assert_refused(api, response, status, code)
    assert stored(api) == before


def test_error_envelope_for_unknown_routes(api: Api) -> None:
    response = api.client.get("/api/v1/nothing-here")
    assert_refused(api, response, 404, "not_found")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/turnout?constituency=9223372036854775808",
        "/api/v1/turnout?constituency=-1",
        "/api/v1/turnout?constituency=abc",
        "/api/v1/results/constituencies/9223372036854775808",
        "/api/v1/results/constituencies/-5",
    ],
)
def test_integer_parameters_out_of_range_are_422(api: Api, path: str) -> None:
    assert_refused(api, api.client.get(path), 422, "invalid_request")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/stations/001-0001/protocols/9223372036854775808/decision",
        "/api/v1/constituencies/9223372036854775808/certification",
        "/api/v1/constituencies/-1/certification",
    ],
)
def test_integer_path_parameters_of_commands_are_bounded(api: Api, path: str) -> None:
    response = api.client.post(
        path, json={"decision": "accept", "reason": "x"}, headers=api.commission
    )
    assert_refused(api, response, 422, "invalid_request")


@pytest.mark.parametrize("header", ["²".encode("latin-1"), "²".encode(), b"abc", b"-1", b"9" * 40])
def test_garbage_last_event_id_is_refused(api: Api, header: bytes) -> None:
    response = api.client.get("/events", headers=[(b"Last-Event-ID", header)])
    assert_refused(api, response, 422, "invalid_last_event_id")


def test_garbage_content_length_is_not_a_500(api: Api) -> None:
    response = api.client.post(
        "/api/v1/protocols", content=b"{}", headers=[(b"Content-Length", "²".encode("latin-1"))]
    )
    assert response.status_code < 500


@pytest.mark.parametrize("field", ["station", "amendment_reason", "signature"])
def test_lone_surrogate_in_text_is_refused(api: Api, field: str) -> None:
    before = stored(api)
    envelope = api.signed(protocol())
    envelope["protocol"]["amendment_reason"] = "PLACEHOLDER"
    body = json.dumps(envelope)
    target = {
        "station": '"001-0001"',
        "amendment_reason": '"PLACEHOLDER"',
        "signature": '"' + envelope["signature"] + '"',
    }[field]
    body = body.replace(target, target[:-1] + '\\ud800"', 1)
    response = post_raw(api, body.encode(), api.station_token("001-0001"))
    assert_refused(api, response, 400, "malformed_json")
    assert stored(api) == before


def test_lone_surrogate_in_turnout_batch_is_refused(api: Api) -> None:
    response = api.client.post(
        "/api/v1/turnout",
        content=b'{"reports": [{"station": "001-0001\\udfff", "as_of": "10:00", "voters": 1}]}',
        headers={**api.commission, "Content-Type": "application/json"},
    )
    assert_refused(api, response, 400, "malformed_json")


def test_deeply_nested_body_is_refused(api: Api) -> None:
    for levels in (20, 600, 30000):
        body = b'{"protocol": ' + b"[" * levels + b"]" * levels + b', "signature": "00"}'
        response = post_raw(api, body, api.station_token("001-0001"))
        assert_refused(api, response, 400, "too_deep")


@pytest.mark.parametrize(
    "path", ["/constituencies/9223372036854775808", "/constituencies/9223372036854775808.json"]
)
def test_site_constituency_numbers_out_of_range_are_not_found(api: Api, path: str) -> None:
    assert api.client.get(path).status_code == 404
