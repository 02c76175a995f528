"""The apportionment problem (the JSON format of data/electoral-systems/README.md): its typed
form, and reading it from a parsed document with every problem named by its field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from tallyroom.domain.electoral_systems.divisor_methods import DivisorMethod, DivisorSeries
from tallyroom.domain.electoral_systems.drawn_lot import Lot, NoLot, RecordedLot, SeededLot
from tallyroom.domain.electoral_systems.largest_remainder import Quota
from tallyroom.domain.electoral_systems.mixed_member import ConstituencyWinner
from tallyroom.domain.electoral_systems.threshold import (
    PartyStanding,
    Threshold,
    ThresholdBase,
    ThresholdGate,
    ThresholdScope,
)
from tallyroom.domain.electoral_systems.tie_rules import TieRule


class Compensation(StrEnum):
    OVERHANG_KEPT = "overhang_kept"
    WINNERS_COVERED = "winners_covered"
    #: an extension of the format: list seats and constituency seats add up
    PARALLEL = "parallel"


@dataclass(frozen=True, slots=True)
class District:
    id: str
    votes: Mapping[str, int]
    #: None when the seats come from a national allocation
    seats: int | None = None
    blank_votes: int = 0


@dataclass(frozen=True, slots=True)
class Leveling:
    seats_per_district: int
    rule: str = "norway"


@dataclass(frozen=True, slots=True)
class ApportionmentProblem:
    name: str
    method: DivisorMethod | Quota
    districts: tuple[District, ...]
    tie_rules: tuple[TieRule, ...] = (TieRule.LOT,)
    lot: Lot = field(default_factory=NoLot)
    independent_constituency_seats: int = 0
    threshold: Threshold | None = None
    parties: Mapping[str, PartyStanding] = field(default_factory=dict)
    compensatory: Compensation | None = None
    leveling: Leveling | None = None
    national_then_districts: bool = False
    house_size: int | None = None
    constituency_winners: tuple[ConstituencyWinner, ...] = ()


class ProblemInvalid(ValueError):
    """Every problem found, as (field path, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


_TOP_KEYS = {
    "format",
    "name",
    "method",
    "first_divisor",
    "tie_break",
    "lot_seed",
    "recorded_lots",
    "independent_constituency_seats",
    "threshold",
    "parties",
    "compensatory",
    "leveling",
    "allocation",
    "house_size",
    "constituency_winners",
    "districts",
}
_METHODS = {"dhondt", "sainte-lague", "hare", "droop", "hagenbach-bischoff"}
_PARTY_TIE_RULES = {TieRule.MOST_VOTES.value, TieRule.LOT.value}
_LIMIT = 10**12
#: seats are allocated one by one: a bound keeps a hostile problem from running for hours
_SEAT_LIMIT = 100_000


class _Reader:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append((where, message))

    def keys(self, value: Any, where: str, allowed: set[str], required: set[str]) -> bool:
        if not isinstance(value, dict):
            self.problem(where, "must be an object")
            return False
        prefix = "" if where == "$" else f"{where}."
        for key in sorted(set(value) - allowed):
            self.problem(f"{prefix}{key}", "unknown key (refused, not ignored)")
        for key in sorted(required - set(value)):
            self.problem(f"{prefix}{key}", "is required")
        return True

    def count(self, value: Any, where: str, minimum: int = 0, maximum: int = _LIMIT) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, "must be a whole number")
            return None
        if not minimum <= value <= maximum:
            self.problem(where, f"must be between {minimum} and {maximum}")
            return None
        return int(value)

    def number(self, value: Any, where: str, low: Fraction, high: Fraction) -> Fraction | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(where, "must be a number")
            return None
        # repr gives the shortest decimal that reads back as the float: 1.4 is 7/5 exactly.
        exact = Fraction(value) if isinstance(value, int) else Fraction(repr(value))
        if not low < exact <= high:
            self.problem(where, f"must be above {low} and at most {high}")
            return None
        return exact

    def text(self, value: Any, where: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(where, "must be a non-empty string")
            return None
        return value

    def flag(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            self.problem(where, "must be true or false")
            return False
        return value

    def choice(self, value: Any, where: str, allowed: set[str]) -> str | None:
        if value not in allowed:
            self.problem(where, f"must be one of {', '.join(sorted(allowed))}")
            return None
        return str(value)


def read_problem(document: Any) -> ApportionmentProblem:
    """The problem the document states; ProblemInvalid lists everything wrong with it."""
    reader = _Reader()
    if not reader.keys(document, "$", _TOP_KEYS, {"name", "method", "districts"}):
        raise ProblemInvalid(reader.problems)
    if "format" in document and document["format"] != 1:
        reader.problem("format", "only format 1 is known")
    name = reader.text(document.get("name"), "name") or "problem"
    method = _method(reader, document)
    tie_rules = _tie_rules(reader, document.get("tie_break", ["lot"]))
    lot = _lot(reader, document)
    independents = (
        reader.count(
            document.get("independent_constituency_seats", 0), "independent_constituency_seats"
        )
        or 0
    )
    threshold = _threshold(reader, document["threshold"]) if "threshold" in document else None
    parties = _parties(reader, document.get("parties", {}))
    compensatory = None
    if "compensatory" in document:
        chosen = reader.choice(
            document["compensatory"], "compensatory", {c.value for c in Compensation}
        )
        compensatory = Compensation(chosen) if chosen else None
    leveling = _leveling(reader, document["leveling"]) if "leveling" in document else None
    national_then_districts = False
    if "allocation" in document:
        national_then_districts = bool(
            reader.choice(document["allocation"], "allocation", {"national_then_districts"})
        )
    house_size = None
    if "house_size" in document:
        house_size = reader.count(document["house_size"], "house_size", 1, _SEAT_LIMIT)
    districts = _districts(reader, document.get("districts"), national_then_districts)
    winners = _winners(reader, document.get("constituency_winners", []), {d.id for d in districts})
    problem = ApportionmentProblem(
        name=name,
        method=method or DivisorMethod(DivisorSeries.DHONDT),
        districts=districts,
        tie_rules=tie_rules,
        lot=lot,
        independent_constituency_seats=independents,
        threshold=threshold,
        parties=parties,
        compensatory=compensatory,
        leveling=leveling,
        national_then_districts=national_then_districts,
        house_size=house_size,
        constituency_winners=winners,
    )
    _check_together(reader, document, problem)
    if reader.problems:
        raise ProblemInvalid(reader.problems)
    return problem


def _method(reader: _Reader, document: Mapping[str, Any]) -> DivisorMethod | Quota | None:
    name = reader.choice(document.get("method"), "method", _METHODS)
    first = None
    if "first_divisor" in document:
        first = reader.number(
            document["first_divisor"], "first_divisor", Fraction(0), Fraction(_LIMIT)
        )
    if name is None:
        return None
    if name in {"dhondt", "sainte-lague"}:
        return DivisorMethod(DivisorSeries(name), first)
    if "first_divisor" in document:
        reader.problem("first_divisor", "only a divisor method has divisors")
    return Quota(name)


def _tie_rules(reader: _Reader, value: Any) -> tuple[TieRule, ...]:
    if not isinstance(value, list) or not value:
        reader.problem("tie_break", "must be a non-empty list")
        return (TieRule.LOT,)
    rules: list[TieRule] = []
    for index, item in enumerate(value):
        chosen = reader.choice(item, f"tie_break[{index}]", _PARTY_TIE_RULES)
        if chosen:
            rules.append(TieRule(chosen))
    if len(set(rules)) != len(rules):
        reader.problem("tie_break", "names a rule twice")
    if TieRule.LOT in rules and rules[-1] is not TieRule.LOT:
        reader.problem("tie_break", "the lot can only be the last rule")
    return tuple(rules) or (TieRule.LOT,)


def _lot(reader: _Reader, document: Mapping[str, Any]) -> Lot:
    if "lot_seed" in document and "recorded_lots" in document:
        reader.problem("recorded_lots", "give either a lot seed or recorded lots, not both")
    if "lot_seed" in document:
        seed = document["lot_seed"]
        if not isinstance(seed, str) or not re.fullmatch(r"(?:[0-9a-fA-F]{2}){8,256}", seed):
            reader.problem("lot_seed", "must be hexadecimal, 8 to 256 bytes")
            return NoLot()
        return SeededLot(bytes.fromhex(seed))
    if "recorded_lots" in document:
        recorded = document["recorded_lots"]
        if not isinstance(recorded, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in recorded.items()
        ):
            reader.problem("recorded_lots", "must map each seat drawn for to its winner")
            return NoLot()
        return RecordedLot(dict(recorded))
    return NoLot()


def _threshold(reader: _Reader, value: Any) -> Threshold | None:
    allowed = {
        "percent",
        "scope",
        "base",
        "coalition_percent",
        "waiver_constituency_seats",
        "applies_to",
    }
    if not reader.keys(value, "threshold", allowed, {"percent"}):
        return None
    percent = reader.number(value.get("percent"), "threshold.percent", Fraction(0), Fraction(100))
    scope = reader.choice(
        value.get("scope", "national"), "threshold.scope", {s.value for s in ThresholdScope}
    )
    base = reader.choice(
        value.get("base", "party_votes"), "threshold.base", {b.value for b in ThresholdBase}
    )
    coalition = None
    if "coalition_percent" in value:
        coalition = reader.number(
            value["coalition_percent"], "threshold.coalition_percent", Fraction(0), Fraction(100)
        )
    waiver = None
    if "waiver_constituency_seats" in value:
        waiver = reader.count(
            value["waiver_constituency_seats"], "threshold.waiver_constituency_seats", 1
        )
    gate = reader.choice(
        value.get("applies_to", "all"), "threshold.applies_to", {g.value for g in ThresholdGate}
    )
    if percent is None or scope is None or base is None or gate is None:
        return None
    return Threshold(
        percent, ThresholdScope(scope), ThresholdBase(base), coalition, waiver, ThresholdGate(gate)
    )


def _parties(reader: _Reader, value: Any) -> dict[str, PartyStanding]:
    if not isinstance(value, dict):
        reader.problem("parties", "must be an object by party id")
        return {}
    parties: dict[str, PartyStanding] = {}
    for party, facts in value.items():
        where = f"parties.{party}"
        if not reader.keys(
            facts, where, {"coalition", "threshold_exempt", "constituency_seats"}, set()
        ):
            continue
        parties[party] = PartyStanding(
            coalition=reader.flag(facts.get("coalition", False), f"{where}.coalition"),
            threshold_exempt=reader.flag(
                facts.get("threshold_exempt", False), f"{where}.threshold_exempt"
            ),
            constituency_seats=reader.count(
                facts.get("constituency_seats", 0), f"{where}.constituency_seats"
            )
            or 0,
        )
    return parties


def _leveling(reader: _Reader, value: Any) -> Leveling | None:
    if not reader.keys(value, "leveling", {"seats_per_district", "rule"}, {"seats_per_district"}):
        return None
    seats = reader.count(
        value.get("seats_per_district"), "leveling.seats_per_district", 1, _SEAT_LIMIT
    )
    rule = reader.choice(value.get("rule", "norway"), "leveling.rule", {"norway"})
    if seats is None or rule is None:
        return None
    return Leveling(seats, rule)


def _districts(reader: _Reader, value: Any, national: bool) -> tuple[District, ...]:
    if not isinstance(value, list) or not value:
        reader.problem("districts", "must be a non-empty list")
        return ()
    districts: list[District] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        where = f"districts[{index}]"
        if not reader.keys(
            item,
            where,
            {"id", "seats", "blank_votes", "votes"},
            {"id", "votes"} | (set() if national else {"seats"}),
        ):
            continue
        district_id = reader.text(item.get("id"), f"{where}.id")
        if district_id in seen:
            reader.problem(f"{where}.id", f"{district_id} is given twice")
        if district_id:
            seen.add(district_id)
        seats = None
        if "seats" in item:
            if national:
                reader.problem(
                    f"{where}.seats", "districts carry no seats in a national allocation"
                )
            seats = reader.count(item["seats"], f"{where}.seats", 0, _SEAT_LIMIT)
        blank = reader.count(item.get("blank_votes", 0), f"{where}.blank_votes") or 0
        votes: dict[str, int] = {}
        if not isinstance(item.get("votes"), dict):
            reader.problem(f"{where}.votes", "must be an object of votes by party")
        else:
            for party, count in item["votes"].items():
                checked = reader.count(count, f"{where}.votes.{party}")
                if checked is not None:
                    votes[party] = checked
        districts.append(District(district_id or f"#{index}", votes, seats, blank))
    return tuple(districts)


def _winners(reader: _Reader, value: Any, districts: set[str]) -> tuple[ConstituencyWinner, ...]:
    if not isinstance(value, list):
        reader.problem("constituency_winners", "must be a list")
        return ()
    winners: list[ConstituencyWinner] = []
    seen: set[str] = set()
    fields = {"constituency", "district", "party", "votes", "valid_votes"}
    for index, item in enumerate(value):
        where = f"constituency_winners[{index}]"
        if not reader.keys(item, where, fields, fields):
            continue
        constituency = reader.text(item["constituency"], f"{where}.constituency")
        district = reader.text(item["district"], f"{where}.district")
        party = reader.text(item["party"], f"{where}.party")
        votes = reader.count(item["votes"], f"{where}.votes")
        valid = reader.count(item["valid_votes"], f"{where}.valid_votes", 1)
        if constituency in seen:
            reader.problem(f"{where}.constituency", f"{constituency} is given twice")
        if district is not None and district not in districts:
            reader.problem(f"{where}.district", f"{district} is not a district of the problem")
        if votes is not None and valid is not None and votes > valid:
            reader.problem(f"{where}.votes", "more than the constituency's valid votes")
        if constituency and district and party and votes is not None and valid is not None:
            seen.add(constituency)
            winners.append(ConstituencyWinner(constituency, district, party, votes, valid))
    return tuple(winners)


def _check_together(
    reader: _Reader, document: Mapping[str, Any], problem: ApportionmentProblem
) -> None:
    if problem.national_then_districts and problem.house_size is None:
        reader.problem("house_size", "is required with allocation national_then_districts")
    if "house_size" in document and not problem.national_then_districts:
        reader.problem("house_size", "only with allocation national_then_districts")
    if problem.compensatory is Compensation.WINNERS_COVERED and not problem.national_then_districts:
        reader.problem("compensatory", "winners_covered needs allocation national_then_districts")
    if problem.constituency_winners and problem.compensatory is not Compensation.WINNERS_COVERED:
        reader.problem("constituency_winners", "only with compensatory winners_covered")
    threshold = problem.threshold
    national_share = problem.national_then_districts or problem.compensatory in {
        Compensation.OVERHANG_KEPT,
        Compensation.WINNERS_COVERED,
    }
    if (
        threshold is not None
        and threshold.scope is ThresholdScope.DISTRICT
        and (national_share or threshold.applies_to is ThresholdGate.LEVELING)
    ):
        reader.problem("threshold.scope", "a district threshold cannot gate a national share")
    if problem.leveling is not None:
        if national_share:
            reader.problem("leveling", "leveling seats go with district allocations only")
        if not isinstance(problem.method, DivisorMethod):
            reader.problem("leveling", "the Norwegian rule needs a divisor method")
    elif threshold is not None and threshold.applies_to is ThresholdGate.LEVELING:
        reader.problem("threshold.applies_to", "there are no leveling seats to gate")
    if problem.leveling is None and problem.compensatory is None and not national_share:
        for index, district in enumerate(problem.districts):
            if district.seats == 0:
                reader.problem(f"districts[{index}].seats", "a district needs seats")
    house = problem.house_size or sum(d.seats or 0 for d in problem.districts)
    leveling_total = (
        problem.leveling.seats_per_district * len(problem.districts) if problem.leveling else 0
    )
    if house + leveling_total > _SEAT_LIMIT:
        reader.problem("districts", f"more than {_SEAT_LIMIT} seats in all")
    if problem.independent_constituency_seats > house:
        reader.problem("independent_constituency_seats", "more than the house")
