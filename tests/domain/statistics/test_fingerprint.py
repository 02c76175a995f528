"""Klimek et al. (PNAS 2012) fingerprint fit on synthetic elections with known fraud."""

from __future__ import annotations

import numpy as np

from tallyroom.domain.statistics.fingerprint import NO_REGISTER, fingerprint
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


def test_clean_election_of_the_reference_size_fits_no_fraud() -> None:
    # 6,478 stations as az-2024; the Gaussian fair part read from the lower side gave
    # f_i = 0.25 here, taking sampling noise in the mode for stuffing
    fit = fingerprint(clean_synthetic_election(6_478, seed=0))
    assert fit.f_incremental < 0.05
    assert fit.f_extreme < 0.005


def test_skewed_clean_turnout_is_not_taken_for_stuffing() -> None:
    clean = clean_synthetic_election(20_000, seed=23)
    rng = np.random.default_rng(4)
    # turnout spread multiplicatively (log-normal, a long upper tail), share untouched
    factor = rng.lognormal(0.0, 0.25, clean.station_count)
    ballots = np.minimum(
        np.rint(clean.ballots_cast * factor * 0.8), 0.97 * clean.registered_voters
    ).astype(np.int64)
    scale = ballots / np.maximum(clean.ballots_cast, 1)
    votes = np.rint(clean.votes * scale[:, None]).astype(np.int64)
    skewed = clean.with_changes(
        ballots_cast=votes.sum(axis=1), votes=votes, invalid_ballots=np.zeros_like(ballots)
    )
    fit = fingerprint(skewed)
    assert fit.f_incremental < 0.05


def test_without_a_register_the_fit_reports_why_and_no_number() -> None:
    clean = clean_synthetic_election(2_000, seed=24)
    fit = fingerprint(
        clean.with_changes(registered_voters=np.zeros(clean.station_count, dtype=np.int64))
    )
    assert fit.unavailable == NO_REGISTER
    assert np.isnan(fit.f_incremental)
    assert np.isnan(fit.f_extreme)
