"""Jumps between a station's last hourly turnout report and the ballots in its protocol."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tallyroom.domain.statistics.robust_z_score import regional_robust_z
from tallyroom.domain.statistics.station_results import FloatArray, IntArray, StationResults

#: a jump this many robust SDs above the constituency's typical last-hour jump
OUTLIER_Z = 3.0
#: and at least this share of the register: small stations jump by a few voters
MINIMUM_JUMP = 0.05


@dataclass(frozen=True)
class TurnoutJumpResult:
    stations_compared: int
    #: median of (ballots cast − last report) / registered voters
    median_jump: float
    #: 99th percentile of the same
    high_jump: float
    #: stations whose last-hour jump is far beyond their constituency's
    stations: IntArray
    #: per station, the jump as a share of the register; NaN where not comparable
    jumps: FloatArray


def turnout_jumps(results: StationResults) -> TurnoutJumpResult | None:
    if results.last_turnout_report is None:
        return None
    usable = results.turnout_known & (results.last_turnout_report >= 0)
    jumps = np.full(results.station_count, np.nan)
    jumps[usable] = (
        results.ballots_cast[usable] - results.last_turnout_report[usable]
    ) / results.registered_voters[usable]
    if not usable.any():
        return TurnoutJumpResult(0, 0.0, 0.0, np.zeros(0, dtype=np.int64), jumps)
    scores = regional_robust_z(jumps, results.region_codes, usable)
    outliers = usable & (np.nan_to_num(scores) > OUTLIER_Z) & (np.nan_to_num(jumps) > MINIMUM_JUMP)
    return TurnoutJumpResult(
        stations_compared=int(usable.sum()),
        median_jump=float(np.median(jumps[usable])),
        high_jump=float(np.percentile(jumps[usable], 99)),
        stations=np.flatnonzero(outliers).astype(np.int64),
        jumps=jumps,
    )
