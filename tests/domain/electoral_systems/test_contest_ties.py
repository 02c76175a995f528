"""A contest's ties by the election's tie rule (`ContestTies`): the older or the younger
candidate, then the lot; the lot alone; a lot not yet drawn holds the seat open and names the
seat and the tied; never list or dict order."""

from __future__ import annotations

from datetime import date

import pytest

from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.contest_seats import ContestTies, contest_seats
from tallyroom.domain.electoral_systems.tie_rules import TieRule
from tallyroom.domain.results import PendingTie

BORN = {"A": date(1960, 1, 1), "B": date(1970, 1, 1), "C": date(1980, 1, 1)}
#: three seats: A first, then B and C tied for the last two with D... B, C, D tied for two
VOTES = {"A": 500, "B": 300, "C": 300, "D": 300}
BORN_D = BORN | {"D": date(1990, 1, 1)}


@pytest.mark.parametrize(
    ("rule", "holders"),
    [
        (TieRule.OLDER_CANDIDATE, ("A", "B", "C")),
        (TieRule.YOUNGER_CANDIDATE, ("A", "D", "C")),
    ],
)
def test_multi_member_last_seats_by_age(rule: TieRule, holders: tuple[str, ...]) -> None:
    seats = contest_seats(
        ContestKind.MULTI_MEMBER_PLURALITY,
        VOTES,
        seats=3,
        registered_voters=0,
        ties=ContestTies(rule, BORN_D),
        contest="constituency-7",
    )
    assert seats.holders == holders
    assert (seats.open_seats, seats.pending) == (0, None)


@pytest.mark.parametrize("order", [VOTES, dict(reversed(list(VOTES.items())))])
def test_the_lot_alone_holds_the_tied_seats_open_whatever_the_order(
    order: dict[str, int],
) -> None:
    seats = contest_seats(
        ContestKind.MULTI_MEMBER_PLURALITY,
        order,
        seats=3,
        registered_voters=0,
        contest="constituency-7",
    )
    assert seats.holders == ("A",)
    assert seats.open_seats == 2
    first = "constituency-7 seat 2 (place 1 of 2)"
    assert seats.pending == PendingTie(first, ("B", "C", "D"))
    # one lot per place: the first drawn, the second is drawn between the two left
    after_one = contest_seats(
        ContestKind.MULTI_MEMBER_PLURALITY,
        order,
        seats=3,
        registered_voters=0,
        ties=ContestTies(lots={first: "C"}),
        contest="constituency-7",
    )
    second = "constituency-7 seat 2 (place 2 of 2)"
    assert after_one.pending == PendingTie(second, ("B", "D"))
    both = contest_seats(
        ContestKind.MULTI_MEMBER_PLURALITY,
        order,
        seats=3,
        registered_voters=0,
        ties=ContestTies(lots={first: "C", second: "D"}),
        contest="constituency-7",
    )
    assert (both.holders, both.pending) == (("A", "C", "D"), None)


def test_equal_birth_dates_fall_to_the_lot_then_follow_it() -> None:
    born = {"A": date(1960, 1, 1), "B": date(1960, 1, 1)}
    votes = {"A": 10, "B": 10}
    pending = contest_seats(
        ContestKind.SINGLE_MEMBER_PLURALITY,
        votes,
        seats=1,
        registered_voters=0,
        ties=ContestTies(TieRule.OLDER_CANDIDATE, born),
        contest="constituency-1",
    ).pending
    assert pending == PendingTie("constituency-1 seat 1", ("A", "B"))
    drawn = contest_seats(
        ContestKind.SINGLE_MEMBER_PLURALITY,
        votes,
        seats=1,
        registered_voters=0,
        ties=ContestTies(TieRule.OLDER_CANDIDATE, born, {pending.seat: "B"}),
        contest="constituency-1",
    )
    assert (drawn.holders, drawn.pending) == (("B",), None)


def test_an_age_rule_without_birth_dates_names_them() -> None:
    seats = contest_seats(
        ContestKind.SINGLE_MEMBER_PLURALITY,
        {"A": 10, "B": 10},
        seats=1,
        registered_voters=0,
        ties=ContestTies(TieRule.YOUNGER_CANDIDATE, {"A": date(1960, 1, 1)}),
    )
    assert seats.holders == ()
    assert seats.pending == PendingTie("", ("B",), "birth_dates_missing")
