from __future__ import annotations

from fractions import Fraction

import pytest

from tallyroom.domain.electoral_systems.divisor_methods import (
    DHONDT,
    SAINTE_LAGUE,
    DivisorMethod,
    DivisorSeries,
    NoVotesToAllocate,
    allocate_by_divisors,
)
from tallyroom.domain.electoral_systems.drawn_lot import SeededLot, TieNeedsLot
from tallyroom.domain.electoral_systems.tie_rules import TieRule, TieUnresolved

VOTES = {"A": 100_000, "B": 80_000, "C": 30_000, "D": 20_000}


def test_dhondt_textbook() -> None:
    allocation = allocate_by_divisors(VOTES, 8, DHONDT)
    assert allocation.seats == {"A": 4, "B": 3, "C": 1, "D": 0}
    assert [a.party for a in allocation.awards] == ["A", "B", "A", "B", "A", "C", "B", "A"]
    # The quotient table runs to each party's first losing quotient.
    assert allocation.quotients["A"] == (100_000, 50_000, Fraction(100_000, 3), 25_000, 20_000)
    assert allocation.last_quotient == 25_000


def test_sainte_lague_textbook() -> None:
    assert allocate_by_divisors(VOTES, 8, SAINTE_LAGUE).seats == {"A": 3, "B": 3, "C": 1, "D": 1}


def test_modified_first_divisor_holds_back_small_parties() -> None:
    votes = {"big": 1000, "small": 130}
    # Plain Sainte-Laguë: big takes seats 1-4 (1000, 333, 200, 142.9), then small's 130
    # beats big's 1000/9 = 111.1.
    assert allocate_by_divisors(votes, 5, SAINTE_LAGUE).seats == {"big": 4, "small": 1}
    modified = DivisorMethod(DivisorSeries.SAINTE_LAGUE, Fraction(7, 5))
    # With 1.4, small has 130 / 1.4 = 92.9 < 1000/9 = 111.1: big takes all five.
    assert allocate_by_divisors(votes, 5, modified).seats == {"big": 5, "small": 0}
    assert modified.divisor(0) == Fraction(7, 5)
    assert modified.divisor(1) == 3


def test_tie_for_the_last_seat_needs_the_law() -> None:
    votes = {"A": 300, "B": 300, "C": 100}
    with pytest.raises(TieNeedsLot) as raised:
        allocate_by_divisors(votes, 3, DHONDT, label="X")
    assert raised.value.between == ("A", "B")
    allocation = allocate_by_divisors(votes, 3, DHONDT, lot=SeededLot(b"seed-of-the-draw"))
    assert allocation.seats["A"] + allocation.seats["B"] == 3
    assert len(allocation.lots) == 1
    assert allocation.lots[0].between == ("A", "B")
    assert allocation.awards[-1].by_tie


def test_tie_that_fits_the_seats_is_no_tie() -> None:
    allocation = allocate_by_divisors({"A": 300, "B": 300}, 2, DHONDT)
    assert allocation.seats == {"A": 1, "B": 1}
    assert allocation.lots == ()


def test_most_votes_decides_before_the_lot() -> None:
    # A's 2nd quotient 300 equals B's first: most votes (A, 600) wins.
    votes = {"A": 600, "B": 300}
    allocation = allocate_by_divisors(votes, 2, DHONDT, tie_rules=(TieRule.MOST_VOTES, TieRule.LOT))
    assert allocation.seats == {"A": 2, "B": 0}
    assert allocation.lots == ()
    with pytest.raises(TieUnresolved):
        allocate_by_divisors({"A": 5, "B": 5}, 1, DHONDT, tie_rules=(TieRule.MOST_VOTES,))


def test_no_votes_no_seats() -> None:
    with pytest.raises(NoVotesToAllocate):
        allocate_by_divisors({"A": 0}, 1, DHONDT)
    assert allocate_by_divisors({"A": 0, "B": 5}, 2, DHONDT).seats == {"A": 0, "B": 2}
