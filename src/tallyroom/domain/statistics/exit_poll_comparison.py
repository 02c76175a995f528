"""Exit-poll estimates of the leader's share against the official station results."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from tallyroom.domain.statistics.robust_z_score import MAD_TO_SD
from tallyroom.domain.statistics.station_results import IntArray, StationResults

#: an official share this many robust SDs above the exit poll singles a station out
OUTLIER_Z = 3.0


@dataclass(frozen=True)
class ExitPollComparison:
    stations_compared: int
    #: mean of official − exit-poll leader share
    mean_difference: float
    confidence_low: float
    confidence_high: float
    p_value: float
    #: stations whose official leader share exceeds the exit poll's by far more than most
    stations: IntArray


def compare_exit_polls(results: StationResults) -> ExitPollComparison | None:
    estimate = results.exit_poll_leader_share
    if estimate is None:
        return None
    usable = ~np.isnan(estimate) & results.has_ballots
    if results.exit_poll is not None:
        usable &= results.exit_poll
    indices = np.flatnonzero(usable)
    if len(indices) < 2:
        return None
    difference = results.leader_share[indices] - estimate[indices]
    mean = float(difference.mean())
    standard_error = float(difference.std(ddof=1) / np.sqrt(len(difference)))
    margin = float(stats.t.ppf(0.975, len(difference) - 1)) * standard_error
    p_value = (
        float(2 * stats.t.sf(abs(mean) / standard_error, len(difference) - 1))
        if standard_error > 0
        else 1.0
    )
    centre = float(np.median(difference))
    spread = float(np.median(np.abs(difference - centre))) * MAD_TO_SD
    outliers = indices[(difference - centre) > OUTLIER_Z * spread] if spread > 0 else indices[:0]
    return ExitPollComparison(
        stations_compared=len(indices),
        mean_difference=mean,
        confidence_low=mean - margin,
        confidence_high=mean + margin,
        p_value=p_value,
        stations=outliers.astype(np.int64),
    )
