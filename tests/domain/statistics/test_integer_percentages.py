"""Integer-percentage excess as Kobak, Shpilkin & Pshenichnikov (AoAS 2016) define it, on
synthetic elections; the published figures on real data are in tests/forensics."""

from __future__ import annotations

import numpy as np
import pytest

from tallyroom.domain.statistics.integer_percentages import (
    NO_REGISTER,
    integer_percent_excess,
    is_integer_percent,
)
from tallyroom.domain.statistics.station_results import StationResults
from tallyroom.domain.statistics.synthetic_election import clean_synthetic_election


def test_integer_bins_are_centred_on_integers_with_both_edges_included() -> None:
    numerator = np.array([500, 333, 1995, 2005, 1994, 33, 619, 621, 0, 100])
    denominator = np.array([1000, 1000, 4000, 4000, 4000, 100, 2000, 2000, 100, 100])
    # 50.0, 33.3, 49.875, 50.125, 49.85, 33.0, 30.95 and 31.05 (both edges), 0 and 100 %
    assert is_integer_percent(numerator, denominator).tolist() == [
        True,
        False,
        False,
        False,
        False,
        True,
        True,
        True,
        True,
        True,
    ]


def test_integer_check_agrees_with_the_authors_floating_point_rule_off_the_edges() -> None:
    rng = np.random.default_rng(3)
    denominator = rng.integers(100, 5000, 400_000)
    numerator = rng.integers(0, denominator + 1)
    percent = 100 * numerator / denominator
    distance = np.abs(percent - np.round(percent))
    off_edge = np.abs(distance - 0.05) > 1e-9
    authors = distance <= 0.05
    ours = is_integer_percent(numerator, denominator)
    assert np.array_equal(ours[off_edge], authors[off_edge])


def test_three_counts_follow_the_papers_definitions() -> None:
    results = _stations(
        registered=[1000, 1000, 1000, 1000, 99, 1000, 1000],
        issued=[500, 501, 500, 999, 50, 500, 500],
        cast=[500, 500, 500, 999, 50, 500, 0],
        leader=[301, 300, 300, 600, 40, 496, 0],
    )
    outcome = integer_percent_excess(results, replicates=10)
    # kept: the first four minus the 99.9 % turnout; then 99 registered, leader 99.2 %,
    # no ballots are left out
    assert outcome.stations_analysed == 3
    assert outcome.turnout is not None
    assert outcome.turnout.observed == 2
    assert outcome.leader is not None
    assert outcome.leader.observed == 2
    assert outcome.either is not None
    assert outcome.either.observed == 3
    assert outcome.stations.tolist() == [2]


def test_turnout_is_ballots_issued_over_registered() -> None:
    cast_only = _stations(registered=[1000], issued=[503], cast=[500], leader=[301])
    outcome = integer_percent_excess(cast_only, replicates=10)
    assert outcome.turnout is not None
    assert outcome.turnout.observed == 0
    assert outcome.leader is not None
    assert outcome.leader.observed == 0


def test_clean_election_shows_no_excess_in_any_count() -> None:
    outcome = integer_percent_excess(clean_synthetic_election(20_000, seed=11), replicates=100)
    for count in (outcome.either, outcome.leader, outcome.turnout):
        assert count is not None
        assert abs(count.excess) < 3.5 * count.sd
        assert count.z == pytest.approx(count.excess / count.sd)


def test_rounded_turnouts_show_in_turnout_and_either_not_in_leader() -> None:
    results = clean_synthetic_election(20_000, seed=12)
    rng = np.random.default_rng(5)
    forged = rng.choice(results.station_count, 600, replace=False)
    registered = results.registered_voters[forged]
    ballots = results.ballots_cast.copy()
    ballots[forged] = np.rint(np.round(100 * ballots[forged] / registered) * registered / 100)
    votes = results.votes.copy()
    votes[forged, 1] = np.maximum(
        votes[forged, 1] + ballots[forged] - results.ballots_cast[forged], 0
    )
    forged_results = results.with_changes(
        ballots_cast=votes.sum(axis=1) + results.invalid_ballots, votes=votes
    )
    outcome = integer_percent_excess(forged_results, replicates=100)
    assert outcome.turnout is not None
    assert outcome.either is not None
    assert outcome.leader is not None
    assert outcome.turnout.excess > 5 * outcome.turnout.sd
    assert outcome.either.excess > 5 * outcome.either.sd
    assert outcome.either.p_value < 1e-6
    assert abs(outcome.leader.excess) < 3.5 * outcome.leader.sd


def test_pooled_sd_matches_the_spread_of_replicate_totals() -> None:
    results = clean_synthetic_election(20_000, seed=13)
    outcome = integer_percent_excess(results, replicates=20)
    assert outcome.either is not None
    assert outcome.either.expected_standard_error == pytest.approx(outcome.either.sd / np.sqrt(20))
    # 300 independent replicate totals estimate their sd to within ~4 %: allow 15 %
    assert outcome.either.sd == pytest.approx(_replicate_totals_sd(results, 300), rel=0.15)


def test_without_a_register_the_test_reports_why_and_no_number() -> None:
    results = clean_synthetic_election(1_000, seed=1)
    outcome = integer_percent_excess(
        results.with_changes(registered_voters=np.zeros(results.station_count, dtype=np.int64))
    )
    assert outcome.unavailable == NO_REGISTER
    assert outcome.either is None
    assert outcome.leader is None
    assert outcome.turnout is None


def _stations(
    registered: list[int], issued: list[int], cast: list[int], leader: list[int]
) -> StationResults:
    count = len(registered)
    cast_array = np.array(cast, dtype=np.int64)
    leader_array = np.array(leader, dtype=np.int64)
    return StationResults(
        station_ids=np.array([f"S{index}" for index in range(count)]),
        regions=np.array(["R"] * count),
        registered_voters=np.array(registered, dtype=np.int64),
        ballots_cast=cast_array,
        invalid_ballots=np.zeros(count, dtype=np.int64),
        votes=np.column_stack([leader_array, cast_array - leader_array]),
        candidate_names=("Leader", "Other"),
        ballots_issued=np.array(issued, dtype=np.int64),
    )


def _replicate_totals_sd(results: StationResults, replicates: int) -> float:
    rng = np.random.default_rng(99)
    registered = results.registered_voters
    cast = results.ballots_cast
    kept = (
        (registered >= 100)
        & (cast > 0)
        & (results.turnout <= 0.99)
        & (results.leader_share <= 0.99)
    )
    registered, cast = registered[kept], cast[kept]
    turnout, share = results.turnout[kept], results.leader_share[kept]
    totals = []
    for _ in range(replicates):
        issued = rng.binomial(registered, turnout)
        leader = rng.binomial(cast, share)
        hits = is_integer_percent(issued, registered) | is_integer_percent(leader, cast)
        totals.append(np.count_nonzero(hits))
    return float(np.std(totals, ddof=1))
