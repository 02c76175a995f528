from __future__ import annotations

from fractions import Fraction

from tallyroom.domain.electoral_systems.apportionment import apportion
from tallyroom.domain.electoral_systems.apportionment_problem import read_problem


def test_over_represented_party_leaves_the_national_step() -> None:
    problem = {
        "name": "leveling",
        "method": "sainte-lague",
        "first_divisor": 1.4,
        "leveling": {"seats_per_district": 1, "rule": "norway"},
        "districts": [
            {"id": "S", "seats": 2, "votes": {"X": 100, "Y": 10, "Z": 10}},
            {"id": "L", "seats": 10, "votes": {"Y": 1000, "Z": 990}},
        ],
    }
    result = apportion(read_problem(problem))
    assert result.leveling is not None
    # X wins both seats of S but is owed none of the 14 nationally: it leaves with them.
    assert result.leveling.national_steps[0].seats["X"] == 0
    assert result.leveling.over_represented == ("X",)
    assert result.leveling.national_steps[-1].seats == {"Y": 6, "Z": 6}
    assert result.leveling.party_leveling_seats == {"Y": 1, "Z": 1}
    # Y's quotient in L, 1000 / 11 / (1990 / 10), beats Z's; Z then takes S's.
    assert result.leveling_seats == {"L": {"Y": 1}, "S": {"Z": 1}}
    assert result.leveling.placements[0].quotient == Fraction(1000, 11) / Fraction(1990, 10)
    assert dict(result.seats) == {"Y": 6, "Z": 6, "X": 2}
