"""Turnout and leader-share distributions per station, with spikes at 100 % and round numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tallyroom.domain.statistics.station_results import FloatArray, IntArray, StationResults

#: 0.1-point bins: fine enough to show spikes at single integer percentages
BIN_EDGES = np.linspace(0.0, 1.0, 1001)
#: below this many voters a station hits round percentages by arithmetic alone
MINIMUM_VOTERS = 100


@dataclass(frozen=True)
class DistributionResult:
    #: counts of stations per 0.1-point bin of turnout (1000 bins from 0 to 100 %)
    turnout_histogram: IntArray
    leader_share_histogram: IntArray
    #: stations (≥ 100 registered) reporting exactly 100 % turnout
    full_turnout_stations: IntArray
    #: stations reporting more ballots than registered voters
    over_registered_stations: IntArray
    #: observed / expected count of stations at multiples of 5 %, from neighbouring bins
    round_turnout_ratio: float
    round_leader_share_ratio: float
    #: Poisson p-value of the round-number excess (turnout and leader share pooled)
    round_percentage_p_value: float


def vote_distribution(results: StationResults) -> DistributionResult:
    turnout_usable = results.turnout_known & (results.registered_voters >= MINIMUM_VOTERS)
    share_usable = results.ballots_cast >= MINIMUM_VOTERS
    turnout = results.turnout[turnout_usable]
    share = results.leader_share[share_usable]
    turnout_histogram = np.histogram(np.clip(turnout, 0, 1), BIN_EDGES)[0].astype(np.int64)
    share_histogram = np.histogram(share, BIN_EDGES)[0].astype(np.int64)
    full = np.flatnonzero(turnout_usable & (results.ballots_cast == results.registered_voters))
    over = np.flatnonzero(
        results.turnout_known & (results.ballots_cast > results.registered_voters)
    )
    turnout_observed, turnout_expected = _round_excess(turnout)
    share_observed, share_expected = _round_excess(share)
    return DistributionResult(
        turnout_histogram=turnout_histogram,
        leader_share_histogram=share_histogram,
        full_turnout_stations=full.astype(np.int64),
        over_registered_stations=over.astype(np.int64),
        round_turnout_ratio=_ratio(turnout_observed, turnout_expected),
        round_leader_share_ratio=_ratio(share_observed, share_expected),
        round_percentage_p_value=_poisson_upper_tail(
            turnout_observed + share_observed, turnout_expected + share_expected
        ),
    )


def _round_excess(values: FloatArray) -> tuple[int, float]:
    """Stations within ±0.25 points of 5 %, 10 %, … 95 %, and the count the 1-point
    neighbourhood on either side predicts for a window that wide."""
    # the targets are 5 points apart, so only the nearest one can be within 1.25 points:
    # one pass over the values instead of one per target
    targets = np.arange(0.05, 0.951, 0.05)
    nearest = np.clip(np.rint(values * 20).astype(np.int64) - 1, 0, len(targets) - 1)
    distance = np.abs(values - targets[nearest])
    observed = int(np.count_nonzero(distance < 0.0025))
    neighbours = int(np.count_nonzero((distance >= 0.0025) & (distance < 0.0125)))
    # the neighbourhood is 4 times as wide as the window
    return observed, neighbours / 4.0


def _ratio(observed: int, expected: float) -> float:
    return observed / expected if expected > 0 else 1.0


def _poisson_upper_tail(observed: int, expected: float) -> float:
    from scipy import stats

    if expected <= 0:
        return 1.0
    return float(stats.poisson.sf(observed - 1, expected))
