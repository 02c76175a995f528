"""Election fingerprint (turnout × winner share) with the ballot-stuffing model of Klimek,
Yegorov, Hanel & Thurner (PNAS 2012) fitted: incremental (f_i) and extreme (f_e) fraud."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tallyroom.domain.statistics.station_results import (
    BoolArray,
    FloatArray,
    IntArray,
    StationResults,
)

#: 2-point bins, as coarse as the paper's fingerprints
BIN_COUNT = 50
MINIMUM_VOTERS = 50
#: candidate widths of the incremental stuffing fraction x ~ |N(0, σ_x)|; the best one is kept.
#: Narrower stuffing moves a station by a few points, within the fair spread: at a few
#: thousand stations its f_i only fits noise (0.2 on a clean 6,478-station election)
INCREMENTAL_WIDTHS = (0.2, 0.3, 0.4, 0.5)
#: extreme fraud leaves turnout and winner share at x ~ 1 − |N(0, 0.075)|
EXTREME_WIDTH = 0.075
#: opposition votes reassigned along with stuffing: y = x^α (our fixed choice of α)
STEALING_EXPONENT = 2.0
SIMULATED_UNITS = 200_000
#: the corner where extreme fraud puts its stations
EXTREME_CORNER = 0.95
#: below this many usable stations a 50 × 50 fingerprint is mostly empty bins
MINIMUM_STATIONS = 100
#: probability floor of a bin the data occupy but the model leaves empty
FLOOR = 1e-12
EM_STEPS = 5_000
EM_TOLERANCE = 1e-7
NO_REGISTER = "no registered voters in the data: turnout, and so the fingerprint, is undefined"
TOO_FEW_STATIONS = "fewer than 100 stations with a register of at least 50 and ballots cast"


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
    #: (as shares of the stations per bin)
    residual: float
    #: stations counted, per [turnout bin, share bin]; 50 × 50
    histogram: IntArray
    #: stations with turnout and winner share both ≥ 95 %
    extreme_corner_stations: IntArray
    #: why the fit could not run on these data (its figures are then NaN); None when it ran
    unavailable: str | None = None


def fingerprint(results: StationResults, seed: int = 0) -> FingerprintResult:
    """Fit (1 − f_i − f_e)·fair + f_i·incremental + f_e·extreme to the fingerprint.

    Stuffing raises turnout and winner share together, so the fair turnouts are drawn
    from the stations whose winner share is at most its median, and the fair shares from
    those whose turnout is at most its median: as they are, not as a Gaussian, since a
    clean election's turnout may well be skewed (a Gaussian read from the lower side
    then takes the longer upper tail for stuffing). The weights are the multinomial
    maximum-likelihood ones. Turnouts above 100 % are not proportions and are left out.
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
    if not results.turnout_known.any():
        return _unavailable(NO_REGISTER, histogram, corner)
    if len(turnout) < MINIMUM_STATIONS:
        return _unavailable(TOO_FEW_STATIONS, histogram, corner)
    fair_turnouts = turnout[share <= np.median(share)]
    fair_shares = share[turnout <= np.median(turnout)]
    counts = histogram.ravel().astype(np.float64)
    rng = np.random.default_rng(seed)
    fair_turnout = rng.choice(fair_turnouts, SIMULATED_UNITS)
    fair_share = rng.choice(fair_shares, SIMULATED_UNITS)
    fair = _model_histogram(fair_turnout, fair_share)
    extreme_x = 1 - np.abs(rng.normal(0, EXTREME_WIDTH, SIMULATED_UNITS))
    extreme = _model_histogram(*_stuff(fair_turnout, fair_share, extreme_x))
    best: tuple[float, float, float, float, FloatArray] | None = None
    unit_draws = np.abs(rng.normal(0, 1, SIMULATED_UNITS))
    for width in INCREMENTAL_WIDTHS:
        incremental_x = np.clip(unit_draws * width, 0, 1)
        incremental = _model_histogram(*_stuff(fair_turnout, fair_share, incremental_x))
        f_incremental, f_extreme, log_likelihood = _maximum_likelihood(
            counts, fair, incremental, extreme
        )
        if best is None or log_likelihood > best[3]:
            best = (f_incremental, f_extreme, width, log_likelihood, incremental)
    assert best is not None
    f_incremental, f_extreme, width, _, incremental = best
    model = (
        (1 - f_incremental - f_extreme) * fair + f_incremental * incremental + f_extreme * extreme
    )
    return FingerprintResult(
        f_incremental=f_incremental,
        f_extreme=f_extreme,
        incremental_width=width,
        fair_turnout_mean=float(np.mean(fair_turnouts)),
        fair_turnout_sd=float(np.std(fair_turnouts)),
        fair_share_mean=float(np.mean(fair_shares)),
        fair_share_sd=float(np.std(fair_shares)),
        residual=float(np.sqrt(np.sum((model - counts / counts.sum()) ** 2))),
        histogram=histogram,
        extreme_corner_stations=corner,
    )


def _maximum_likelihood(
    counts: FloatArray, fair: FloatArray, incremental: FloatArray, extreme: FloatArray
) -> tuple[float, float, float]:
    """Mixture weights maximising Σ n_b·log p_b over the bins, by expectation–maximisation
    (each step raises the likelihood; with the components fixed it converges to the
    maximum, which is unique where they differ)."""
    occupied = counts > 0
    observed = counts[occupied]
    components = np.vstack([fair[occupied], incremental[occupied], extreme[occupied]])
    weights = np.array([0.9, 0.05, 0.05])
    for _ in range(EM_STEPS):
        mixture = np.maximum(weights @ components, FLOOR)
        updated = weights * (components @ (observed / mixture)) / observed.sum()
        converged = bool(np.max(np.abs(updated - weights)) < EM_TOLERANCE)
        weights = updated
        if converged:
            break
    log_likelihood = float(observed @ np.log(np.maximum(weights @ components, FLOOR)))
    return float(weights[1]), float(weights[2]), log_likelihood


def _unavailable(reason: str, histogram: IntArray, corner: IntArray) -> FingerprintResult:
    nothing = float("nan")
    return FingerprintResult(
        f_incremental=nothing,
        f_extreme=nothing,
        incremental_width=nothing,
        fair_turnout_mean=nothing,
        fair_turnout_sd=nothing,
        fair_share_mean=nothing,
        fair_share_sd=nothing,
        residual=nothing,
        histogram=histogram,
        extreme_corner_stations=corner,
        unavailable=reason,
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
