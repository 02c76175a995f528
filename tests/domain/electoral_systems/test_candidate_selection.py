from __future__ import annotations

from datetime import date

import pytest

from tallyroom.domain.electoral_systems.candidate_selection import (
    ListCandidate,
    by_preference_votes,
    closed_list,
)
from tallyroom.domain.electoral_systems.drawn_lot import RecordedLot, TieNeedsLot
from tallyroom.domain.electoral_systems.multi_member_plurality import multi_member_plurality
from tallyroom.domain.electoral_systems.tie_rules import TieRule

CANDIDATES = [
    ListCandidate("leader", 1, preference_votes=5_000, polling_stations_with_votes=90),
    ListCandidate("second", 2, preference_votes=800, polling_stations_with_votes=40),
    ListCandidate("popular", 7, preference_votes=9_000, polling_stations_with_votes=95),
    ListCandidate("spread", 5, preference_votes=800, polling_stations_with_votes=70),
]


def test_closed_list_takes_the_filed_order() -> None:
    assert closed_list(list(reversed(CANDIDATES)), 2).elected == ("leader", "second")


def test_preference_votes_as_in_poland() -> None:
    # 800 each for the third seat: votes in more polling stations wins (art. 232).
    assert by_preference_votes(CANDIDATES, 3).elected == ("popular", "leader", "spread")


def test_equal_everything_needs_the_lot() -> None:
    equal = [
        ListCandidate("a", 1, 10, polling_stations_with_votes=3),
        ListCandidate("b", 2, 10, polling_stations_with_votes=3),
    ]
    with pytest.raises(TieNeedsLot):
        by_preference_votes(equal, 1, label="list 4")
    drawn = by_preference_votes(equal, 1, lot=RecordedLot({"list 4 seat 1": "b"}), label="list 4")
    assert drawn.elected == ("b",)
    assert drawn.lots[0].between == ("a", "b")


def test_multi_member_plurality_with_the_older_candidate_rule() -> None:
    votes = {"a": 500, "b": 400, "c": 400, "d": 100}
    born = {"a": date(1980, 1, 1), "b": date(1970, 5, 5), "c": date(1960, 5, 5), "d": None}
    outcome = multi_member_plurality(
        votes, 2, tie_rules=(TieRule.OLDER_CANDIDATE, TieRule.LOT), birth_dates=born
    )
    assert outcome.elected == ("a", "c")
    assert multi_member_plurality(votes, 3).elected == ("a", "b", "c")
