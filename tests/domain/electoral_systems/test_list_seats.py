"""List seats of a party-list contest: the threshold gates, the method shares, the quotient
table shows why, and the seats are won only once the national count is complete."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tallyroom.domain.electoral_systems.list_seats import list_seats
from tallyroom.domain.list_contest import ListContest, ListMethod, list_contest_of
from tallyroom.domain.seat_status import SeatStatus


def contest(method: ListMethod, seats: int = 7, threshold: int = 5) -> ListContest:
    return ListContest("national-list", seats, method, Fraction(threshold))


VOTES = {"A": 34_000, "B": 25_000, "C": 23_000, "D": 14_000, "E": 4_000}


def test_dhondt_above_the_threshold_with_the_quotient_table() -> None:
    outcome = list_seats(contest(ListMethod.DHONDT), VOTES, count_complete=False)
    # E has 4 % of 100,000: under the 5 % line of 5,000 votes, no seat though D'Hondt
    # alone would not give it one either; A 34000, 17000, 11333; B 25000, 12500; C 23000,
    # 11500; D 14000: the seventh quotient is 11500 (C) over A's 11333.
    assert outcome.seats == {"A": 2, "B": 2, "C": 2, "D": 1, "E": 0}
    assert outcome.threshold_votes == 5_000
    assert outcome.status is SeatStatus.LEADING
    table = outcome.quotient_table()
    assert table["threshold_votes"] == {"exact": "5000", "decimal": "5000.00"}
    row_a = next(row for row in table["rows"] if row["party"] == "A")
    assert [q["seat"] for q in row_a["quotients"]] == [1, 4, None]
    assert row_a["quotients"][2]["quotient"]["exact"] == "34000/3"
    row_e = next(row for row in table["rows"] if row["party"] == "E")
    assert row_e["passed"] is False
    assert row_e["quotients"] == []


def test_a_party_under_the_threshold_gets_no_seat_it_would_win_otherwise() -> None:
    votes = {"A": 60_000, "B": 36_000, "C": 4_000}
    gated = list_seats(contest(ListMethod.HARE, seats=25), votes, count_complete=True)
    free = list_seats(contest(ListMethod.HARE, seats=25, threshold=0), votes, count_complete=True)
    assert free.seats["C"] == 1
    assert gated.seats["C"] == 0
    assert sum(gated.seats.values()) == 25
    assert gated.status is SeatStatus.WON
    assert gated.seats_won == 25


def test_hare_quota_and_remainders_in_the_table() -> None:
    outcome = list_seats(contest(ListMethod.HARE, seats=5, threshold=0), VOTES, count_complete=True)
    # quota 20,000: A 1 + 14,000; B 1 + 5,000; C 1 + 3,000; D 0 + 14,000; E 0 + 4,000
    assert outcome.quota == 20_000
    assert outcome.seats == {"A": 2, "B": 1, "C": 1, "D": 1, "E": 0}
    rows = {row["party"]: row for row in outcome.quotient_table()["rows"]}
    assert rows["D"]["remainder"]["exact"] == "14000"
    assert rows["D"]["remainder_seat"]
    assert rows["A"]["quota_seats"] == 1


def test_a_tie_for_the_last_seat_leaves_the_seats_open() -> None:
    outcome = list_seats(
        contest(ListMethod.DHONDT, seats=1, threshold=0), {"A": 10, "B": 10}, count_complete=True
    )
    assert outcome.open_seats == 1
    assert outcome.lot_needed_between == ("A", "B")
    assert sum(outcome.seats.values()) == 0


def test_no_votes_yet_no_status() -> None:
    outcome = list_seats(contest(ListMethod.DHONDT), {"A": 0, "B": 0}, count_complete=False)
    assert outcome.status is None
    assert outcome.open_seats == 7


@given(
    st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 10_000), min_size=1),
    st.sampled_from(list(ListMethod)),
    st.integers(1, 30),
)
def test_seats_sum_to_the_contest_and_party_order_changes_nothing(
    votes: dict[str, int], method: ListMethod, seats: int
) -> None:
    forward = list_seats(contest(method, seats), votes, count_complete=True)
    backward = list_seats(
        contest(method, seats), dict(reversed(votes.items())), count_complete=True
    )
    assert forward.seats == backward.seats
    assert sum(forward.seats.values()) + forward.open_seats == seats
    line = forward.threshold_votes
    assert all(forward.seats[p] == 0 for p, count in votes.items() if count < line)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"seats": 0}, "seats"),
        ({"seats": 25, "method": "imperiali"}, "method"),
        ({"seats": 25, "threshold_percent": 100}, "threshold_percent"),
        ({"seats": 25, "threshold_percent": True}, "threshold_percent"),
        ({"seats": 25, "code": "constituency-4"}, "constituency"),
        ({"seats": 25, "surprise": 1}, "unknown field"),
        ([25], "mapping"),
    ],
)
def test_bad_list_contests_are_refused(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        list_contest_of(data)


def test_a_list_contest_round_trips_through_its_json() -> None:
    original = ListContest("national-list", 25, ListMethod.HARE, Fraction(13, 2))
    assert list_contest_of(original.as_json()) == original
