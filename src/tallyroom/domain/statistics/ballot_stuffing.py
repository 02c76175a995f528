"""Inject ballot stuffing into station results, so that the tests' recall can be measured."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tallyroom.domain.statistics.station_results import IntArray, StationResults


@dataclass(frozen=True)
class StuffedElection:
    results: StationResults
    #: indices of the stations that received stuffed ballots
    stuffed_indices: IntArray


def stuff_ballots(
    results: StationResults,
    station_fraction: float,
    registered_fraction: float,
    seed: int = 0,
) -> StuffedElection:
    """Add ballots for the leader at a random fraction of stations.

    Each chosen station gets `registered_fraction` × registered voters extra ballots, all
    for its leader, capped so that turnout does not pass 100 % (stuffers keep the protocol
    arithmetically plausible). Hourly turnout reports and exit polls are left untouched:
    they saw the real voters.
    """
    if not 0 <= station_fraction <= 1 or not 0 <= registered_fraction <= 1:
        raise ValueError("fractions must lie between 0 and 1")
    rng = np.random.default_rng(seed)
    eligible = np.flatnonzero(results.turnout_known & results.has_ballots)
    count = round(station_fraction * len(eligible))
    chosen = np.sort(rng.choice(eligible, size=count, replace=False)).astype(np.int64)
    room = results.registered_voters[chosen] - results.ballots_cast[chosen]
    wanted = np.rint(registered_fraction * results.registered_voters[chosen]).astype(np.int64)
    added = np.clip(np.minimum(wanted, room), 0, None)
    ballots = results.ballots_cast.copy()
    ballots[chosen] += added
    votes = results.votes.copy()
    votes[chosen, results.leader_index[chosen]] += added
    stuffed = results.with_changes(ballots_cast=ballots, votes=votes)
    return StuffedElection(results=stuffed, stuffed_indices=chosen)
