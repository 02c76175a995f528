from __future__ import annotations

from datetime import date

from tallyroom.domain.electoral_systems.two_round_majority import first_round, second_round


def test_majority_short_of_a_quarter_of_registered_goes_to_round_two() -> None:
    outcome = first_round({"A": 210, "B": 120, "C": 70}, valid_votes=400, registered=1000)
    assert outcome.elected is None
    assert outcome.majority_short_of_registered == ("A",)
    # Only A reaches 12.5 % of registered (125): the next best, B, stands too.
    assert outcome.runoff == ("A", "B")


def test_elected_in_round_one_at_exactly_a_quarter() -> None:
    outcome = first_round({"A": 201, "B": 199}, valid_votes=400, registered=804)
    assert outcome.elected == "A"
    assert outcome.runoff == ()


def test_exactly_half_is_no_majority() -> None:
    outcome = first_round({"A": 200, "B": 150, "C": 50}, valid_votes=400, registered=600)
    assert outcome.elected is None
    assert outcome.majority_short_of_registered == ()
    # 12.5 % of 600 is 75: A and B qualify, C does not.
    assert outcome.runoff == ("A", "B")


def test_three_qualify() -> None:
    outcome = first_round({"A": 150, "B": 140, "C": 110}, valid_votes=400, registered=800)
    assert outcome.runoff == ("A", "B", "C")


def test_round_two_tie_goes_to_the_older() -> None:
    born = {"A": date(1990, 1, 1), "B": date(1955, 6, 1)}
    assert second_round({"A": 300, "B": 300}, birth_dates=born) == "B"
    assert second_round({"A": 301, "B": 300}, birth_dates=born) == "A"
