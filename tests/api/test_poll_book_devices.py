"""Poll-book devices: several desks a station, each with its own token from a commission;
a desk's token authorises poll-book calls for its own station only (the privacy boundary
holds for it as for the station's device), and nothing else."""

from __future__ import annotations

from typing import Any

from tallyroom.service.audit import audit_log
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.register.poll_book_figures import check_ins_by_station
from tallyroom.store.database import transaction
from tests.api.test_poll_book import desks, voter_of
from tests.station_client import Api, protocol

__all__ = ["desks"]


def issue(api: Api, station: str = "001-0001", headers: dict[str, str] | None = None) -> Any:
    return api.client.post(
        "/api/v1/pollbook/devices",
        json={"station": station},
        headers=api.commission if headers is None else headers,
    )


def desk(api: Api, station: str = "001-0001") -> dict[str, str]:
    answer = issue(api, station)
    assert answer.status_code == 201, answer.text
    return api.headers(answer.json()["token"])


def code_of(answer: Any) -> str:
    return str(answer.json()["error"]["code"])


def test_a_station_has_several_desks_each_checking_in(desks: Api) -> None:
    first, second = issue(desks).json(), issue(desks).json()
    assert (first["device"], second["device"]) == (
        "station-001-0001/pollbook-1",
        "station-001-0001/pollbook-2",
    )
    assert first["token"] != second["token"]
    voter = voter_of(desks, "001-0001", 20)
    one = desks.client.post(
        "/api/v1/pollbook/check-ins",
        json={"voter": voter, "client_reference": "d1-1"},
        headers=desks.headers(first["token"]),
    )
    assert one.status_code == 201, one.text
    twice = desks.client.post(
        "/api/v1/pollbook/check-ins",
        json={"voter": voter, "client_reference": "d2-1"},
        headers=desks.headers(second["token"]),
    )
    assert (twice.status_code, code_of(twice)) == (409, "already_checked_in")
    figures = desks.client.get("/api/v1/pollbook/stations/001-0001/figures").json()
    assert (figures["check_ins"], figures["second_attempts_refused"]) == (1, 1)
    with transaction(desks.sessions) as session:
        issued = [e for e in audit_log.entries(session) if e.action == "pollbook.device_issued"]
        assert [e.payload["device"] for e in issued] == [first["device"], second["device"]]
        assert first["token"] not in " ".join(str(e.payload) for e in issued)
        assert audit_discrepancies(session) == []


def test_a_desk_sees_full_records_of_its_own_station_only(desks: Api) -> None:
    headers = desk(desks)
    own = desks.client.post(
        "/api/v1/pollbook/look-ups", json={"voter": voter_of(desks, "001-0001")}, headers=headers
    )
    assert own.status_code == 200
    assert own.json()["surname"]
    other = desks.client.post(
        "/api/v1/pollbook/look-ups", json={"voter": voter_of(desks, "002-0001")}, headers=headers
    )
    assert other.status_code == 200
    assert other.json() == {"home_station": "002-0001", "may_vote_here": False}
    away = desks.client.post(
        "/api/v1/pollbook/check-ins",
        json={"voter": voter_of(desks, "002-0001"), "client_reference": "x"},
        headers=headers,
    )
    assert (away.status_code, code_of(away)) == (409, "not_on_this_station")


def test_a_desk_token_authorises_nothing_but_the_poll_book(desks: Api) -> None:
    headers = desk(desks)
    refused = {
        "protocol": desks.client.post(
            "/api/v1/protocols", json=desks.signed(protocol()), headers=headers
        ),
        "turnout": desks.client.post(
            "/api/v1/stations/001-0001/turnout",
            json={"as_of": "10:00", "voters": 10},
            headers=headers,
        ),
        "setup": desks.client.get("/api/v1/stations/001-0001/setup", headers=headers),
        "device": issue(desks, headers=headers),
        "certificate": desks.client.post(
            "/api/v1/register/absentee-certificates",
            json={"voter": voter_of(desks, "001-0001"), "number": "AC-77"},
            headers=headers,
        ),
        "revocation": desks.client.post(
            "/api/v1/tokens/revocation", json={"token": "x" * 40}, headers=headers
        ),
    }
    assert {name: answer.status_code for name, answer in refused.items()} == dict.fromkeys(
        refused, 403
    ), {name: answer.text for name, answer in refused.items()}


def test_issuing_is_a_commissions_act_in_its_scope(desks: Api) -> None:
    station = issue(desks, headers=desks.headers(desks.station_token("001-0001")))
    assert (station.status_code, code_of(station)) == (403, "commission_only")
    elsewhere = issue(
        desks, "002-0001", headers=desks.headers(desks.credentials.constituency_tokens[1])
    )
    assert (elsewhere.status_code, code_of(elsewhere)) == (403, "other_constituency")
    own = issue(desks, "001-0002", headers=desks.headers(desks.credentials.constituency_tokens[1]))
    assert own.status_code == 201, own.text
    assert issue(desks, "999-9999").status_code == 404
    for body in ({}, {"station": ""}, {"station": "001-0001", "extra": 1}, [1], {"station": 7}):
        answer = desks.client.post("/api/v1/pollbook/devices", json=body, headers=desks.commission)
        assert answer.status_code == (400 if body == [1] else 422), (body, answer.text)
    oversized = desks.client.post(
        "/api/v1/pollbook/devices",
        content=b'{"station": "' + b"1" * 2_000_000 + b'"}',
        headers={**desks.commission, "Content-Type": "application/json"},
    )
    assert 400 <= oversized.status_code < 500
    assert issue(desks, headers={}).status_code == 401


def test_a_revoked_desk_is_refused_and_the_others_keep_working(desks: Api) -> None:
    first = issue(desks).json()
    second = desk(desks)
    revoked = desks.client.post(
        "/api/v1/tokens/revocation", json={"token": first["token"]}, headers=desks.commission
    )
    assert revoked.status_code == 201, revoked.text
    body = {"voter": voter_of(desks, "001-0001", 21), "client_reference": "after"}
    lost = desks.client.post(
        "/api/v1/pollbook/check-ins", json=body, headers=desks.headers(first["token"])
    )
    assert lost.status_code == 401
    kept = desks.client.post("/api/v1/pollbook/check-ins", json=body, headers=second)
    assert kept.status_code == 201
    station = desks.client.post(
        "/api/v1/pollbook/check-ins",
        json={"voter": voter_of(desks, "001-0001", 22), "client_reference": "station"},
        headers=desks.headers(desks.station_token("001-0001")),
    )
    assert station.status_code == 201


def test_a_station_with_a_desk_uses_a_poll_book_before_its_first_check_in(desks: Api) -> None:
    desk(desks, "001-0003")
    with transaction(desks.sessions) as session:
        assert check_ins_by_station(session, [1, 3]) == {3: 0}
