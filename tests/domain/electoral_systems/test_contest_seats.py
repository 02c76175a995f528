from __future__ import annotations

from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.contest_seats import contest_seats


def test_single_member_plurality_leader_or_open_on_a_tie() -> None:
    kind = ContestKind.SINGLE_MEMBER_PLURALITY
    assert contest_seats(kind, {"a": 5, "b": 3}, seats=1, registered_voters=100).holders == ("a",)
    tied = contest_seats(kind, {"a": 5, "b": 5}, seats=1, registered_voters=100)
    assert tied.holders == ()
    assert tied.open_seats == 1


def test_multi_member_plurality_holds_the_seats_above_a_tie() -> None:
    kind = ContestKind.MULTI_MEMBER_PLURALITY
    votes = {"a": 50, "b": 40, "c": 30, "d": 30, "e": 0}
    assert contest_seats(kind, votes, seats=2, registered_voters=500).holders == ("a", "b")
    at_tie = contest_seats(kind, votes, seats=3, registered_voters=500)
    assert at_tie.holders == ("a", "b")
    assert at_tie.open_seats == 1
    assert contest_seats(kind, votes, seats=4, registered_voters=500).holders == (
        "a",
        "b",
        "c",
        "d",
    )
    # A candidate without a vote holds no seat.
    assert contest_seats(kind, votes, seats=5, registered_voters=500).open_seats == 1


def test_two_round_majority() -> None:
    kind = ContestKind.TWO_ROUND_MAJORITY
    elected = contest_seats(kind, {"a": 60, "b": 40}, seats=1, registered_voters=200)
    assert elected.holders == ("a",)
    # 60 of 100 valid votes, but under 25 % of 400 registered: round 2 for a and b.
    short = contest_seats(kind, {"a": 60, "b": 40}, seats=1, registered_voters=400)
    assert short.holders == ()
    assert short.runoff == ("a", "b")
    assert short.open_seats == 1
