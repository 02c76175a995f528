"""Robust z-scores of a station figure within its region (median and MAD, not mean and SD)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: MAD × 1.4826 estimates the standard deviation of a normal sample
MAD_TO_SD = 1.4826
#: regions with fewer usable stations borrow the national median and spread
MINIMUM_REGION_STATIONS = 20


def regional_robust_z(values: FloatArray, region_codes: IntArray, usable: BoolArray) -> FloatArray:
    """z = (value − regional median) / regional robust SD; NaN where not usable."""
    scores = np.full(len(values), np.nan, dtype=np.float64)
    if not usable.any():
        return scores
    sample = values[usable]
    codes = region_codes[usable]
    national_centre, national_spread = _centre_and_spread(sample)
    group_count = int(codes.max()) + 1
    sizes = np.bincount(codes, minlength=group_count)
    # regions become contiguous runs; a stable sort of 16-bit codes is a radix sort, far
    # cheaper than sorting by (region, value), and a median per run needs no full order
    sort_codes = codes.astype(np.uint16) if group_count <= 1 << 16 else codes
    grouped = sample[np.argsort(sort_codes, kind="stable")]
    ends = np.cumsum(sizes)
    centres = np.full(group_count, national_centre)
    spreads = np.full(group_count, national_spread)
    for code in np.flatnonzero(sizes >= MINIMUM_REGION_STATIONS).tolist():
        centre, spread = _centre_and_spread(grouped[ends[code] - sizes[code] : ends[code]])
        centres[code] = centre
        # a region of identical figures has no spread of its own to measure against
        spreads[code] = spread if spread > 0 else national_spread
    station_spreads = spreads[codes]
    measurable = station_spreads > 0
    region_scores = np.full(len(sample), np.nan, dtype=np.float64)
    region_scores[measurable] = (sample[measurable] - centres[codes][measurable]) / (
        station_spreads[measurable]
    )
    scores[usable] = region_scores
    return scores


def _centre_and_spread(sample: FloatArray) -> tuple[float, float]:
    centre = float(np.median(sample))
    spread = float(np.median(np.abs(sample - centre))) * MAD_TO_SD
    return centre, spread
