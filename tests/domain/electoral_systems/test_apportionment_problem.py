from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from tallyroom.domain.electoral_systems.apportionment_problem import ProblemInvalid, read_problem
from tallyroom.domain.electoral_systems.divisor_methods import DivisorMethod


def _fields(document: Any) -> dict[str, str]:
    with pytest.raises(ProblemInvalid) as raised:
        read_problem(document)
    return dict(raised.value.problems)


def test_first_divisor_is_exact() -> None:
    problem = read_problem(
        {
            "name": "n",
            "method": "sainte-lague",
            "first_divisor": 1.4,
            "districts": [{"id": "a", "seats": 1, "votes": {"X": 1}}],
        }
    )
    assert isinstance(problem.method, DivisorMethod)
    assert problem.method.first_divisor == Fraction(7, 5)


def test_unknown_keys_are_refused_at_every_level() -> None:
    fields = _fields(
        {
            "name": "n",
            "method": "dhondt",
            "extra": 1,
            "threshold": {"percent": 3, "colour": "red"},
            "parties": {"X": {"nickname": "x"}},
            "districts": [{"id": "a", "seats": 1, "votes": {"X": 1}, "region": "r"}],
        }
    )
    assert set(fields) == {"extra", "threshold.colour", "parties.X.nickname", "districts[0].region"}


def test_types_ranges_and_combinations() -> None:
    fields = _fields(
        {
            "name": "",
            "method": "borda",
            "tie_break": ["lot", "most_votes"],
            "lot_seed": "xyz",
            "house_size": 10,
            "compensatory": "winners_covered",
            "districts": [
                {"id": "a", "seats": True, "votes": {"X": -1}},
                {"id": "a", "seats": 2, "votes": {"X": 1}},
            ],
        }
    )
    assert {
        "name",
        "method",
        "tie_break",
        "lot_seed",
        "house_size",
        "compensatory",
        "districts[0].seats",
        "districts[0].votes.X",
        "districts[1].id",
    } <= set(fields)


def test_leveling_needs_a_divisor_method_and_gating_needs_leveling() -> None:
    fields = _fields(
        {
            "name": "n",
            "method": "hare",
            "leveling": {"seats_per_district": 1},
            "districts": [{"id": "a", "seats": 1, "votes": {"X": 1}}],
        }
    )
    assert "leveling" in fields
    fields = _fields(
        {
            "name": "n",
            "method": "dhondt",
            "threshold": {"percent": 4, "applies_to": "leveling"},
            "districts": [{"id": "a", "seats": 1, "votes": {"X": 1}}],
        }
    )
    assert "threshold.applies_to" in fields


def test_not_an_object() -> None:
    assert _fields([1]) == {"$": "must be an object"}
