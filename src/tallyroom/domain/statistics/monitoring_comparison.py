"""Stations with vs without webcams, exit polls or observers, compared within constituencies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from tallyroom.domain.statistics.station_results import (
    BoolArray,
    FloatArray,
    IntArray,
    StationResults,
)


@dataclass(frozen=True)
class Difference:
    """Monitored minus unmonitored, pooled over constituencies that have both."""

    estimate: float
    confidence_low: float
    confidence_high: float
    p_value: float


@dataclass(frozen=True)
class MonitoringComparison:
    monitor: str
    monitored_stations: int
    unmonitored_stations: int
    #: constituencies with both kinds of station, over which the differences are pooled
    regions_compared: int
    turnout: Difference | None
    leader_share: Difference | None


def compare_monitoring(
    results: StationResults, monitor: str, monitored: BoolArray | None
) -> MonitoringComparison | None:
    """Within each constituency, the mean difference between monitored and unmonitored
    stations, pooled with weights n₁n₀/(n₁+n₀); a normal 95 % interval.

    Comparing within constituencies keeps apart "monitors go to cities" from "monitors
    change the count". Fraud that monitors deter shows as lower turnout and leader share
    where they are.
    """
    if monitored is None:
        return None
    return MonitoringComparison(
        monitor=monitor,
        monitored_stations=int(np.count_nonzero(monitored)),
        unmonitored_stations=int(np.count_nonzero(~monitored)),
        regions_compared=_regions_with_both(results.region_codes, monitored),
        turnout=_pooled_difference(
            results.turnout,
            results.turnout_known & results.has_ballots,
            results.region_codes,
            monitored,
        ),
        leader_share=_pooled_difference(
            results.leader_share, results.has_ballots, results.region_codes, monitored
        ),
    )


def _regions_with_both(region_codes: IntArray, monitored: BoolArray) -> int:
    with_monitor = set(np.unique(region_codes[monitored]).tolist())
    without = set(np.unique(region_codes[~monitored]).tolist())
    return len(with_monitor & without)


def _pooled_difference(
    values: FloatArray, usable: BoolArray, region_codes: IntArray, monitored: BoolArray
) -> Difference | None:
    regions = int(region_codes.max()) + 1 if len(region_codes) else 0
    sums = np.zeros((2, regions))
    squares = np.zeros((2, regions))
    counts = np.zeros((2, regions))
    for group, mask in enumerate((usable & ~monitored, usable & monitored)):
        codes = region_codes[mask]
        sums[group] = np.bincount(codes, values[mask], regions)
        squares[group] = np.bincount(codes, values[mask] ** 2, regions)
        counts[group] = np.bincount(codes, minlength=regions)
    both = (counts[0] >= 2) & (counts[1] >= 2)
    if not both.any():
        return None
    n0, n1 = counts[0, both], counts[1, both]
    mean0, mean1 = sums[0, both] / n0, sums[1, both] / n1
    variance0 = np.maximum(squares[0, both] / n0 - mean0**2, 0) * n0 / (n0 - 1)
    variance1 = np.maximum(squares[1, both] / n1 - mean1**2, 0) * n1 / (n1 - 1)
    weights = n0 * n1 / (n0 + n1)
    estimate = float(np.sum(weights * (mean1 - mean0)) / weights.sum())
    standard_error = float(
        np.sqrt(np.sum(weights**2 * (variance0 / n0 + variance1 / n1))) / weights.sum()
    )
    if standard_error == 0:
        return Difference(estimate, estimate, estimate, 1.0 if estimate == 0 else 0.0)
    margin = 1.959964 * standard_error
    p_value = float(2 * stats.norm.sf(abs(estimate) / standard_error))
    return Difference(estimate, estimate - margin, estimate + margin, p_value)
