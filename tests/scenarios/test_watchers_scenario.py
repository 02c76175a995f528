"""The scenario's watchers: exit-poll estimates with realistic sampling error for every
sampled station, cameras with a few outages, observers' copies with a handful of mismatches
and complaints ending in every state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from statistics import mean

from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.webcam_uptime import outages_between
from tallyroom.scenarios.exit_poll_estimates import scenario_estimates
from tallyroom.scenarios.observer_activity import planned_complaints, planned_copies
from tallyroom.scenarios.polling_day import PollingDayPlan
from tallyroom.scenarios.webcam_uptime import heartbeat_rounds


def test_exit_poll_estimates_cover_the_samples_with_sampling_error(
    az_2024_definition: ElectionDefinition, az_2024_plan: PollingDayPlan
) -> None:
    estimates = list(scenario_estimates(az_2024_plan))
    assert len(estimates) == len(az_2024_definition.exit_poll_samples)
    assert {organisation for organisation, *_ in estimates} == {
        s.organisation for s in az_2024_definition.exit_poll_samples
    }
    plans = {p.station: p for p in az_2024_plan.stations}
    errors = []
    for _, station, turnout, shares in estimates:
        protocol = plans[station].protocol
        ((candidate, share),) = shares.items()
        errors.append(abs(share - 100 * protocol.votes[candidate] / protocol.ballots_cast))
        assert 0 <= turnout <= 100
    # house effects of up to 2 points, 3 points of design noise and ~4 points of sampling
    assert 2.0 < mean(errors) < 8.0


def test_a_few_cameras_fail() -> None:
    stations = [f"S{n:04d}" for n in range(1000)]
    opens = datetime(2024, 9, 1, 4, tzinfo=UTC)
    closes = opens + timedelta(hours=11)
    beats: dict[str, list[datetime]] = {s: [] for s in stations}
    for moment, up in heartbeat_rounds(stations, opens, closes):
        for station in up:
            beats[station].append(moment)
    failing = [s for s in stations if outages_between(beats[s], opens, closes + timedelta(hours=3))]
    assert 10 < len(failing) < 100


def test_copies_and_complaints(az_2024_plan: PollingDayPlan) -> None:
    assignments = [(f"O{n:06d}", s.station) for n, s in enumerate(az_2024_plan.stations[:500])]
    copies = planned_copies(az_2024_plan, assignments)
    assert len(copies) == 100
    assert sum(c.differs for c in copies) == 6
    complaints = planned_complaints([c.station for c in copies])
    assert sorted({c.ends for c in complaints}) == [
        "dismissed",
        "received",
        "under_review",
        "upheld",
    ]
