"""Vote counts redrawn binomially at each station's own size and rate: the reference for
digit tests, since precinct counts of a clean election need not follow Benford's law."""

from __future__ import annotations

import numpy as np

from tallyroom.domain.statistics.station_results import IntArray, StationResults


def resampled_vote_counts(results: StationResults, seed: int = 0) -> IntArray:
    """votes'[s, c] ~ Binomial(ballots cast at s, votes[s, c] / ballots cast at s)."""
    rng = np.random.default_rng(seed)
    ballots = np.maximum(results.ballots_cast, 1)[:, None]
    rates = np.clip(results.votes / ballots, 0.0, 1.0)
    counts: IntArray = rng.binomial(np.broadcast_to(ballots, rates.shape), rates).astype(np.int64)
    return counts
