"""District list contests: the list seats of one constituency, the district threshold with or
without blank votes in its base, and the candidates taking the seats in closed list order."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from tallyroom.domain.contest import Contest
from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.district_list_seats import (
    district_list_seats,
    party_list,
)
from tallyroom.domain.list_contest import ListMethod
from tallyroom.domain.seat_status import SeatStatus


def _dhondt(votes: dict[str, int], seats: int) -> dict[str, int]:
    """Seat by seat, the highest votes / (won + 1): a plain D'Hondt for checking."""
    won = dict.fromkeys(votes, 0)
    for _ in range(seats):
        best = max(votes, key=lambda p: Fraction(votes[p], won[p] + 1))
        won[best] += 1
    return won


def test_kinds_parse_with_either_spelling_and_know_they_are_lists() -> None:
    assert ContestKind("sainte_lague") is ContestKind.SAINTE_LAGUE
    assert ContestKind("dhondt").is_list
    assert not ContestKind.TWO_ROUND_MAJORITY.is_list
    contest = Contest(7, ContestKind.HARE, 5, threshold_percent=Fraction(3))
    listed = contest.list_contest()
    assert listed is not None
    assert (listed.code, listed.seats, listed.method) == ("constituency-7", 5, ListMethod.HARE)
    assert Contest(7, ContestKind.SINGLE_MEMBER_PLURALITY, 1).list_contest() is None


def test_blank_votes_in_the_base_keep_a_party_under_the_district_line() -> None:
    # 3 % of party votes is 300 (ABC passes); 3 % of party and blank votes is 330 (it fails).
    votes = {"ABC": 310, "DEF": 5000, "GHI": 4690}
    for counts_blank, passes in ((False, True), (True, False)):
        contest = Contest(
            1,
            ContestKind.DHONDT,
            30,
            threshold_percent=Fraction(3),
            threshold_counts_blank=counts_blank,
        ).list_contest()
        assert contest is not None
        outcome = district_list_seats(
            contest, votes, lists={}, blank_votes=1000, count_complete=True
        )
        passing = {p: v for p, v in votes.items() if p != "ABC" or passes}
        assert outcome.allocation.seats == _dhondt(passing, 30) | ({} if passes else {"ABC": 0})
        assert outcome.allocation.threshold_votes == Fraction(3, 100) * (
            10_000 + (1000 if counts_blank else 0)
        )


def test_closed_lists_take_the_seats_and_a_short_list_leaves_seats_unfilled() -> None:
    contest = Contest(2, ContestKind.DHONDT, 4).list_contest()
    assert contest is not None
    lists = {
        "ABC": party_list([("C3", 2), ("C1", 1), ("C9", None)]),
        "DEF": party_list([("C5", 1)]),
    }
    outcome = district_list_seats(
        contest, {"ABC": 500, "DEF": 480}, lists=lists, count_complete=False
    )
    seats = outcome.allocation.seats
    assert seats == _dhondt({"ABC": 500, "DEF": 480}, 4)
    expected_abc = ["C1", "C3", "C9"][: seats["ABC"]]
    assert [c for p, c in outcome.seat_holders if p == "ABC"] == expected_abc
    assert outcome.unfilled == ({"DEF": seats["DEF"] - 1} if seats["DEF"] > 1 else {})
    assert outcome.status is SeatStatus.LEADING


def test_no_votes_no_holders() -> None:
    contest = Contest(2, ContestKind.HARE, 3).list_contest()
    assert contest is not None
    outcome = district_list_seats(contest, {"ABC": 0}, lists={}, count_complete=False)
    assert outcome.status is None
    assert outcome.seat_holders == ()


@given(
    st.dictionaries(st.sampled_from("ABCDEF"), st.integers(1, 10_000), min_size=1),
    st.integers(1, 12),
    st.sampled_from([ContestKind.DHONDT, ContestKind.SAINTE_LAGUE, ContestKind.DROOP]),
)
def test_seats_sum_to_the_district_and_holders_never_exceed_them(
    votes: dict[str, int], seats: int, kind: ContestKind
) -> None:
    contest = Contest(1, kind, seats).list_contest()
    assert contest is not None
    lists = {p: party_list([(f"{p}{i}", i) for i in range(1, 4)]) for p in votes}
    outcome = district_list_seats(contest, votes, lists=lists, count_complete=True)
    if outcome.allocation.lot_needed_between:
        return
    assert sum(outcome.allocation.seats.values()) == seats
    assert len(outcome.seat_holders) + sum(outcome.unfilled.values()) == seats
