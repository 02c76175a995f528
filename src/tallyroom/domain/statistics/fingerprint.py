"""Election fingerprint (turnout × winner share) with the ballot-stuffing model of Klimek,
Yegorov, Hanel & Thurner (PNAS 2012) fitted: incremental (f_i) and extreme (f_e) fraud."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import lsq_linear

from tallyroom.domain.statistics.station_results import (
    BoolArray,
    FloatArray,
    IntArray,
    StationResults,
)

#: 2-point bins, as coarse as the paper's fingerprints
BIN_COUNT = 50
MINIMUM_VOTERS = 50
#: candidate widths of the incremental stuffing fraction x ~ |N(0, σ_x)|; the best one is kept
INCREMENTAL_WIDTHS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
#: extreme fraud leaves turnout and winner share at x ~ 1 − |N(0, 0.075)|
EXTREME_WIDTH = 0.075
#: opposition votes reassigned along with stuffing: y = x^α (our fixed choice of α)
STEALING_EXPONENT = 2.0
SIMULATED_UNITS = 200_000
#: the corner where extreme fraud puts its stations
EXTREME_CORNER = 0.95


@dataclass(frozen=True)
class FingerprintResult:
    #: Klimek et al.'s f_i: share of stations with incremental ballot stuffing
    f_incremental: float
    #: Klimek et al.'s f_e: share of stations with extreme fraud (turnout and share near 100 %)
    f_extreme: float
    incremental_width: float
    fair_turnout_mean: float
    fair_turnout_sd: float
    fair_share_mean: float
    fair_share_sd: float
    #: root of the summed squared difference between observed and fitted fingerprints
    residual: float
    #: stations counted, per [turnout bin, share bin]; 50 × 50
    histogram: IntArray
    #: stations with turnout and winner share both ≥ 95 %
    extreme_corner_stations: IntArray


def fingerprint(results: StationResults, seed: int = 0) -> FingerprintResult:
    """Fit (1 − f_i − f_e)·fair + f_i·incremental + f_e·extreme to the fingerprint.

    The fair part's centre and width are read from the lower side of each distribution,
    which stuffing (it only raises turnout and share) leaves untouched. Turnouts above
    100 % are not proportions and are left out.
    """
    usable = _usable(results)
    turnout = results.turnout[usable]
    share = results.leader_share[usable]
    histogram = _histogram(turnout, share)
    corner = np.flatnonzero(
        usable
        & (np.nan_to_num(results.turnout) >= EXTREME_CORNER)
        & (np.nan_to_num(results.leader_share) >= EXTREME_CORNER)
    ).astype(np.int64)
    turnout_mean, turnout_sd = _fair_centre_and_width(turnout)
    share_mean, share_sd = _fair_centre_and_width(share)
    if len(turnout) == 0:
        return FingerprintResult(
            0.0, 0.0, 0.0, turnout_mean, turnout_sd, share_mean, share_sd, 0.0, histogram, corner
        )
    observed = histogram.ravel() / histogram.sum()
    rng = np.random.default_rng(seed)
    fair_turnout = _truncated_normal(rng, turnout_mean, turnout_sd)
    fair_share = _truncated_normal(rng, share_mean, share_sd)
    fair = _model_histogram(fair_turnout, fair_share)
    extreme_x = 1 - np.abs(rng.normal(0, EXTREME_WIDTH, SIMULATED_UNITS))
    extreme = _model_histogram(*_stuff(fair_turnout, fair_share, extreme_x))
    best: tuple[float, float, float, float] | None = None
    unit_draws = np.abs(rng.normal(0, 1, SIMULATED_UNITS))
    for width in INCREMENTAL_WIDTHS:
        incremental_x = np.clip(unit_draws * width, 0, 1)
        incremental = _model_histogram(*_stuff(fair_turnout, fair_share, incremental_x))
        design = np.column_stack([incremental - fair, extreme - fair])
        fit = lsq_linear(design, observed - fair, bounds=(0.0, 1.0))
        f_incremental, f_extreme = (float(value) for value in fit.x)
        residual = float(np.sqrt(np.sum((design @ fit.x - (observed - fair)) ** 2)))
        if best is None or residual < best[3]:
            best = (f_incremental, f_extreme, width, residual)
    assert best is not None
    return FingerprintResult(
        f_incremental=best[0],
        f_extreme=best[1],
        incremental_width=best[2],
        fair_turnout_mean=turnout_mean,
        fair_turnout_sd=turnout_sd,
        fair_share_mean=share_mean,
        fair_share_sd=share_sd,
        residual=best[3],
        histogram=histogram,
        extreme_corner_stations=corner,
    )


def _usable(results: StationResults) -> BoolArray:
    usable: BoolArray = (
        results.turnout_known
        & (results.registered_voters >= MINIMUM_VOTERS)
        & results.has_ballots
        & (results.ballots_cast <= results.registered_voters)
    )
    return usable


def _histogram(turnout: FloatArray, share: FloatArray) -> IntArray:
    """Counts per [turnout bin, share bin] over [0, 1] × [0, 1], the last bins closed on the
    right as in np.histogram2d; one bincount instead of histogram2d's sorted searches,
    which matters when fitting runs it on millions of simulated units."""
    inside = (turnout >= 0) & (turnout <= 1) & (share >= 0) & (share <= 1)
    rows = np.minimum((turnout[inside] * BIN_COUNT).astype(np.int64), BIN_COUNT - 1)
    columns = np.minimum((share[inside] * BIN_COUNT).astype(np.int64), BIN_COUNT - 1)
    counts = np.bincount(rows * BIN_COUNT + columns, minlength=BIN_COUNT * BIN_COUNT)
    histogram: IntArray = counts.reshape(BIN_COUNT, BIN_COUNT).astype(np.int64)
    return histogram


def _model_histogram(turnout: FloatArray, share: FloatArray) -> FloatArray:
    counts = _histogram(turnout, share).ravel().astype(np.float64)
    normalised: FloatArray = counts / counts.sum()
    return normalised


def _fair_centre_and_width(values: FloatArray) -> tuple[float, float]:
    """Mode of a smoothed 1-point histogram, and the RMS distance of values below it."""
    if len(values) == 0:
        return 0.0, 0.0
    counts = np.histogram(values, bins=100, range=(0, 1))[0].astype(np.float64)
    smoothed = np.convolve(counts, np.ones(5) / 5, mode="same")
    mode = (int(np.argmax(smoothed)) + 0.5) / 100
    below = values[values <= mode]
    width = float(np.sqrt(np.mean((below - mode) ** 2))) if len(below) > 1 else 0.05
    return mode, max(width, 0.005)


def _truncated_normal(rng: np.random.Generator, mean: float, sd: float) -> FloatArray:
    values = rng.normal(mean, sd, SIMULATED_UNITS)
    # redraw outside [0, 1] rather than pile values on the edges, which would fake a spike
    outside = (values < 0) | (values > 1)
    while outside.any():
        values[outside] = rng.normal(mean, sd, int(outside.sum()))
        outside = (values < 0) | (values > 1)
    return values


def _stuff(
    turnout: FloatArray, share: FloatArray, fraction: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Add `fraction` of the non-voters as ballots for the winner, and reassign
    fraction^α of the opposition's votes to the winner."""
    stuffed_turnout = turnout + fraction * (1 - turnout)
    stolen = fraction**STEALING_EXPONENT
    winner = share * turnout + fraction * (1 - turnout) + stolen * (1 - share) * turnout
    stuffed_share = np.clip(winner / np.maximum(stuffed_turnout, 1e-9), 0, 1)
    return stuffed_turnout, stuffed_share
