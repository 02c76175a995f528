"""Regional robust z-scores: the grouped computation equals a median per region."""

from __future__ import annotations

import numpy as np

from tallyroom.domain.statistics.robust_z_score import (
    MAD_TO_SD,
    MINIMUM_REGION_STATIONS,
    regional_robust_z,
)


def test_regional_robust_z_equals_per_region_medians() -> None:
    rng = np.random.default_rng(8)
    codes = rng.integers(0, 60, 30_000)
    codes[codes == 5] = 6
    codes[:10] = 5  # a region too small for its own median: borrows the national one
    values = rng.normal(0.5, 0.1, len(codes))
    values[codes == 7] = 0.3  # no spread of its own: borrows the national spread
    usable = rng.random(len(codes)) < 0.9
    scores = regional_robust_z(values, codes, usable)
    sample = values[usable]
    national_centre = np.median(sample)
    national_spread = np.median(np.abs(sample - national_centre)) * MAD_TO_SD
    for code in np.unique(codes):
        members = usable & (codes == code)
        centre, spread = national_centre, national_spread
        if members.sum() >= MINIMUM_REGION_STATIONS:
            centre = np.median(values[members])
            spread = np.median(np.abs(values[members] - centre)) * MAD_TO_SD or national_spread
        assert np.array_equal(scores[members], (values[members] - centre) / spread)
    assert np.isnan(scores[~usable]).all()
