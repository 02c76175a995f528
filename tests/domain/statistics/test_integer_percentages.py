"""Integer-percentage excess (Kobak, Shpilkin & Pshenichnikov 2016) on synthetic elections."""

from __future__ import annotations

import numpy as np
import pytest

from tallyroom.domain.statistics.integer_percentages import (
    _is_integer_percent,
    _NullDenominator,
    _usable,
    integer_percent_excess,
)
from tallyroom.domain.statistics.station_results import StationResults
from tallyroom.domain.statistics.synthetic_election import clean_synthetic_election


def test_integer_percent_uses_one_decimal_rounding() -> None:
    numerator = np.array([500, 333, 1995, 2005, 1994, 33])
    denominator = np.array([1000, 1000, 4000, 4000, 4000, 100])
    # 50.0 %, 33.3 %, 49.875 → 49.9 %, 50.125 → 50.1 %, 49.85 → 49.9 %, 33.0 %
    assert list(_is_integer_percent(numerator, denominator)) == [
        True,
        False,
        False,
        False,
        False,
        True,
    ]


def test_clean_election_shows_no_excess() -> None:
    results = clean_synthetic_election(20_000, seed=11)
    outcome = integer_percent_excess(results, replicates=100)
    assert abs(outcome.excess_stations) < 3.5 * outcome.sd
    assert outcome.p_value > 0.001


def test_rounded_protocols_are_detected() -> None:
    results = clean_synthetic_election(20_000, seed=12)
    rng = np.random.default_rng(5)
    forged = rng.choice(results.station_count, 600, replace=False)
    ballots = results.ballots_cast.copy()
    # forgers write a round turnout into 3 % of protocols
    target = np.round(100 * ballots[forged] / results.registered_voters[forged])
    ballots[forged] = np.rint(target * results.registered_voters[forged] / 100).astype(np.int64)
    votes = results.votes.copy()
    votes[forged, 1] += ballots[forged] - results.ballots_cast[forged]
    votes[forged, 1] = np.maximum(votes[forged, 1], 0)
    forged_results = results.with_changes(
        ballots_cast=votes.sum(axis=1) + results.invalid_ballots, votes=votes
    )
    outcome = integer_percent_excess(forged_results, replicates=100)
    assert outcome.excess_stations > 5 * outcome.sd
    assert outcome.p_value < 1e-6


def test_null_indicator_agrees_with_exact_integer_arithmetic() -> None:
    rng = np.random.default_rng(3)
    denominator = rng.integers(100, 100_000, 400_000)
    numerator = rng.integers(0, denominator + 1)
    # exact halves, where rounding direction decides: 2000·k = (2m + 1)·n
    halves = np.array([1998, 2002, 1, 3, 399]), np.array([4000, 4000, 2000, 2000, 2000])
    numerator = np.concatenate([numerator, halves[0]])
    denominator = np.concatenate([denominator, halves[1]])
    exact = _usable(numerator, denominator) & _is_integer_percent(numerator, denominator)
    assert np.array_equal(_NullDenominator(denominator).integer_hits(numerator), exact)


def test_pooled_sd_matches_the_spread_of_replicate_totals() -> None:
    results = clean_synthetic_election(20_000, seed=13)
    outcome = integer_percent_excess(results, replicates=20)
    assert outcome.expected_standard_error == pytest.approx(outcome.sd / np.sqrt(20))
    # 300 independent replicate totals estimate their sd to within ~4 %: allow 15 %
    assert outcome.sd == pytest.approx(_replicate_totals_sd(results, 300), rel=0.15)


def _replicate_totals_sd(results: StationResults, replicates: int) -> float:
    rng = np.random.default_rng(99)
    turnout = np.flatnonzero(_usable(results.ballots_cast, results.registered_voters))
    share = np.flatnonzero(_usable(results.leader_votes, results.ballots_cast))
    totals = []
    for _ in range(replicates):
        ballots = rng.binomial(results.registered_voters[turnout], results.turnout[turnout])
        leader = rng.binomial(results.ballots_cast[share], results.leader_share[share])
        registered = results.registered_voters[turnout]
        cast = results.ballots_cast[share]
        turnout_hits = _usable(ballots, registered) & _is_integer_percent(ballots, registered)
        share_hits = _usable(leader, cast) & _is_integer_percent(leader, cast)
        totals.append(np.count_nonzero(turnout_hits) + np.count_nonzero(share_hits))
    return float(np.std(totals, ddof=1))
