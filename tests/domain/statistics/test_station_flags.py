"""Station flags: stuffed stations found, clean ones mostly left alone, >100 % explained."""

from __future__ import annotations

import numpy as np

from tallyroom.domain.statistics.ballot_stuffing import stuff_ballots
from tallyroom.domain.statistics.exit_poll_comparison import compare_exit_polls
from tallyroom.domain.statistics.station_flags import (
    FlagCategory,
    station_flags,
    stuffing_signature,
)
from tallyroom.domain.statistics.synthetic_election import clean_synthetic_election
from tallyroom.domain.statistics.turnout_jump import turnout_jumps


def test_stuffing_is_injected_where_reported() -> None:
    clean = clean_synthetic_election(2_000, seed=1)
    stuffed = stuff_ballots(clean, 0.05, 0.15, seed=2)
    assert len(stuffed.stuffed_indices) == 100
    added = stuffed.results.ballots_cast - clean.ballots_cast
    assert set(np.flatnonzero(added)) <= set(stuffed.stuffed_indices.tolist())
    assert (stuffed.results.ballots_cast <= clean.registered_voters).all()
    assert (
        stuffed.results.valid_votes + clean.invalid_ballots == stuffed.results.ballots_cast
    ).all()


def test_full_suite_finds_stuffed_stations() -> None:
    stuffed = stuff_ballots(clean_synthetic_election(40_000, seed=3), 0.05, 0.15, seed=4)
    results = stuffed.results
    flags = station_flags(results, None, turnout_jumps(results), compare_exit_polls(results))
    risk = flags.risk_mask(results.station_count)
    injected = np.zeros(results.station_count, dtype=bool)
    injected[stuffed.stuffed_indices] = True
    assert risk[injected].mean() >= 0.8
    assert risk[~injected].mean() <= 0.02


def test_protocol_signature_alone_beats_chance() -> None:
    stuffed = stuff_ballots(clean_synthetic_election(40_000, seed=5), 0.05, 0.15, seed=6)
    signature = stuffing_signature(stuffed.results)
    injected = np.zeros(stuffed.results.station_count, dtype=bool)
    injected[stuffed.stuffed_indices] = True
    assert signature[injected].mean() > 0.5
    assert signature[~injected].mean() < 0.01


def test_over_registered_station_is_explained_not_flagged_as_fraud() -> None:
    clean = clean_synthetic_election(2_000, seed=7)
    ballots = clean.ballots_cast.copy()
    votes = clean.votes.copy()
    # same-day registration: more voters than the register listed, in the usual proportions
    votes[0] = votes[0] * 2
    ballots[0] = votes[0].sum() + clean.invalid_ballots[0]
    registered = clean.registered_voters.copy()
    registered[0] = ballots[0] - 10
    results = clean.with_changes(ballots_cast=ballots, votes=votes, registered_voters=registered)
    flags = {flag.station_index: flag for flag in station_flags(results).flags}
    reasons = flags[0].reasons
    assert [reason.code for reason in reasons] == ["turnout_above_registered"]
    assert reasons[0].category is FlagCategory.REGISTRATION
    assert "same-day registration" in reasons[0].message
    assert not flags[0].is_risk
