"""The poll books' batches in the simulated day: every register station checks in, by the
close, exactly the voters its protocol issued ballots to (the portable box's last), about as
many as it reported by each hour, in batches of at most 500, from one or two desks a station
(voters taking turns), and one planted double vote at a two-desk station's second desk."""

from __future__ import annotations

from collections import Counter
from datetime import time

import pytest

from tallyroom.scenarios.az_2024 import build_definition
from tallyroom.scenarios.polling_day import PollingDayPlan, build_polling_day_plan
from tallyroom.service.register.poll_book import MAXIMUM_BATCH
from tallyroom.simulator.check_in_timeline import (
    DOUBLE_VOTE_SUFFIX,
    check_in_timeline,
    desks_by_station,
)
from tallyroom.simulator.timeline import (
    CheckInBatch,
    ProtocolSubmission,
    Until,
    polling_day_timeline,
)

ELECTION = "az-2024-milli-majlis"


@pytest.fixture(scope="module")
def plan() -> PollingDayPlan:
    return build_polling_day_plan(build_definition(2024), 2024)


def register_of(plan: PollingDayPlan, stations: int) -> dict[str, list[str]]:
    return {
        station.station: [f"V{index:03d}{n:05d}" for n in range(station.protocol.registered_voters)]
        for index, station in enumerate(plan.stations[:stations])
    }


def test_each_station_checks_in_its_ballots_issued_by_the_close(plan: PollingDayPlan) -> None:
    register = register_of(plan, 12)
    batches = check_in_timeline(plan, register, opens=time(8), closes=time(19))
    assert [b.minute for b in batches] == sorted(b.minute for b in batches)
    assert all(8 * 60 < b.minute <= 19 * 60 for b in batches)
    assert all(0 < len(b.check_ins) <= MAXIMUM_BATCH for b in batches)
    planned = {s.station: s for s in plan.stations}
    checked: Counter[str] = Counter()
    portable: Counter[str] = Counter()
    doubles = []
    first_desk: dict[str, int] = {}
    desks = desks_by_station(batches)
    assert set(desks) == set(register)
    assert set(desks.values()) == {1, 2}
    for batch in batches:
        assert 1 <= batch.desk <= desks[batch.station]
        for check_in in batch.check_ins:
            if check_in.client_reference.endswith(DOUBLE_VOTE_SUFFIX):
                doubles.append((batch.station, batch.desk))
                continue
            first_desk.setdefault(check_in.voter, batch.desk)
            checked[batch.station] += 1
            portable[batch.station] += check_in.portable
    assert set(checked) == set(register)
    for code, count in checked.items():
        protocol = planned[code].protocol
        assert count == protocol.ballots_issued
        assert portable[code] == protocol.ballots_issued_portable
    # the second check-in comes from the other desk than the voter's first
    assert len(doubles) == 1
    [(double_station, double_desk)] = doubles
    assert desks[double_station] == double_desk == 2
    assert first_desk[register[double_station][0]] == 1
    # at a two-desk station, both desks check voters in, about half each
    two_desks = next(code for code, count in desks.items() if count == 2)
    by_desk = Counter(
        batch.desk for batch in batches if batch.station == two_desks for _ in batch.check_ins
    )
    assert abs(by_desk[1] - by_desk[2]) <= 2
    # by each reporting hour about as many checked in as the station reported
    station = plan.stations[0]
    for moment, reported in zip(plan.report_times, station.turnout, strict=False):
        minute = moment.hour * 60 + moment.minute
        by_then = sum(
            len(b.check_ins) for b in batches if b.station == station.station and b.minute <= minute
        )
        assert abs(by_then - reported) <= max(60, reported // 4), (moment, by_then, reported)


def test_no_register_no_batches_and_the_timeline_orders_check_ins_first(
    plan: PollingDayPlan,
) -> None:
    assert check_in_timeline(plan, {}, opens=time(8), closes=time(19)) == []
    batches = check_in_timeline(plan, register_of(plan, 2), opens=time(8), closes=time(19))
    events = polling_day_timeline(
        plan, election=ELECTION, closes=time(19), until=Until.END, seed=1, check_ins=batches
    )
    assert sum(isinstance(e, CheckInBatch) for e in events) == len(batches)
    first_protocol = {}
    for position, event in enumerate(events):
        if isinstance(event, ProtocolSubmission):
            first_protocol.setdefault(event.station, position)
    last_batch = {
        e.station: position for position, e in enumerate(events) if isinstance(e, CheckInBatch)
    }
    assert all(last_batch[code] < first_protocol[code] for code in last_batch)
