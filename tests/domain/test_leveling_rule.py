"""A definition's leveling seats: read with the apportionment-problem format's names, refused
with the first problem named, and written back as read."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tallyroom.domain.electoral_systems.divisor_methods import DivisorSeries
from tallyroom.domain.electoral_systems.threshold import ThresholdBase
from tallyroom.domain.leveling_rule import leveling_rule_of


def test_norway_as_the_definition_names_it() -> None:
    rule = leveling_rule_of(
        {
            "rule": "norway",
            "seats_per_district": 1,
            "method": "sainte-lague",
            "first_divisor": 1.4,
            "threshold": {"percent": 4, "base": "party_votes"},
        }
    )
    assert rule.method.series is DivisorSeries.SAINTE_LAGUE
    assert rule.method.first_divisor == Fraction(7, 5)
    assert rule.threshold_percent == 4
    assert rule.threshold_base is ThresholdBase.PARTY_VOTES
    assert rule.total(19) == 19
    assert leveling_rule_of(rule.as_json()) == rule


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"threshold": {"percent": 4}}, "either seats_per_district or seats"),
        ({"seats": 3, "seats_per_district": 1}, "either seats_per_district or seats"),
        ({"seats": 0}, "seats must be a whole number"),
        ({"seats": 3, "method": "hare"}, "divisor method"),
        ({"seats": 3, "rule": "sweden"}, "rule must be norway"),
        ({"seats": 3, "first_divisor": "x"}, "first_divisor must be a number"),
        ({"seats": 3, "threshold": {"percent": 120}}, "threshold_percent must be"),
        ({"seats": 3, "threshold": {"base": "everyone"}}, "threshold.base"),
        ({"seats": 3, "colour": "red"}, "unknown field 'colour'"),
        (3, "must be a mapping"),
    ],
)
def test_a_bad_leveling_declaration_names_its_problem(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        leveling_rule_of(data)
