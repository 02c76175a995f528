"""A clean synthetic election at station level, for measuring the tests (until the simulator)."""

from __future__ import annotations

import numpy as np

from tallyroom.domain.statistics.station_results import FloatArray, LeaderScope, StationResults

CANDIDATE_NAMES = ("Leader", "Second", "Third", "Fourth")


def clean_synthetic_election(
    station_count: int,
    region_count: int = 100,
    seed: int = 0,
) -> StationResults:
    """Stations whose turnout and leader share vary smoothly around regional means.

    Spreads are of the size seen within constituencies of real clean elections:
    turnout about 6 points, leader share about 6 points around the regional mean.
    """
    rng = np.random.default_rng(seed)
    region_codes = rng.integers(0, region_count, station_count)
    region_turnout = np.clip(rng.normal(0.60, 0.07, region_count), 0.3, 0.85)
    region_leader = np.clip(
        _uncorrelated(rng.normal(0.48, 0.08, region_count), region_turnout), 0.25, 0.75
    )
    registered = np.clip(rng.lognormal(np.log(1400.0), 0.5, station_count), 120, 5000).astype(
        np.int64
    )
    turnout = np.clip(region_turnout[region_codes] + rng.normal(0, 0.06, station_count), 0.05, 0.97)
    ballots = rng.binomial(registered, turnout).astype(np.int64)
    invalid = rng.binomial(ballots, 0.015).astype(np.int64)
    valid = ballots - invalid
    leader_probability = np.clip(
        region_leader[region_codes] + rng.normal(0, 0.06, station_count), 0.05, 0.95
    )
    # the other candidates split the rest in proportions that vary by station
    others = rng.dirichlet([6.0, 3.0, 1.5], station_count) * (1 - leader_probability)[:, None]
    probabilities = np.column_stack([leader_probability, others])
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    votes = rng.multinomial(valid, probabilities).astype(np.int64)
    # the last hourly report comes an hour before closing, when most voters have voted
    last_report = rng.binomial(ballots, rng.uniform(0.88, 0.97, station_count)).astype(np.int64)
    exit_poll = rng.random(station_count) < 0.1
    genuine_share = votes[:, 0] / np.maximum(ballots, 1)
    # an exit poll of some 400 respondents has a sampling error of about 2.5 points
    exit_poll_share = np.where(
        exit_poll, np.clip(genuine_share + rng.normal(0, 0.025, station_count), 0, 1), np.nan
    )
    width = len(str(station_count))
    return StationResults(
        station_ids=np.array([f"S{index:0{width}d}" for index in range(station_count)]),
        regions=np.array([f"R{code:03d}" for code in range(region_count)])[region_codes],
        registered_voters=registered,
        ballots_cast=ballots,
        invalid_ballots=invalid,
        votes=votes,
        candidate_names=CANDIDATE_NAMES,
        leader_scope=LeaderScope.NATIONAL,
        webcam=rng.random(station_count) < 0.3,
        exit_poll=exit_poll,
        observed=rng.random(station_count) < 0.2,
        last_turnout_report=last_report,
        exit_poll_leader_share=exit_poll_share.astype(np.float64),
    )


def _uncorrelated(values: FloatArray, other: FloatArray) -> FloatArray:
    """`values` with their chance linear association with `other` removed.

    A hundred independent regional pairs correlate by ±0.1 by chance, enough for the
    fingerprint to see a turnout–vote association that no clean election by design has.
    """
    centred = other - other.mean()
    slope = float(centred @ (values - values.mean())) / float(centred @ centred)
    uncorrelated: FloatArray = values - slope * centred
    return uncorrelated
