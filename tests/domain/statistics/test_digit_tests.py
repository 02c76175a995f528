"""Last-digit (Beber & Scacco) and second-digit Benford (Mebane) tests."""

from __future__ import annotations

import numpy as np
import pytest

from tallyroom.domain.statistics.last_digit import last_digit_test
from tallyroom.domain.statistics.second_digit_benford import (
    EXPECTED_MEAN,
    second_digit_test,
    second_digits,
)
from tallyroom.domain.statistics.synthetic_election import clean_synthetic_election


def test_second_digits_and_benford_mean() -> None:
    assert list(second_digits(np.array([10, 19, 123, 4567, 99]))) == [0, 9, 2, 5, 9]
    assert pytest.approx(4.187, abs=0.001) == EXPECTED_MEAN


def test_clean_counts_pass_both_tests() -> None:
    results = clean_synthetic_election(20_000, seed=31)
    assert last_digit_test(results).p_value > 0.001
    assert second_digit_test(results).p_value > 0.001


def test_counts_invented_with_favourite_digits_fail_the_last_digit_test() -> None:
    results = clean_synthetic_election(20_000, seed=32)
    votes = results.votes.copy()
    # a forger at a third of stations rounds the leader's count to end in 0 or 5
    forged = np.arange(0, results.station_count, 3)
    votes[forged, 0] = (votes[forged, 0] // 5) * 5
    outcome = last_digit_test(results.with_changes(votes=votes))
    assert outcome.p_value < 1e-6
    assert outcome.digit_shares[0] + outcome.digit_shares[5] > 0.25
