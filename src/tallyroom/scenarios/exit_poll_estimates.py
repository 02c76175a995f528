"""The scenario's exit polls as the three organisations would submit them: per sampled
station a turnout estimate and the designed winner's share, with sampling error (about 150
interviews a station) and each pollster's house effect, from the polling-day plan."""

from __future__ import annotations

import random
from collections.abc import Iterator

from tallyroom.scenarios.polling_day import PollingDayPlan

#: interviews per sampled station: the standard error of a share p is √(p(1−p)/n)
INTERVIEWS_PER_STATION = 150
#: turnout is counted at the door: a smaller error than the shares'
TURNOUT_ERROR_POINTS = 1.5


def scenario_estimates(
    plan: PollingDayPlan, seed: int = 2024
) -> Iterator[tuple[str, str, float, dict[str, float]]]:
    """(organisation, station, turnout percent, candidate → percent of voters) per estimate."""
    rng = random.Random(seed * 7 + 13)
    for station in plan.stations:
        protocol = station.protocol
        registered = protocol.registered_voters + protocol.voters_added
        if not station.exit_poll or not registered or not protocol.ballots_cast:
            continue
        turnout = 100.0 * protocol.ballots_cast / registered
        for estimate in station.exit_poll:
            # the plan's share is of valid votes; an exit poll asks voters
            share = estimate.share * protocol.valid_votes / protocol.ballots_cast
            error = (share * (1 - share) / INTERVIEWS_PER_STATION) ** 0.5
            noisy = min(1.0, max(0.0, share + rng.gauss(0.0, error)))
            yield (
                estimate.organisation,
                station.station,
                round(min(100.0, max(0.0, turnout + rng.gauss(0.0, TURNOUT_ERROR_POINTS))), 2),
                {estimate.candidate: round(100.0 * noisy, 2)},
            )
