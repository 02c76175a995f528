"""Second-digit Benford's law test of vote counts (Mebane's 2BL test)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from tallyroom.domain.statistics.resampled_counts import resampled_vote_counts
from tallyroom.domain.statistics.station_results import FloatArray, IntArray, StationResults

#: P(second digit = d) under Benford's law: Σ_k log10(1 + 1/(10k + d)), k = 1…9
SECOND_DIGIT_PROBABILITIES = np.array(
    [sum(np.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)]
)
#: ≈ 4.187, the 2BL expectation Mebane compares the observed mean with
EXPECTED_MEAN = float(np.dot(np.arange(10), SECOND_DIGIT_PROBABILITIES))


@dataclass(frozen=True)
class SecondDigitResult:
    #: candidate name → mean second digit of that candidate's counts ≥ 10
    candidate_means: dict[str, float]
    #: candidate name → p-value of the mean's departure from 4.187 (normal approximation)
    candidate_p_values: dict[str, float]
    #: pooled counts: observed share of each second digit 0–9
    digit_shares: FloatArray
    #: against the second digits of binomially resampled counts (same sizes and rates)
    chi_square: float
    p_value: float
    counts_tested: int
    #: against Benford's second-digit law itself, as Mebane's 2BL test
    p_value_benford: float
    #: share of each second digit in the resampled counts: the baseline of `p_value`
    reference_shares: FloatArray = field(default_factory=lambda: np.full(10, np.nan))


def second_digit_test(
    results: StationResults, resampled: IntArray | None = None
) -> SecondDigitResult:
    """`resampled`: the counts of `resampled_vote_counts(results)`, when the caller has
    them already (the last-digit test uses the same ones)."""
    counts = results.votes
    means: dict[str, float] = {}
    p_values: dict[str, float] = {}
    variance = float(np.dot((np.arange(10) - EXPECTED_MEAN) ** 2, SECOND_DIGIT_PROBABILITIES))
    pooled = np.zeros(10, dtype=np.float64)
    for column, name in enumerate(results.candidate_names):
        values = counts[:, column]
        digits = second_digits(values[values >= 10])
        if len(digits) == 0:
            continue
        pooled += np.bincount(digits, minlength=10)
        if len(digits) >= 50:
            mean = float(digits.mean())
            means[name] = mean
            z = (mean - EXPECTED_MEAN) / np.sqrt(variance / len(digits))
            p_values[name] = float(2 * stats.norm.sf(abs(z)))
    total = pooled.sum()
    if total == 0:
        return SecondDigitResult(means, p_values, pooled, 0.0, 1.0, 0, 1.0)
    _, p_benford = stats.chisquare(pooled, SECOND_DIGIT_PROBABILITIES * total)
    if resampled is None:
        resampled = resampled_vote_counts(results)
    reference = np.bincount(second_digits(resampled[resampled >= 10]), minlength=10)
    statistic, p_value, _, _ = stats.chi2_contingency(np.vstack([pooled, reference]) + 0.5)
    return SecondDigitResult(
        candidate_means=means,
        candidate_p_values=p_values,
        digit_shares=pooled / total,
        chi_square=float(statistic),
        p_value=float(p_value),
        counts_tested=int(total),
        p_value_benford=float(p_benford),
        reference_shares=reference / max(int(reference.sum()), 1),
    )


def second_digits(values: IntArray) -> IntArray:
    """Second significant digit of each value ≥ 10."""
    # integer comparisons, not log10: exact at powers of ten and cheaper on millions of counts
    divisor = np.ones(len(values), dtype=np.int64)
    largest = int(values.max()) if len(values) else 0
    power = 2
    while 10**power <= largest:
        divisor[values >= 10**power] = 10 ** (power - 1)
        power += 1
    digits: IntArray = ((values // divisor) % 10).astype(np.int64)
    return digits
