"""An election's leveling seats from its district list contests' votes: Norway 2017's 19
leveling seats exactly, a declared total placed anywhere, the national threshold, running
totals (leading, then won) and the candidate who takes each seat."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from tallyroom.domain.electoral_systems.candidate_selection import ListCandidate
from tallyroom.domain.electoral_systems.divisor_methods import (
    DivisorMethod,
    DivisorSeries,
    allocate_by_divisors,
)
from tallyroom.domain.electoral_systems.election_leveling import election_leveling
from tallyroom.domain.leveling_rule import LevelingRule, leveling_rule_of
from tallyroom.domain.seat_status import SeatStatus

CASES = Path(__file__).parent / "cases"
NORWAY_RULE = {
    "rule": "norway",
    "seats_per_district": 1,
    "method": "sainte-lague",
    "first_divisor": 1.4,
    "threshold": {"percent": 4},
}


def _official_totals(expected: Any) -> dict[str, int]:
    totals: dict[str, int] = {}
    for part in ("districts", "leveling_seats"):
        for seats in expected[part].values():
            for party, count in seats.items():
                totals[party] = totals.get(party, 0) + count
    return totals


def _norway() -> tuple[Any, Any, dict[str, dict[str, int]]]:
    problem = json.loads((CASES / "norway-2017.json").read_text(encoding="utf-8"))
    expected = json.loads((CASES / "norway-2017.expected.json").read_text(encoding="utf-8"))
    method = DivisorMethod(DivisorSeries.SAINTE_LAGUE, Fraction("1.4"))
    ordinary = {
        d["id"]: {
            p: n
            for p, n in allocate_by_divisors(
                d["votes"], d["seats"], method, label=d["id"]
            ).seats.items()
            if n
        }
        for d in problem["districts"]
    }
    return problem, expected, ordinary


def test_norway_2017_leveling_seats_exactly() -> None:
    problem, expected, ordinary = _norway()
    assert ordinary == expected["districts"]
    leveling = election_leveling(
        leveling_rule_of(NORWAY_RULE),
        {d["id"]: d["votes"] for d in problem["districts"]},
        ordinary,
        {d["id"]: d["seats"] for d in problem["districts"]},
        lists={},
        count_complete=True,
    )
    placed: dict[str, dict[str, int]] = {}
    for seat in leveling.placed:
        placed.setdefault(seat.district, {})[seat.party] = 1
    assert placed == expected["leveling_seats"]
    totals = {party: d + lev for party, d, lev in leveling.national_seats()}
    assert totals == _official_totals(expected)
    assert leveling.status is SeatStatus.WON
    # nobody holds a list here: the seats are placed, with no candidate to take them
    assert {seat.candidate for seat in leveling.placed} == {None}


def test_a_declared_total_is_placed_anywhere_with_the_same_national_share() -> None:
    problem, expected, ordinary = _norway()
    rule = leveling_rule_of(
        {k: v for k, v in NORWAY_RULE.items() if k != "seats_per_district"} | {"seats": 19}
    )
    leveling = election_leveling(
        rule,
        {d["id"]: d["votes"] for d in problem["districts"]},
        ordinary,
        {d["id"]: d["seats"] for d in problem["districts"]},
        lists={},
        count_complete=False,
    )
    assert len(leveling.placed) == 19
    assert {p: d + lev for p, d, lev in leveling.national_seats()} == _official_totals(expected)
    assert leveling.status is SeatStatus.LEADING


def _small(rule: LevelingRule, **votes: dict[str, int]) -> Any:
    ordinary = {"1": {"YAP": 2, "REAL": 1}, "2": {"YAP": 1, "MUS": 1}}
    lists = {
        "1": {
            "YAP": (ListCandidate("C001", 1), ListCandidate("C007", 2)),
            "REAL": (ListCandidate("C002", 1), ListCandidate("C008", 2)),
        },
        "2": {"YAP": (ListCandidate("C010", 1), ListCandidate("C011", 2))},
    }
    return election_leveling(
        rule,
        votes
        or {"1": {"YAP": 600, "REAL": 300, "MUS": 100}, "2": {"YAP": 240, "REAL": 40, "MUS": 120}},
        ordinary,
        {"1": 3, "2": 2},
        lists=lists,
        count_complete=True,
    )


def test_the_hand_worked_election_and_its_threshold_line() -> None:
    # tests/leveling_election.py works this allocation out by hand
    rule = leveling_rule_of({"seats_per_district": 1, "threshold": {"percent": 16}})
    leveling = _small(rule)
    assert leveling.threshold_votes == 224
    assert leveling.passing == frozenset({"YAP", "REAL"})
    assert [(s.district, s.party, s.candidate, s.quotient) for s in leveling.placed] == [
        ("2", "YAP", "C011", Fraction(2, 5)),
        ("1", "REAL", "C008", Fraction(3, 10)),
    ]
    table = leveling.quotient_table()
    assert table["passed"] == ["REAL", "YAP"]
    assert table["national_steps"][0]["seats"] == {"REAL": 2, "YAP": 4}
    # at 15 % MUS (220 of 1,400) passes: the leveling is then shared among three parties
    lower = _small(leveling_rule_of({"seats_per_district": 1, "threshold": {"percent": 15}}))
    assert "MUS" in lower.passing


def test_no_votes_no_leveling_seats() -> None:
    rule = leveling_rule_of({"seats_per_district": 1, "threshold": {"percent": 4}})
    leveling = _small(rule, **{"1": {"YAP": 0}, "2": {"YAP": 0}})
    assert leveling.status is None
    assert leveling.placed == ()


def _twin_districts(lots: dict[str, str] | None = None) -> Any:
    # Two districts alike to the vote: B is owed the one leveling seat and its quotient is
    # the same in both, so only the commission's lot can place it.
    return election_leveling(
        leveling_rule_of({"seats": 1, "threshold": {"percent": 4}}),
        {"1": {"A": 300, "B": 100}, "2": {"A": 300, "B": 100}},
        {"1": {"A": 2}, "2": {"A": 2}},
        {"1": 2, "2": 2},
        lists={
            "1": {"B": (ListCandidate("C001", 1),)},
            "2": {"B": (ListCandidate("C002", 1),)},
        },
        count_complete=True,
        lots=lots,
    )


def test_a_tie_placing_a_leveling_seat_waits_for_the_commissions_lot() -> None:
    pending = _twin_districts()
    assert pending.placed == ()
    assert pending.lot_needed_for == "leveling seat 1"
    assert pending.lot_needed_between == ("1 / B", "2 / B")
    assert pending.quotient_table()["lot_needed_for"] == "leveling seat 1"
    drawn = _twin_districts({pending.lot_needed_for: "2 / B"})
    assert [(s.district, s.party, s.candidate) for s in drawn.placed] == [("2", "B", "C002")]
    assert drawn.lot_needed_between == ()
    assert drawn.quotient_table()["lots"] == [
        {"seat": "leveling seat 1", "between": ["1 / B", "2 / B"], "won_by": "2 / B"}
    ]


def test_a_tie_in_the_national_step_waits_for_the_commissions_lot() -> None:
    rule = leveling_rule_of({"seats": 1, "threshold": {"percent": 4}})
    votes = {"1": {"A": 300, "B": 300, "C": 100}, "2": {"A": 100, "B": 100, "C": 300}}
    ordinary = {"1": {"A": 1, "B": 1}, "2": {"C": 2}}
    seats = {"1": 2, "2": 2}
    lots: dict[str, str] = {}
    pending = election_leveling(rule, votes, ordinary, seats, lists={}, count_complete=True)
    assert pending.lot_needed_between == ("A", "B", "C")
    assert pending.placed == ()
    # the commission draws each place the tie leaves open, one lot after another
    while pending.lot_needed_for:
        lots[pending.lot_needed_for] = pending.lot_needed_between[0]
        pending = election_leveling(
            rule, votes, ordinary, seats, lists={}, count_complete=True, lots=lots
        )
        assert len(lots) < 5
    assert pending.status is SeatStatus.WON
    assert len(pending.lots) == len(lots)
    assert pending.outcome is not None
    assert sum(pending.outcome.party_leveling_seats.values()) == len(pending.placed)


def test_a_used_up_list_sends_the_leveling_seat_to_the_partys_next_district() -> None:
    # A's quotient is higher in district 1 (300/3 over 250 votes a seat, against 600/5 over
    # 350), but its list there has one candidate, who holds its ordinary seat: the seat goes
    # to A's next district by the leveling order.
    leveling = election_leveling(
        leveling_rule_of({"seats": 1, "threshold": {"percent": 4}}),
        {"1": {"A": 300, "B": 200}, "2": {"A": 600, "B": 100}},
        {"1": {"A": 1, "B": 1}, "2": {"A": 2}},
        {"1": 2, "2": 2},
        lists={
            "1": {"A": (ListCandidate("C001", 1),), "B": (ListCandidate("C002", 1),)},
            "2": {
                "A": (ListCandidate("C003", 1), ListCandidate("C004", 2), ListCandidate("C005", 3))
            },
        },
        count_complete=True,
    )
    unbounded = election_leveling(
        leveling_rule_of({"seats": 1, "threshold": {"percent": 4}}),
        {"1": {"A": 300, "B": 200}, "2": {"A": 600, "B": 100}},
        {"1": {"A": 1, "B": 1}, "2": {"A": 2}},
        {"1": 2, "2": 2},
        lists={},
        count_complete=True,
    )
    assert [(s.district, s.party) for s in unbounded.placed] == [("1", "A")]
    assert [(s.district, s.party, s.candidate) for s in leveling.placed] == [("2", "A", "C005")]


def test_a_seat_no_list_can_take_is_shown_unfilled_and_counted() -> None:
    # A is owed the leveling seat, but its one-candidate lists are used up in both districts
    leveling = election_leveling(
        leveling_rule_of({"seats": 1, "threshold": {"percent": 4}}),
        {"1": {"A": 300, "B": 200}, "2": {"A": 600, "B": 100}},
        {"1": {"A": 1, "B": 1}, "2": {"A": 2}},
        {"1": 2, "2": 2},
        lists={
            "1": {"A": (ListCandidate("C001", 1),), "B": (ListCandidate("C002", 1),)},
            "2": {"A": (ListCandidate("C003", 1), ListCandidate("C004", 2))},
        },
        count_complete=True,
    )
    assert leveling.placed == ()
    assert leveling.unfilled == {"A": 1}
    assert ("A", 3, 1) in leveling.national_seats()
    assert leveling.quotient_table()["unfilled"] == [
        {"party": "A", "seats": 1, "reason": "list_used_up"}
    ]
