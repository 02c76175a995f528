from __future__ import annotations

from fractions import Fraction

import pytest

from tallyroom.domain.electoral_systems.drawn_lot import TieNeedsLot
from tallyroom.domain.electoral_systems.largest_remainder import (
    Quota,
    allocate_by_largest_remainder,
)
from tallyroom.domain.electoral_systems.tie_rules import TieRule

VOTES = {"A": 47_000, "B": 16_000, "C": 15_800, "D": 12_000, "E": 6_100, "F": 3_100}


def test_hare_textbook() -> None:
    allocation = allocate_by_largest_remainder(VOTES, 10, Quota.HARE)
    assert allocation.quota == 10_000
    assert dict(allocation.quota_seats) == {"A": 4, "B": 1, "C": 1, "D": 1, "E": 0, "F": 0}
    assert allocation.remainder_seats == ("A", "E", "B")
    assert dict(allocation.seats) == {"A": 5, "B": 2, "C": 1, "D": 1, "E": 1, "F": 0}


def test_droop_textbook() -> None:
    allocation = allocate_by_largest_remainder(VOTES, 10, Quota.DROOP)
    assert allocation.quota == 9_091
    assert dict(allocation.seats) == {"A": 5, "B": 2, "C": 2, "D": 1, "E": 0, "F": 0}


def test_hagenbach_bischoff_exact_quota() -> None:
    allocation = allocate_by_largest_remainder(VOTES, 10, Quota.HAGENBACH_BISCHOFF)
    assert allocation.quota == Fraction(100_000, 11)
    assert sum(allocation.seats.values()) == 10


def test_hagenbach_bischoff_one_quota_too_many_goes_by_the_tie_rules() -> None:
    # Quota 3/3 = 1: whole quotas give A 2 and B 1, three seats of two, every remainder 0.
    with pytest.raises(TieNeedsLot):
        allocate_by_largest_remainder({"A": 2, "B": 1}, 2, Quota.HAGENBACH_BISCHOFF)
    allocation = allocate_by_largest_remainder(
        {"A": 2, "B": 1},
        2,
        Quota.HAGENBACH_BISCHOFF,
        tie_rules=(TieRule.MOST_VOTES, TieRule.LOT),
    )
    assert dict(allocation.seats) == {"A": 2, "B": 0}


def test_equal_remainders_for_the_last_seat() -> None:
    with pytest.raises(TieNeedsLot):
        allocate_by_largest_remainder({"A": 150, "B": 150}, 1, Quota.HARE)
