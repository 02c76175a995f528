"""Round 2's hourly turnout, judged by the election clock of round 2's own polling day:
a station reports naming the round-2 contest (signed over it), the figures are published
with round 2 and never mixed into round 1's; frozen once round 2 is certified. Hostile:
round 1's day, an hour not yet come, no polling date, another constituency's station, a
foreign token, a round-1 signature replayed for round 2, a relayed batch naming round 2."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tallyroom.domain.election_clock import ElectionClock
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.protocols.turnout import turnout_document
from tallyroom.store.database import transaction
from tests.api.test_round_two_certification import CERTIFY, ROUND_TWO_VOTES
from tests.api.test_round_two_protocols import ROUND_TWO, _round_two
from tests.commission_console import give_commission_key
from tests.runoff_election import poll_and_certify, two_round_copy
from tests.station_client import Api

ROUND_TWO_DAY = "2024-09-15"


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


def _define(api: Api, polling_date: str | None = ROUND_TWO_DAY) -> None:
    body = {} if polling_date is None else {"polling_date": polling_date}
    answer = api.client.post(
        "/api/v1/contests/constituency-1/runoff", json=body, headers=api.commission
    )
    assert answer.status_code == 201, answer.text


def _signed(api: Api, station: str, as_of: str, voters: int, contest: str | None) -> str:
    key = load_private_key(api.credentials.stations[station][2])
    return sign_document(turnout_document("small-2024", station, as_of, voters, contest), key)


def _report(
    api: Api, station: str, as_of: str, voters: int, *, token: str | None = None, **extra: Any
) -> Any:
    body = {"as_of": as_of, "voters": voters, "contest": ROUND_TWO} | extra
    if "signature" not in extra:
        body["signature"] = _signed(api, station, as_of, voters, body.get("contest"))
    return api.client.post(
        f"/api/v1/stations/{station}/turnout",
        json=body,
        headers=api.headers(token or api.station_token(station)),
    )


def _error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def _clock_at(api: Api, moment: datetime) -> None:
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    runtime.clock = ElectionClock.real(wall_clock=lambda: moment)


def _runoff(api: Api) -> dict[str, Any]:
    (runoff,) = api.client.get("/api/v1/runoffs").json()["runoffs"]
    assert isinstance(runoff, dict)
    return runoff


def test_round_two_turnout_on_its_own_polling_day(api: Api) -> None:
    give_commission_key(api)
    poll_and_certify(api, 1)
    round_one = api.client.get("/api/v1/turnout").json()
    _define(api)
    # 11:30 in Baku (UTC+4) on round 2's day: the 10:00 report has come, 12:00 not yet.
    _clock_at(api, datetime(2024, 9, 15, 7, 30, tzinfo=UTC))
    reports = (("001-0001", "10:00", 210), ("001-0002", "10:00", 90), ("001-0001", "12:00", 5))
    first, second, early = (_report(api, *report) for report in reports)
    assert (first.status_code, first.json()["status"]) == (201, "accepted"), first.text
    assert second.status_code == 201, second.text
    assert _error(early) == (422, "before_its_hour")
    repeat = _report(api, "001-0001", "10:00", 210)
    assert (repeat.status_code, repeat.json()["already_stored"]) == (200, True)
    assert _error(_report(api, "001-0001", "10:00", 211)) == (409, "already_reported")
    _clock_at(api, datetime(2024, 9, 15, 14, 0, tzinfo=UTC))
    lower = _report(api, "001-0001", "15:00", 200)
    assert lower.json()["status"] == "flagged", lower.text
    assert [r["code"] for r in lower.json()["reasons"]] == ["lower_than_previous"]
    # Published with round 2: accepted reports summed by hour (210 + 90 at 10:00).
    assert _runoff(api)["turnout"] == [{"as_of": "10:00", "voters": 300, "stations_reporting": 2}]
    # Round 1's turnout is untouched by round 2's.
    assert api.client.get("/api/v1/turnout").json() == round_one
    # Certified, round 2's turnout is frozen too.
    for station, votes, registered in ROUND_TWO_VOTES:
        assert api.submit(_round_two(station, votes, registered)).status_code == 201
    assert api.client.post(CERTIFY, headers=api.commission).status_code == 201
    assert _error(_report(api, "001-0003", "15:00", 40)) == (409, "contest_certified")
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_hostile_round_two_turnout(api: Api) -> None:
    poll_and_certify(api, 1)
    assert _error(_report(api, "001-0001", "10:00", 50)) == (404, "no_runoff")
    _define(api, polling_date=None)
    assert _error(_report(api, "001-0001", "10:00", 50)) == (409, "no_polling_date")


def test_hostile_round_two_turnout_with_a_polling_date(api: Api) -> None:
    poll_and_certify(api, 1)
    _define(api)
    # Round 1's polling day is not round 2's.
    _clock_at(api, datetime(2024, 9, 1, 12, 0, tzinfo=UTC))
    assert _error(_report(api, "001-0001", "10:00", 50)) == (422, "outside_polling_day")
    _clock_at(api, datetime(2024, 9, 15, 12, 0, tzinfo=UTC))
    assert _error(_report(api, "002-0001", "10:00", 50)) == (422, "wrong_contest")
    assert _error(_report(api, "001-0001", "10:00", 50, contest="constituency-1")) == (
        422,
        "wrong_contest",
    )
    for contest in ("x" * 5000, ["constituency-1/round-2"], 7):
        assert _error(_report(api, "001-0001", "10:00", 50, contest=contest)) == (
            422,
            "wrong_contest",
        )
    other = _report(api, "001-0001", "10:00", 50, token=api.station_token("001-0002"))
    assert _error(other) == (403, "out_of_scope")
    observer = _report(api, "001-0001", "10:00", 50, token=api.credentials.observer_token)
    assert observer.status_code == 403, observer.text
    # Round 1's signature over the same figure does not pass for round 2.
    replayed = _signed(api, "001-0001", "10:00", 50, None)
    assert _error(_report(api, "001-0001", "10:00", 50, signature=replayed)) == (
        422,
        "signature_invalid",
    )
    assert _error(_report(api, "001-0001", "10:00", "fifty")) == (422, "not_a_whole_number")
    relayed = api.client.post(
        "/api/v1/turnout",
        json={
            "reports": [
                {"station": "001-0001", "as_of": "10:00", "voters": 50, "contest": ROUND_TWO}
            ]
        },
        headers=api.commission,
    )
    assert _error(relayed) == (422, "contest_not_relayed")
    assert _runoff(api)["turnout"] == []


def test_the_station_setup_offers_the_round_in_progress(api: Api) -> None:
    poll_and_certify(api, 1)
    station = api.headers(api.station_token("001-0001"))
    setup = api.client.get("/api/v1/stations/001-0001/setup", headers=station).json()
    assert [r["round"] for r in setup["rounds"]] == [1]
    assert setup["round_in_progress"] == 1
    answer = api.client.post(
        "/api/v1/contests/constituency-1/runoff",
        json={"withdrawals": ["C002"], "reason": "declared", "polling_date": ROUND_TWO_DAY},
        headers=api.commission,
    )
    assert answer.status_code == 201, answer.text
    # C002 withdrew and C003 did not qualify: round 2's ballot holds C001 alone.
    _clock_at(api, datetime(2024, 9, 15, 12, 0, tzinfo=UTC))
    assert _report(api, "001-0001", "10:00", 90).status_code == 201
    setup = api.client.get("/api/v1/stations/001-0001/setup", headers=station).json()
    assert setup["round_in_progress"] == 2
    first, second = setup["rounds"]
    assert first["contest"] == "constituency-1"
    assert [c["code"] for c in first["candidates"]] == ["C001", "C002", "C003"]
    assert second["contest"] == ROUND_TWO
    assert second["polling_date"] == ROUND_TWO_DAY
    assert [(c["code"], c["ballot_position"]) for c in second["candidates"]] == [("C001", 1)]
    assert second["turnout_hours"] == first["turnout_hours"]
    assert second["turnout_reported"] == {"10:00": 90}
    assert second["latest"] is None
    assert first["latest"]["version"] == 1
    # A station of another constituency has round 1 only; a foreign token sees nothing.
    other = api.client.get(
        "/api/v1/stations/002-0001/setup", headers=api.headers(api.station_token("002-0001"))
    ).json()
    assert [r["round"] for r in other["rounds"]] == [1]
    foreign = api.client.get(
        "/api/v1/stations/001-0001/setup", headers=api.headers(api.station_token("002-0001"))
    )
    assert foreign.status_code == 403
