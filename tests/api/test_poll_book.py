"""The poll book API: look-ups within the privacy boundary, one check-in per voter, absentee
certificates once, day-of additions, offline batches whose conflicts become incidents, and
hostile requests answered 4xx with nothing half-stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tallyroom.service.audit import audit_log
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    AuditEntryRow,
    CheckInRow,
    DoubleVoteIncidentRow,
    VoterRow,
)
from tests.register_fixture import load_small_register
from tests.station_client import Api


@pytest.fixture
def desks(api: Api) -> Api:
    load_small_register(api.sessions)
    return api


def voter_of(api: Api, station: str, index: int = 10) -> str:
    """A plain voter of the station (not one the scenario planted)."""
    number = {"001-0001": 1, "001-0002": 2, "001-0003": 3, "002-0001": 4}[station]
    with transaction(api.sessions) as session:
        return str(
            session.scalars(
                select(VoterRow.voter_number)
                .where(VoterRow.station_id == number)
                .order_by(VoterRow.id)
                .offset(index)
                .limit(1)
            ).one()
        )


def post(api: Api, path: str, body: Any, station: str = "001-0001") -> Any:
    return api.client.post(
        f"/api/v1/pollbook/{path}", json=body, headers=api.headers(api.station_token(station))
    )


def check_in(api: Api, voter: str, station: str, reference: str, **extra: Any) -> Any:
    return post(api, "check-ins", {"voter": voter, "client_reference": reference, **extra}, station)


def test_own_station_sees_the_record_others_only_where(desks: Api) -> None:
    voter = voter_of(desks, "001-0001")
    own = post(desks, "look-ups", {"voter": voter})
    assert own.status_code == 200
    assert own.json()["voter_id"] == voter
    assert own.json()["may_vote_here"] is True
    assert {"surname", "birth_date", "address"} <= set(own.json())
    other = post(desks, "look-ups", {"voter": voter}, station="001-0002")
    assert other.json() == {"home_station": "001-0001", "may_vote_here": False}
    commission = desks.client.post(
        "/api/v1/pollbook/look-ups", json={"voter": voter}, headers=desks.commission
    )
    assert commission.json()["surname"]


def test_every_look_up_is_audited_without_the_id(desks: Api) -> None:
    voter = voter_of(desks, "001-0001")
    post(desks, "look-ups", {"voter": voter}, station="001-0002")
    assert post(desks, "look-ups", {"voter": "AZE00000000"}).status_code == 404
    with transaction(desks.sessions) as session:
        looked = [e for e in audit_log.entries(session) if e.action == "pollbook.looked_up"]
        logged = " ".join(session.scalars(select(AuditEntryRow.payload)))
    assert [(e.payload["found"], e.payload["full_record"]) for e in looked] == [
        (True, False),
        (False, False),
    ]
    assert voter not in logged
    assert all(e.payload["voter"].startswith("hmac-sha256:") for e in looked)


def test_a_second_check_in_is_refused_naming_the_station(desks: Api) -> None:
    voter = voter_of(desks, "001-0001")
    first = check_in(desks, voter, "001-0001", "d1-1", identity_match="yes")
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "recorded"
    again = check_in(desks, voter, "001-0001", "d2-1")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_checked_in"
    assert again.json()["error"]["details"] == {"station": "001-0001"}
    # the same check-in sent again (a retry) is answered, not counted twice
    replay = check_in(desks, voter, "001-0001", "d1-1", identity_match="yes")
    assert (replay.status_code, replay.json()["status"]) == (200, "already_recorded")
    elsewhere = check_in(desks, voter, "001-0002", "x-1")
    assert elsewhere.status_code == 409
    assert elsewhere.json()["error"]["code"] == "not_on_this_station"
    figures = desks.client.get("/api/v1/pollbook/stations/001-0001/figures").json()
    assert (figures["check_ins"], figures["second_attempts_refused"]) == (1, 1)


def test_an_absentee_certificate_is_accepted_once_anywhere(desks: Api) -> None:
    voter = voter_of(desks, "001-0001", 11)
    issued = desks.client.post(
        "/api/v1/register/absentee-certificates",
        json={"voter": voter, "number": "AC-1"},
        headers=desks.commission,
    )
    assert issued.status_code == 201, issued.text
    home = check_in(desks, voter, "001-0001", "h-1")
    assert home.json()["error"]["code"] == "absentee_certificate_issued"
    looked = post(desks, "look-ups", {"voter": "AZE-unknown", "certificate": "AC-1"}, "002-0001")
    assert looked.json() == {"home_station": "001-0001", "may_vote_here": True}
    away = check_in(desks, voter, "002-0001", "a-1", certificate="AC-1")
    assert away.status_code == 201, away.text
    twice = check_in(desks, voter, "001-0002", "b-1", certificate="AC-1")
    assert twice.status_code == 409
    assert twice.json()["error"]["details"] == {"station": "002-0001"}
    figures = desks.client.get("/api/v1/pollbook/stations/002-0001/figures").json()
    assert figures["absentee_certificates_in"] == 1
    out = desks.client.get("/api/v1/pollbook/stations/001-0001/figures").json()
    assert out["absentee_certificates_out"] == 1
    again = desks.client.post(
        "/api/v1/register/absentee-certificates",
        json={"voter": voter, "number": "AC-2"},
        headers=desks.commission,
    )
    assert again.status_code == 409
    by_station = desks.client.post(
        "/api/v1/register/absentee-certificates",
        json={"voter": voter_of(desks, "001-0001", 12), "number": "AC-3"},
        headers=desks.headers(desks.station_token("001-0001")),
    )
    assert by_station.status_code == 403


def test_day_of_additions_are_checked_against_the_whole_register(desks: Api) -> None:
    on_register = voter_of(desks, "002-0001")
    body = {
        "voter": on_register,
        "full_name": "Məmmədov Elçin Rauf oğlu",
        "birth_date": "1980-05-04",
        "legal_reason": "court_decision",
        "client_reference": "add-1",
    }
    refused = post(desks, "additions", body)
    assert refused.status_code == 409
    assert refused.json()["error"]["details"] == {"station": "002-0001"}
    added = post(desks, "additions", body | {"voter": "AZE99000001"})
    assert added.status_code == 201, added.text
    twice = post(desks, "additions", body | {"voter": "AZE99000001", "client_reference": "a2"})
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_checked_in")
    no_reason = post(desks, "additions", body | {"voter": "AZE99000002", "legal_reason": "liked"})
    assert (no_reason.status_code, no_reason.json()["error"]["code"]) == (
        422,
        "legal_reason_required",
    )
    assert desks.client.get("/api/v1/pollbook/figures").json()["additions"] == 1
    with transaction(desks.sessions) as session:
        logged = " ".join(session.scalars(select(AuditEntryRow.payload)))
    assert "AZE99000001" not in logged
    assert "Elçin" not in logged
    assert "1980-05-04" not in logged


def test_an_offline_double_vote_becomes_an_incident(desks: Api) -> None:
    voter = voter_of(desks, "001-0001", 13)
    assert check_in(desks, voter, "001-0001", "online-1").status_code == 201
    # a second desk at the same station was offline and checked the same voter in
    batch = post(
        desks,
        "check-ins/batch",
        {
            "check_ins": [
                {"voter": voter, "client_reference": "off-1"},
                {"voter": voter_of(desks, "001-0001", 14), "client_reference": "off-2"},
                {"voter": "AZE00000000", "client_reference": "off-3"},
            ]
        },
    )
    assert batch.status_code == 200, batch.text
    outcomes = batch.json()["outcomes"]
    assert [o["status"] for o in outcomes] == ["double_vote", "recorded", "refused"]
    assert outcomes[0]["station"] == "001-0001"
    resent = post(
        desks, "check-ins/batch", {"check_ins": [{"voter": voter, "client_reference": "off-1"}]}
    )
    assert resent.json()["outcomes"][0]["status"] == "already_recorded"
    with transaction(desks.sessions) as session:
        assert session.scalar(select(func.count()).select_from(DoubleVoteIncidentRow)) == 1
        assert session.scalar(select(func.count()).select_from(CheckInRow)) == 3
        assert audit_discrepancies(session) == []
    assert desks.client.get("/api/v1/pollbook/figures").json()["double_votes_recorded"] == 1


def test_a_batch_with_one_voter_twice_records_an_incident(desks: Api) -> None:
    voter = voter_of(desks, "001-0002")
    batch = post(
        desks,
        "check-ins/batch",
        {"check_ins": [{"voter": voter, "client_reference": f"r{n}"} for n in range(2)]},
        station="001-0002",
    )
    assert [o["status"] for o in batch.json()["outcomes"]] == ["recorded", "double_vote"]


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("look-ups", {}, 422, "voter_required"),
        ("look-ups", {"voter": "AZE 1; drop"}, 422, "voter_required"),
        ("check-ins", {"voter": "AZE1"}, 422, "client_reference_required"),
        ("check-ins", {"voter": "AZE1", "client_reference": "r", "identity_match": "?"}, 422, None),
        ("check-ins/batch", {"check_ins": []}, 422, "invalid_batch"),
        (
            "check-ins/batch",
            {"check_ins": [{"voter": "A", "client_reference": f"r{n}"} for n in range(501)]},
            422,
            "invalid_batch",
        ),
        ("check-ins", [1, 2], 400, "malformed_json"),
    ],
)
def test_malformed_requests_are_4xx(
    desks: Api, path: str, body: Any, status: int, code: str | None
) -> None:
    answer = post(desks, path, body)
    assert answer.status_code == status, answer.text
    if code:
        assert answer.json()["error"]["code"] == code


def test_oversized_wrong_role_and_no_token(desks: Api) -> None:
    voter = voter_of(desks, "001-0001")
    huge = desks.client.post(
        "/api/v1/pollbook/check-ins",
        content=b'{"voter": "' + b"A" * 70_000 + b'"}',
        headers=desks.headers(desks.station_token("001-0001"))
        | {"content-type": "application/json"},
    )
    assert huge.status_code == 413
    for headers, status in (
        ({}, 401),
        (desks.headers("tr-not-a-token"), 401),
        (desks.headers(desks.credentials.observer_token), 403),
        (desks.commission, 403),
        (desks.headers(desks.credentials.constituency_tokens[1]), 403),
    ):
        answer = desks.client.post(
            "/api/v1/pollbook/check-ins",
            json={"voter": voter, "client_reference": "r"},
            headers=headers,
        )
        assert answer.status_code == status, answer.text
    with transaction(desks.sessions) as session:
        assert session.scalar(select(func.count()).select_from(CheckInRow)) == 0


def test_the_turnout_cross_check_sets_check_ins_beside_reports(desks: Api) -> None:
    for n in range(3):
        check_in(
            desks,
            voter_of(desks, "001-0001", 20 + n),
            "001-0001",
            f"t{n}",
            checked_in_at="2024-09-01T09:30:00+04:00",
        )
    reported = desks.client.post(
        "/api/v1/turnout",
        json={"reports": [{"station": "001-0001", "as_of": "10:00", "voters": 5}]},
        headers=desks.headers(desks.station_token("001-0001")),
    )
    assert reported.status_code in (200, 201), reported.text
    hours = desks.client.get("/api/v1/pollbook/turnout-cross-check").json()["hours"]
    ten = next(hour for hour in hours if hour["as_of"] == "10:00")
    assert ten == {
        "as_of": "10:00",
        "check_ins": 3,
        "stations_reporting": 1,
        "reported_voters": 5,
        "check_ins_at_reporting_stations": 3,
        "difference": 2,
    }
    assert desks.client.get("/api/v1/pollbook/stations/999/figures").status_code == 404


def test_check_ins_by_station_for_the_rule_set(desks: Api) -> None:
    from tallyroom.service.register.poll_book_figures import check_ins_by_station

    for n in range(2):
        check_in(desks, voter_of(desks, "001-0002", 30 + n), "001-0002", f"k{n}", portable=n == 1)
    with transaction(desks.sessions) as session:
        assert check_ins_by_station(session, [1, 2]) == {2: 2}
        assert check_ins_by_station(session, []) == {}


def test_concurrent_check_ins_of_one_voter_record_one(desks: Api) -> None:
    from concurrent.futures import ThreadPoolExecutor

    voter = voter_of(desks, "001-0003")
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda n: check_in(desks, voter, "001-0003", f"c{n}").status_code, range(8))
        )
    assert sorted(answers) == [201] + [409] * 7
    with transaction(desks.sessions) as session:
        assert session.scalar(select(func.count()).select_from(CheckInRow)) == 1


def test_a_batch_over_its_size_and_an_observer_look_up_are_refused(desks: Api) -> None:
    over = desks.client.post(
        "/api/v1/pollbook/check-ins/batch",
        content=b'{"check_ins": [' + b'{"voter": "A", "client_reference": "r"},' * 7_000 + b"]}",
        headers=desks.headers(desks.station_token("001-0001"))
        | {"content-type": "application/json"},
    )
    assert over.status_code == 413
    looked = desks.client.post(
        "/api/v1/pollbook/look-ups",
        json={"voter": voter_of(desks, "001-0001")},
        headers=desks.headers(desks.credentials.observer_token),
    )
    assert (looked.status_code, looked.json()["error"]["code"]) == (403, "station_only")


def test_an_offline_home_check_in_of_a_voter_who_voted_away_is_an_incident(desks: Api) -> None:
    voter = voter_of(desks, "001-0001", 15)
    desks.client.post(
        "/api/v1/register/absentee-certificates",
        json={"voter": voter, "number": "AC-9"},
        headers=desks.commission,
    )
    assert check_in(desks, voter, "002-0001", "away", certificate="AC-9").status_code == 201
    batch = post(
        desks, "check-ins/batch", {"check_ins": [{"voter": voter, "client_reference": "home"}]}
    )
    assert batch.json()["outcomes"][0]["status"] == "double_vote"
    assert batch.json()["outcomes"][0]["station"] == "002-0001"


def test_the_public_figures_are_readable_cross_site(desks: Api) -> None:
    answer = desks.client.get("/api/v1/pollbook/figures", headers={"Origin": "https://x.example"})
    assert answer.headers["access-control-allow-origin"] == "*"
    again = desks.client.get(
        "/api/v1/pollbook/figures", headers={"If-None-Match": answer.headers["etag"]}
    )
    assert again.status_code == 304
    command = desks.client.post(
        "/api/v1/pollbook/look-ups",
        json={"voter": "AZE1"},
        headers={"Origin": "https://x.example"} | desks.headers(desks.station_token("001-0001")),
    )
    assert "access-control-allow-origin" not in command.headers
