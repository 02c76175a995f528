"""Excess of integer percentages in turnout and leader share, as Kobak, Shpilkin &
Pshenichnikov define it (Annals of Applied Statistics 10(1), 2016), binomial Monte-Carlo null."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from tallyroom.domain.statistics.station_results import (
    BoolArray,
    IntArray,
    StationResults,
)

#: the paper's inclusion rule: at least 100 registered voters ...
MINIMUM_REGISTERED = 100
#: ... and neither turnout nor leader share above 99 %
MAXIMUM_RATE = 0.99
#: never fewer replicates than this: the Monte-Carlo error of the expected count, sd / √R,
#: stays within a third of the null sd
MINIMUM_REPLICATES = 10
MAXIMUM_REPLICATES = 200
#: above the minimum, add replicates while within some 8 million binomial draws (Russia: 46,
#: a Monte-Carlo error of the expected count of 0.15 sd)
DRAW_BUDGET = 8_000_000
NO_REGISTER = "no registered voters in the data: turnout, and so the test, is undefined"
NO_STATIONS = (
    "no station with 100 registered voters or more, ballots cast and rates up to 99 per cent"
)


@dataclass(frozen=True)
class IntegerCount:
    """Stations whose figure(s) fall in the 0.1-point bin centred on an integer percentage."""

    observed: int
    #: mean of the same count over the Monte-Carlo replicates
    expected: float
    #: observed − expected
    excess: float
    #: standard deviation of the count under the null
    sd: float
    #: excess / sd
    z: float
    #: one-sided, normal approximation with the Monte-Carlo error of `expected` added
    p_value: float
    #: Monte-Carlo standard error of `expected` (sd / √replicates)
    expected_standard_error: float


@dataclass(frozen=True)
class IntegerPercentResult:
    #: turnout or leader share an integer percentage (the paper's headline figure)
    either: IntegerCount | None
    #: leader share an integer percentage (whatever the turnout)
    leader: IntegerCount | None
    #: turnout an integer percentage (whatever the leader share)
    turnout: IntegerCount | None
    stations_analysed: int
    replicates: int
    #: stations where both turnout and leader share are integer percentages
    stations: IntArray
    #: why the test could not run on these data; None when it ran
    unavailable: str | None = None


def integer_percent_excess(
    results: StationResults, replicates: int | None = None, seed: int = 0
) -> IntegerPercentResult:
    """Turnout = ballots issued / registered, leader share = leader's votes / ballots cast
    (valid + invalid), at stations with ≥ 100 registered, ballots cast > 0 and both rates
    ≤ 99 %. A value is integer when it lies within 0.05 points of an integer percentage
    (0.1-point bins centred on integers, both edges included, as the authors' code).

    The null redraws, at each station, issued ~ Binomial(registered, observed turnout)
    and leader ~ Binomial(ballots cast, observed leader share), and counts integer values
    as for the data (0 % and 100 % included, no re-selection), as the authors' code does.
    Under that null each count is a sum of independent per-station indicators, so its
    variance is Σ p(1 − p) over the stations' hit rates estimated from the replicates:
    far steadier than the spread of a few replicate totals.
    """
    registered = results.registered_voters
    if not results.turnout_known.any():
        return _unavailable(NO_REGISTER)
    issued = results.voters_issued_ballots
    cast = results.ballots_cast
    leader = results.leader_votes
    included = (registered >= MINIMUM_REGISTERED) & (cast > 0)
    safe_registered = np.maximum(registered, 1)
    safe_cast = np.maximum(cast, 1)
    included &= (100 * issued <= 99 * safe_registered) & (100 * leader <= 99 * safe_cast)
    chosen = np.flatnonzero(included)
    if len(chosen) == 0:
        return _unavailable(NO_STATIONS)
    registered, issued = registered[chosen], issued[chosen]
    cast, leader = cast[chosen], leader[chosen]
    turnout_hit = is_integer_percent(issued, registered)
    leader_hit = is_integer_percent(leader, cast)
    if replicates is None:
        replicates = int(
            np.clip(DRAW_BUDGET // (2 * len(chosen)), MINIMUM_REPLICATES, MAXIMUM_REPLICATES)
        )
    rng = np.random.default_rng(seed)
    turnout_rate = issued / registered
    leader_rate = leader / cast
    hits = np.zeros((3, len(chosen)), dtype=np.int64)
    totals = np.empty((3, replicates), dtype=np.int64)
    for replicate in range(replicates):
        turnout_null = is_integer_percent(rng.binomial(registered, turnout_rate), registered)
        leader_null = is_integer_percent(rng.binomial(cast, leader_rate), cast)
        for row, hit in enumerate((turnout_null | leader_null, leader_null, turnout_null)):
            hits[row] += hit
            totals[row, replicate] = np.count_nonzero(hit)
    counts = [
        _count(observed, totals[row], hits[row], replicates)
        for row, observed in enumerate(
            (turnout_hit | leader_hit, leader_hit, turnout_hit),
        )
    ]
    return IntegerPercentResult(
        either=counts[0],
        leader=counts[1],
        turnout=counts[2],
        stations_analysed=len(chosen),
        replicates=replicates,
        stations=chosen[turnout_hit & leader_hit].astype(np.int64),
    )


def is_integer_percent(numerator: IntArray, denominator: IntArray) -> BoolArray:
    """|100·k/n − m| ≤ 0.05 for some integer m, in exact integer arithmetic:
    2000·k lies within n of a multiple of 20·n."""
    remainder = (2000 * numerator) % (20 * denominator)
    integer: BoolArray = (remainder <= denominator) | (remainder >= 19 * denominator)
    return integer


def _count(observed: BoolArray, totals: IntArray, hits: IntArray, replicates: int) -> IntegerCount:
    observed_count = int(np.count_nonzero(observed))
    expected = float(totals.mean())
    sd = _pooled_sd(hits, replicates)
    expected_error = sd / np.sqrt(replicates)
    excess = observed_count - expected
    # the expectation is itself estimated: its Monte-Carlo error widens the null
    spread = float(np.hypot(sd, expected_error))
    if spread > 0:
        z = excess / sd if sd > 0 else 0.0
        p_value = float(stats.norm.sf(excess / spread))
    else:
        z, p_value = 0.0, (0.0 if excess > 0 else 1.0)
    return IntegerCount(
        observed=observed_count,
        expected=expected,
        excess=excess,
        sd=sd,
        z=float(z),
        p_value=p_value,
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


def _unavailable(reason: str) -> IntegerPercentResult:
    return IntegerPercentResult(
        either=None,
        leader=None,
        turnout=None,
        stations_analysed=0,
        replicates=0,
        stations=np.zeros(0, dtype=np.int64),
        unavailable=reason,
    )
