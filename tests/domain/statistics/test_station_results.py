"""StationResults: derived turnout, leader and shares, including the edge rows."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tallyroom.domain.statistics.station_results import LeaderScope, StationResults


def small_results(scope: LeaderScope = LeaderScope.NATIONAL) -> StationResults:
    return StationResults(
        station_ids=np.array(["a", "b", "c", "d"]),
        regions=np.array(["North", "North", "South", "South"]),
        registered_voters=np.array([100, 0, 200, 50]),
        ballots_cast=np.array([60, 10, 0, 40]),
        invalid_ballots=np.array([0, 0, 0, 2]),
        votes=np.array([[50, 10], [4, 6], [0, 0], [8, 30]]),
        candidate_names=("Blue", "Green"),
        leader_scope=scope,
    )


def test_turnout_is_nan_only_where_the_register_is_unknown() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = small_results()
        turnout = results.turnout
    assert turnout[0] == pytest.approx(0.6)
    assert np.isnan(turnout[1])
    assert turnout[2] == 0.0
    assert list(results.turnout_known) == [True, False, True, True]


def test_national_leader_is_followed_everywhere() -> None:
    results = small_results()
    # Blue 62, Green 46 nationally
    assert results.national_leader == "Blue"
    assert list(results.leader_votes) == [50, 4, 0, 8]
    assert results.leader_share[3] == pytest.approx(8 / 40)
    assert np.isnan(results.leader_share[2])


def test_constituency_winner_is_followed_within_each_constituency() -> None:
    results = small_results(LeaderScope.CONSTITUENCY)
    # North: Blue 54 vs Green 16; South: Blue 8 vs Green 30
    assert list(results.leader_votes) == [50, 4, 0, 30]


def test_mismatched_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="votes has shape"):
        StationResults(
            station_ids=np.array(["a"]),
            regions=np.array(["r"]),
            registered_voters=np.array([1]),
            ballots_cast=np.array([1]),
            invalid_ballots=np.array([0]),
            votes=np.array([[1, 0]]),
            candidate_names=("only one",),
        )
