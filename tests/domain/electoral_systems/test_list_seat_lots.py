"""A list contest's seat tied on the deciding quotient: open, naming the seat the lot is drawn
for, until the commission's lot for that seat is given; then the lot decides it."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tallyroom.domain.electoral_systems.list_seats import list_seats
from tallyroom.domain.list_contest import ListContest, ListMethod


@pytest.mark.parametrize("method", list(ListMethod))
def test_a_tied_last_seat_waits_for_its_lot_then_follows_it(method: ListMethod) -> None:
    contest = ListContest("constituency-1", 2, method, Fraction(0))
    votes = {"YAP": 300, "REAL": 200, "MUS": 200}
    # D'Hondt and Sainte-Laguë: 300, then 200 and 200 for the second seat; Hare (quota 350)
    # and Droop (234): REAL and MUS hold equal remainders for it
    open_ = list_seats(contest, votes, count_complete=True)
    assert open_.lot_needed_between == ("MUS", "REAL")
    assert open_.open_seats == 2
    assert open_.lot_needed_for
    assert open_.quotient_table()["lot_needed_for"] == open_.lot_needed_for
    drawn = list_seats(contest, votes, count_complete=True, lots={open_.lot_needed_for: "MUS"})
    assert drawn.open_seats == 0
    assert drawn.lot_needed_for == ""
    assert drawn.seats == {"YAP": 1, "REAL": 0, "MUS": 1}
