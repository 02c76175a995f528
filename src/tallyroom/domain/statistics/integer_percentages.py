"""Excess of integer percentages in turnout and leader share (Kobak, Shpilkin & Pshenichnikov,
Annals of Applied Statistics 2016), with a binomial Monte-Carlo null."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from tallyroom.domain.statistics.station_results import (
    BoolArray,
    IntArray,
    StationResults,
)

#: below this many voters every fraction is close to some integer percentage
MINIMUM_VOTERS = 100
#: never fewer replicates than this: the Monte-Carlo error of the expected count, sd / √R,
#: stays within a third of the null sd (and is folded into the p-value)
MINIMUM_REPLICATES = 10
MAXIMUM_REPLICATES = 200
#: above the minimum, add replicates while within some 4 million binomial draws
DRAW_BUDGET = 4_000_000


@dataclass(frozen=True)
class IntegerPercentResult:
    #: stations whose turnout, plus stations whose leader share, is an integer percentage
    observed: int
    #: mean of the same count over the Monte-Carlo null
    expected: float
    #: observed − expected
    excess_stations: float
    #: standard deviation of the count under the null
    sd: float
    #: one-sided p-value of the excess (normal approximation to the Monte-Carlo null)
    p_value: float
    #: share of Monte-Carlo replicates with a count at least as high as observed (+1 smoothed)
    p_value_monte_carlo: float
    replicates: int
    #: stations where both turnout and leader share are integer percentages
    stations: IntArray
    #: Monte-Carlo standard error of `expected` (sd / √replicates)
    expected_standard_error: float = 0.0


def integer_percent_excess(
    results: StationResults, replicates: int | None = None, seed: int = 0
) -> IntegerPercentResult:
    """An integer percentage is a value that shows as `NN.0 %` at one decimal.

    Values of exactly 0 % or 100 % are left out (they are their own phenomenon), as are
    stations with fewer than 100 voters in the denominator. The null draws, at each
    station, ballots ~ Binomial(registered, observed turnout) and leader votes ~
    Binomial(ballots, observed leader share): same sizes, same rates, no human preference
    for round numbers.

    Under that null the count is a sum of independent per-station indicators, so its
    variance is Σ p(1 − p) over the stations' hit probabilities. Estimating each p from
    the replicates and pooling gives a far steadier sd than the spread of a few replicate
    totals, which is what lets 10 replicates suffice on a million stations.
    """
    turnout_usable = _usable(results.ballots_cast, results.registered_voters)
    share_usable = _usable(results.leader_votes, results.ballots_cast)
    turnout_integer = _is_integer_percent(results.ballots_cast, results.registered_voters)
    share_integer = _is_integer_percent(results.leader_votes, results.ballots_cast)
    observed = int(np.count_nonzero(turnout_integer & turnout_usable)) + int(
        np.count_nonzero(share_integer & share_usable)
    )
    turnout_stations = np.flatnonzero(turnout_usable)
    share_stations = np.flatnonzero(share_usable)
    draws = max(1, len(turnout_stations) + len(share_stations))
    if replicates is None:
        replicates = int(np.clip(DRAW_BUDGET // draws, MINIMUM_REPLICATES, MAXIMUM_REPLICATES))
    rng = np.random.default_rng(seed)
    registered = results.registered_voters[turnout_stations]
    turnout_rate = results.ballots_cast[turnout_stations] / registered
    ballots = results.ballots_cast[share_stations]
    share_rate = results.leader_votes[share_stations] / ballots
    turnout_null = _NullDenominator(registered)
    share_null = _NullDenominator(ballots)
    turnout_hits = np.zeros(len(turnout_stations), dtype=np.int64)
    share_hits = np.zeros(len(share_stations), dtype=np.int64)
    counts = np.empty(replicates, dtype=np.int64)
    for replicate in range(replicates):
        turnout_hit = turnout_null.integer_hits(rng.binomial(registered, turnout_rate))
        share_hit = share_null.integer_hits(rng.binomial(ballots, share_rate))
        turnout_hits += turnout_hit
        share_hits += share_hit
        counts[replicate] = np.count_nonzero(turnout_hit) + np.count_nonzero(share_hit)
    expected = float(counts.mean())
    sd = _pooled_sd(np.concatenate([turnout_hits, share_hits]), replicates)
    expected_error = sd / np.sqrt(replicates)
    excess = observed - expected
    # the expectation is itself estimated: its Monte-Carlo error widens the null
    spread = float(np.hypot(sd, expected_error))
    p_value = float(stats.norm.sf(excess / spread)) if spread > 0 else (0.0 if excess > 0 else 1.0)
    p_monte_carlo = (1 + int(np.count_nonzero(counts >= observed))) / (replicates + 1)
    both = turnout_integer & turnout_usable & share_integer & share_usable
    return IntegerPercentResult(
        observed=observed,
        expected=expected,
        excess_stations=excess,
        sd=sd,
        p_value=p_value,
        p_value_monte_carlo=p_monte_carlo,
        replicates=replicates,
        stations=np.flatnonzero(both).astype(np.int64),
        expected_standard_error=float(expected_error),
    )


def _pooled_sd(hits: IntArray, replicates: int) -> float:
    """√Σ p̂(1 − p̂)·R/(R − 1): the null sd of the count from per-station hit rates
    (the R/(R − 1) makes each term unbiased)."""
    if replicates < 2:
        return 0.0
    rate = hits / replicates
    variance = float(np.sum(rate * (1 - rate))) * replicates / (replicates - 1)
    return float(np.sqrt(variance))


class _NullDenominator:
    """A denominator reused by every replicate, with what the integer test needs of it."""

    def __init__(self, denominator: IntArray) -> None:
        self.denominator = denominator
        self.as_float = denominator.astype(np.float64)
        self.twice = 2.0 * self.as_float

    def integer_hits(self, numerator: IntArray) -> BoolArray:
        """Usable and an integer percentage, as `_usable` & `_is_integer_percent`.

        In floating point, which is several times faster than int64 division and exact
        here: 2000·k + n and 2·n are integers well below 2⁵³, a correctly rounded quotient
        of them lands on an integer only if the true one is that integer, and otherwise
        stays at least 1/(2n) away from the next one — far more than the rounding error.
        """
        tenths = np.floor((2000.0 * numerator + self.as_float) / self.twice)
        hits: BoolArray = (
            (numerator > 0) & (numerator < self.denominator) & (np.fmod(tenths, 10.0) == 0.0)
        )
        return hits


def _usable(numerator: IntArray, denominator: IntArray) -> BoolArray:
    usable: BoolArray = (
        (denominator >= MINIMUM_VOTERS) & (numerator > 0) & (numerator < denominator)
    )
    return usable


def _is_integer_percent(numerator: IntArray, denominator: IntArray) -> BoolArray:
    """Exact integer arithmetic: round(1000·k/n) is a multiple of 10 (half rounds up)."""
    safe = np.maximum(denominator, 1)
    tenths = (2000 * numerator + safe) // (2 * safe)
    integer: BoolArray = (tenths % 10 == 0) & (denominator > 0)
    return integer
