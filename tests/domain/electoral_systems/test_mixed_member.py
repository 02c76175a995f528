from __future__ import annotations

from tallyroom.domain.electoral_systems.apportionment import apportion
from tallyroom.domain.electoral_systems.apportionment_problem import read_problem
from tallyroom.domain.electoral_systems.mixed_member import (
    ConstituencyWinner,
    overhang_kept,
    parallel,
    winners_covered,
)


def test_overhang_kept_and_parallel() -> None:
    assert overhang_kept({"A": 10, "B": 3}, {"A": 4, "B": 5, "C": 1}) == {"A": 10, "B": 5, "C": 1}
    assert parallel({"A": 10, "B": 3}, {"A": 4, "C": 1}) == {"A": 14, "B": 3, "C": 1}


def _winner(constituency: str, party: str, votes: int, district: str = "BY") -> dict[str, object]:
    return {
        "constituency": constituency,
        "district": district,
        "party": party,
        "votes": votes,
        "valid_votes": 1000,
    }


GERMAN_STYLE = {
    "name": "germany-style",
    "method": "sainte-lague",
    "threshold": {"percent": 5, "scope": "national", "waiver_constituency_seats": 3},
    "parties": {"LEFT": {"constituency_seats": 3}, "CSU": {"constituency_seats": 5}},
    "compensatory": "winners_covered",
    "allocation": "national_then_districts",
    "house_size": 12,
    "constituency_winners": [
        _winner("201", "CSU", 500),
        _winner("202", "CSU", 450),
        _winner("203", "CSU", 400),
        _winner("204", "CSU", 350),
        _winner("205", "CSU", 300),
        _winner("101", "CDU", 420, "NW"),
        _winner("102", "CDU", 380, "NW"),
        _winner("103", "LEFT", 330, "NW"),
    ],
    "districts": [
        {"id": "BY", "votes": {"CSU": 400, "SPD": 200, "LEFT": 25}},
        {"id": "NW", "votes": {"CDU": 300, "SPD": 250, "LEFT": 30}},
    ],
}


def test_germany_2023_law_with_the_three_constituency_clause() -> None:
    result = apportion(read_problem(GERMAN_STYLE))
    # LEFT is under 5 % (55 of 1205) but passes on three constituencies (2024 ruling).
    assert result.thresholds["national"].standings["LEFT"].value == "waived by constituency seats"
    assert dict(result.seats) == {"CSU": 4, "SPD": 4, "CDU": 3, "LEFT": 1}
    assert result.districts["BY"] == {"CSU": 4, "SPD": 2}
    assert result.districts["NW"] == {"CDU": 3, "SPD": 2, "LEFT": 1}
    assert result.covered is not None
    # CSU won five constituencies but has four seats: the lowest first-vote share is unseated.
    assert result.covered.not_seated == ("205",)
    assert set(result.covered.seated) == {"201", "202", "203", "204", "101", "102", "103"}
    assert result.covered.list_seats["NW"]["CDU"] == 1


def test_without_the_clause_the_party_gets_nothing() -> None:
    problem = {**GERMAN_STYLE, "threshold": {"percent": 5, "scope": "national"}}
    result = apportion(read_problem(problem))
    assert "LEFT" not in result.seats
    assert result.covered is not None
    assert "103" in result.covered.not_seated
    assert sum(result.seats.values()) == 12


def test_equal_shares_for_the_last_covered_seat_go_by_the_tie_rules() -> None:
    winners = [
        ConstituencyWinner("1", "L", "P", 300, 1000),
        ConstituencyWinner("2", "L", "P", 600, 2000),
        ConstituencyWinner("3", "L", "P", 500, 1000),
    ]
    from tallyroom.domain.electoral_systems.tie_rules import TieRule

    covered = winners_covered({"L": {"P": 2}}, winners, tie_rules=(TieRule.MOST_VOTES,))
    assert covered.seated == ("3", "2")
    assert covered.not_seated == ("1",)


def test_parallel_problem_adds_constituency_seats() -> None:
    problem = {
        "name": "parallel",
        "method": "hare",
        "compensatory": "parallel",
        "parties": {"A": {"constituency_seats": 60}, "B": {"constituency_seats": 40}},
        "districts": [{"id": "national", "seats": 25, "votes": {"A": 510, "B": 290, "C": 200}}],
    }
    result = apportion(read_problem(problem))
    # Hare over 25: A 12.75, B 7.25, C 5 -> 12 + 7 + 5, the last seat to A's remainder.
    assert dict(result.seats) == {"A": 73, "B": 47, "C": 5}
