"""Monitoring comparisons, exit polls and last-hour turnout jumps on synthetic elections."""

from __future__ import annotations

import numpy as np

from tallyroom.domain.statistics.ballot_stuffing import stuff_ballots
from tallyroom.domain.statistics.exit_poll_comparison import compare_exit_polls
from tallyroom.domain.statistics.monitoring_comparison import compare_monitoring
from tallyroom.domain.statistics.region_summary import region_summaries
from tallyroom.domain.statistics.synthetic_election import clean_synthetic_election
from tallyroom.domain.statistics.turnout_jump import turnout_jumps
from tallyroom.domain.statistics.vote_distribution import vote_distribution


def test_webcams_where_fraud_is_deterred_show_lower_turnout_and_share() -> None:
    clean = clean_synthetic_election(30_000, seed=41)
    assert clean.webcam is not None
    unwatched = np.flatnonzero(~clean.webcam)
    stuffed = stuff_ballots(clean.with_changes(), 0.0, 0.0)
    rng = np.random.default_rng(1)
    target = rng.choice(unwatched, 3_000, replace=False)
    ballots = stuffed.results.ballots_cast.copy()
    votes = stuffed.results.votes.copy()
    added = np.minimum(
        clean.registered_voters[target] // 10, clean.registered_voters[target] - ballots[target]
    )
    ballots[target] += added
    votes[target, 0] += added
    results = clean.with_changes(ballots_cast=ballots, votes=votes)
    comparison = compare_monitoring(results, "webcam", results.webcam)
    assert comparison is not None
    assert comparison.turnout
    assert comparison.leader_share
    assert comparison.turnout.confidence_high < 0
    assert comparison.leader_share.confidence_high < 0
    clean_comparison = compare_monitoring(clean, "webcam", clean.webcam)
    assert clean_comparison is not None
    assert clean_comparison.turnout
    assert clean_comparison.turnout.confidence_low < 0 < clean_comparison.turnout.confidence_high


def test_exit_polls_and_jumps_single_out_stuffed_stations() -> None:
    stuffed = stuff_ballots(clean_synthetic_election(30_000, seed=42), 0.05, 0.15, seed=3)
    exit_poll = compare_exit_polls(stuffed.results)
    jumps = turnout_jumps(stuffed.results)
    assert exit_poll is not None
    assert jumps is not None
    assert exit_poll.confidence_low > 0
    injected = set(stuffed.stuffed_indices.tolist())
    assert len(set(jumps.stations.tolist()) & injected) >= 0.8 * len(injected)
    assert len(set(jumps.stations.tolist()) - injected) <= 0.01 * 30_000
    polled = set(exit_poll.stations.tolist())
    assert polled
    assert len(polled & injected) >= 0.8 * len(polled)


def test_distribution_counts_full_turnout_and_region_summary_adds_up() -> None:
    clean = clean_synthetic_election(5_000, seed=43)
    ballots = clean.ballots_cast.copy()
    votes = clean.votes.copy()
    votes[:50, 0] += clean.registered_voters[:50] - ballots[:50]
    ballots[:50] = clean.registered_voters[:50]
    results = clean.with_changes(ballots_cast=ballots, votes=votes)
    distribution = vote_distribution(results)
    assert set(range(50)) <= set(distribution.full_turnout_stations.tolist())
    summaries = region_summaries(results, np.zeros(results.station_count, dtype=bool))
    assert sum(summary.stations for summary in summaries) == 5_000
    assert sum(summary.ballots_cast for summary in summaries) == int(ballots.sum())
