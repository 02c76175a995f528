from __future__ import annotations

from collections import Counter
from datetime import time

import pytest

from tallyroom.scenarios.az_2024 import build_definition
from tallyroom.scenarios.polling_day import PollingDayPlan, build_polling_day_plan
from tallyroom.simulator.timeline import (
    Annulment,
    ProtocolSubmission,
    TurnoutBatch,
    Until,
    clock_label,
    polling_day_timeline,
)

ELECTION = "az-2024-milli-majlis"


@pytest.fixture(scope="module")
def plan() -> PollingDayPlan:
    return build_polling_day_plan(build_definition(2024), 2024)


def test_announcement_timeline_has_the_published_figures(plan: PollingDayPlan) -> None:
    events = polling_day_timeline(
        plan, election=ELECTION, closes=time(19), until=Until.ANNOUNCEMENT, seed=2024
    )
    assert [e.minute for e in events] == sorted(e.minute for e in events)
    at_close = [
        report
        for e in events
        if isinstance(e, TurnoutBatch) and e.as_of == "19:00"
        for report in e.reports
    ]
    assert len(at_close) == 6_478
    assert sum(voters for _, voters in at_close) == 2_196_771
    final = {e.station for e in events if isinstance(e, ProtocolSubmission) and not e.erroneous}
    assert len(final) == 5_895
    assert not [e for e in events if isinstance(e, Annulment)]
    assert events[-1].minute <= 19 * 60 + 420


def test_mistakes_come_first_and_are_amended_with_the_reason(plan: PollingDayPlan) -> None:
    events = polling_day_timeline(plan, election=ELECTION, closes=time(19), until=Until.END, seed=1)
    protocols = [e for e in events if isinstance(e, ProtocolSubmission)]
    wrong = [e for e in protocols if e.erroneous]
    assert len(wrong) == 8
    for first in wrong:
        amendment = next(e for e in protocols if e.station == first.station and not e.erroneous)
        assert protocols.index(first) < protocols.index(amendment)
        assert first.document["version"] == 1
        assert amendment.document["version"] == 2
        assert amendment.document["amendment_reason"]
    versions = Counter(e.station for e in protocols)
    assert len(versions) == 6_478
    assert sum(versions.values()) == 6_478 + 8
    (annulment,) = [e for e in events if isinstance(e, Annulment)]
    assert annulment.station == plan.annulled_station
    submitted = next(e for e in protocols if e.station == annulment.station)
    assert events.index(submitted) < events.index(annulment)
    assert annulment.minute > 19 * 60 + 420


def test_turnout_of_a_station_comes_in_hour_order(plan: PollingDayPlan) -> None:
    events = polling_day_timeline(plan, election=ELECTION, closes=time(19), until=Until.END, seed=3)
    seen: dict[str, list[str]] = {}
    for event in events:
        if isinstance(event, TurnoutBatch):
            for station, _ in event.reports:
                seen.setdefault(station, []).append(event.as_of)
    assert len(seen) == 6_478
    assert all(hours == ["10:00", "12:00", "15:00", "19:00"] for hours in seen.values())


def test_each_constituency_commission_relays_its_own_stations(plan: PollingDayPlan) -> None:
    events = polling_day_timeline(plan, election=ELECTION, closes=time(19), until=Until.END, seed=3)
    constituency_of = {station.station: station.constituency for station in plan.stations}
    batches = [e for e in events if isinstance(e, TurnoutBatch)]
    assert len(batches) == 125 * 4
    for batch in batches:
        assert {constituency_of[code] for code, _ in batch.reports} == {batch.constituency}


def test_clock_label_rolls_over_midnight() -> None:
    assert clock_label(8 * 60) == "08:00"
    assert clock_label(24 * 60 + 125) == "02:05 +1"
