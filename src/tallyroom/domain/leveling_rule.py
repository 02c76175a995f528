"""An election's leveling seats as its definition declares them (election.yaml's `leveling`,
named as the apportionment-problem format names them): the rule, how many seats, the national
step's divisor method and the national threshold that gates them."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tallyroom.domain.electoral_systems.divisor_methods import DivisorMethod, DivisorSeries
from tallyroom.domain.electoral_systems.threshold import ThresholdBase
from tallyroom.domain.list_contest import threshold_percent_of

_FIELDS = {"rule", "seats_per_district", "seats", "method", "first_divisor", "threshold"}


@dataclass(frozen=True, slots=True)
class LevelingRule:
    """Leveling seats over the district list contests (Norway: one per district, 4 %)."""

    #: "norway": the Election Act ch. 11 rule (the only one there is)
    rule: str
    #: leveling seats each district list contest adds; None when `seats` is a total
    seats_per_district: int | None
    #: leveling seats in all, placed wherever the geographic step puts them; None: per district
    seats: int | None
    method: DivisorMethod
    #: a party needs this share of the national list votes for any leveling seat
    threshold_percent: Fraction
    threshold_base: ThresholdBase = ThresholdBase.PARTY_VOTES

    def total(self, districts: int) -> int:
        """Leveling seats in all, for an election with `districts` district list contests."""
        if self.seats is not None:
            return self.seats
        return (self.seats_per_district or 0) * districts

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"rule": self.rule}
        if self.seats_per_district is not None:
            document["seats_per_district"] = self.seats_per_district
        if self.seats is not None:
            document["seats"] = self.seats
        document["method"] = self.method.series.value
        if self.method.first_divisor is not None:
            document["first_divisor"] = str(self.method.first_divisor)
        document["threshold"] = {
            "percent": str(self.threshold_percent),
            "base": self.threshold_base.value,
        }
        return document


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of 1 or more")
    return int(value)


def leveling_rule_of(data: Any) -> LevelingRule:
    """The leveling seats a definition (or the store) describes; ValueError naming the first
    problem."""
    if not isinstance(data, dict):
        raise ValueError("must be a mapping with rule, seats_per_district or seats, and threshold")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}")
    rule = data.get("rule", "norway")
    if rule != "norway":
        raise ValueError("rule must be norway")
    per_district = data.get("seats_per_district")
    total = data.get("seats")
    if (per_district is None) == (total is None):
        raise ValueError("give either seats_per_district or seats (the total), not both")
    if per_district is not None:
        per_district = _whole(per_district, "seats_per_district")
    if total is not None:
        total = _whole(total, "seats")
    try:
        series = DivisorSeries(data.get("method", "sainte-lague"))
    except ValueError:
        raise ValueError("method must be dhondt or sainte-lague (a divisor method)") from None
    first_divisor = None
    if data.get("first_divisor") is not None:
        raw = data["first_divisor"]
        try:
            if isinstance(raw, bool):
                raise ValueError
            first_divisor = Fraction(str(raw))
        except (ValueError, ZeroDivisionError):
            raise ValueError("first_divisor must be a number") from None
        if first_divisor <= 0:
            raise ValueError("first_divisor must be above 0")
    threshold = data.get("threshold", {})
    if not isinstance(threshold, dict):
        raise ValueError("threshold must be a mapping with percent (and base)")
    unknown = sorted(set(threshold) - {"percent", "base"})
    if unknown:
        raise ValueError(f"unknown threshold field {unknown[0]!r}")
    try:
        base = ThresholdBase(threshold.get("base", "party_votes"))
    except ValueError:
        raise ValueError("threshold.base must be party_votes or party_and_blank_votes") from None
    return LevelingRule(
        rule=rule,
        seats_per_district=per_district,
        seats=total,
        method=DivisorMethod(series, first_divisor),
        threshold_percent=threshold_percent_of(threshold.get("percent", 0)),
        threshold_base=base,
    )
