"""Last-digit uniformity of vote counts (Beber & Scacco, Political Analysis 2012)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from tallyroom.domain.statistics.resampled_counts import resampled_vote_counts
from tallyroom.domain.statistics.station_results import FloatArray, IntArray, StationResults

#: counts below 10 have a last digit that is their whole value, and small values dominate
MINIMUM_COUNT = 10


@dataclass(frozen=True)
class LastDigitResult:
    #: share of each last digit 0–9 over all candidates' counts of at least 10
    digit_shares: FloatArray
    counts_tested: int
    #: against the digits of binomially resampled counts (same station sizes and rates)
    chi_square: float
    p_value: float
    #: against exact uniformity, as Beber & Scacco; small counts break it in clean data
    p_value_uniform: float
    #: candidate name → chi-square p-value for that candidate's counts alone
    candidate_p_values: dict[str, float]
    #: stations where every tested count ends in 0 or 5 (at least 3 counts)
    stations: IntArray
    #: share of each last digit in the resampled counts: the baseline of `p_value`
    reference_shares: FloatArray = field(default_factory=lambda: np.full(10, np.nan))


def last_digit_test(results: StationResults, resampled: IntArray | None = None) -> LastDigitResult:
    """`resampled`: the counts of `resampled_vote_counts(results)`, when the caller has
    them already (the second-digit test uses the same ones)."""
    counts = results.votes
    tested = counts >= MINIMUM_COUNT
    digits = counts % 10
    frequencies = np.bincount(digits[tested], minlength=10).astype(np.float64)
    _, p_uniform = _uniform_chi_square(frequencies)
    if resampled is None:
        resampled = resampled_vote_counts(results)
    reference = np.bincount(resampled[resampled >= MINIMUM_COUNT] % 10, minlength=10).astype(
        np.float64
    )
    chi_square, p_value = _reference_chi_square(frequencies, reference)
    per_candidate: dict[str, float] = {}
    for column, name in enumerate(results.candidate_names):
        column_digits = digits[tested[:, column], column]
        if len(column_digits) >= 50:
            per_candidate[name] = _uniform_chi_square(
                np.bincount(column_digits, minlength=10).astype(np.float64)
            )[1]
    round_digit = tested & ((digits == 0) | (digits == 5))
    tested_per_station = tested.sum(axis=1)
    stations = np.flatnonzero(
        (tested_per_station >= 3) & (round_digit.sum(axis=1) == tested_per_station)
    )
    total = frequencies.sum()
    return LastDigitResult(
        digit_shares=frequencies / total if total else frequencies,
        counts_tested=int(total),
        chi_square=chi_square,
        p_value=p_value,
        p_value_uniform=p_uniform,
        candidate_p_values=per_candidate,
        stations=stations.astype(np.int64),
        reference_shares=reference / max(reference.sum(), 1.0),
    )


def _reference_chi_square(observed: FloatArray, reference: FloatArray) -> tuple[float, float]:
    """Two-sample chi-square: observed digits against those of the resampled counts."""
    if observed.sum() == 0 or reference.sum() == 0:
        return 0.0, 1.0
    statistic, p_value, _, _ = stats.chi2_contingency(np.vstack([observed, reference]) + 0.5)
    return float(statistic), float(p_value)


def _uniform_chi_square(frequencies: FloatArray) -> tuple[float, float]:
    total = frequencies.sum()
    if total == 0:
        return 0.0, 1.0
    statistic, p_value = stats.chisquare(frequencies)
    return float(statistic), float(p_value)
