"""Klimek et al. (PNAS 2012) fingerprint fit on synthetic elections with known fraud."""

from __future__ import annotations

import numpy as np

from tallyroom.domain.statistics.fingerprint import fingerprint
from tallyroom.domain.statistics.station_results import StationResults
from tallyroom.domain.statistics.synthetic_election import clean_synthetic_election


def _extreme_fraud(results: StationResults, fraction: float, seed: int) -> StationResults:
    """Turnout and leader share pushed to about 98 % at a fraction of stations."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(results.station_count, int(fraction * results.station_count), replace=False)
    ballots = results.ballots_cast.copy()
    votes = results.votes.copy()
    registered = results.registered_voters[chosen]
    ballots[chosen] = np.rint(0.98 * registered).astype(np.int64)
    votes[chosen] = 0
    votes[chosen, 0] = np.rint(0.98 * ballots[chosen]).astype(np.int64)
    votes[chosen, 1] = ballots[chosen] - votes[chosen, 0]
    return results.with_changes(
        ballots_cast=ballots, votes=votes, invalid_ballots=np.zeros_like(ballots)
    )


def test_clean_election_has_no_extreme_fraud() -> None:
    fit = fingerprint(clean_synthetic_election(50_000, seed=21))
    assert fit.f_extreme < 0.003
    assert len(fit.extreme_corner_stations) == 0


def test_extreme_fraud_fraction_is_recovered() -> None:
    clean = clean_synthetic_election(50_000, seed=22)
    fit = fingerprint(_extreme_fraud(clean, 0.04, seed=1))
    assert 0.025 < fit.f_extreme < 0.055
    assert len(fit.extreme_corner_stations) >= 0.9 * 0.04 * 50_000
