"""Solving an apportionment problem: thresholds, the district or national allocation, leveling
seats and mixed-system rules in the order the law applies them, with every table kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tallyroom.domain.electoral_systems.apportionment_problem import (
    ApportionmentProblem,
    Compensation,
)
from tallyroom.domain.electoral_systems.divisor_methods import (
    DivisorAllocation,
    DivisorMethod,
    allocate_by_divisors,
)
from tallyroom.domain.electoral_systems.drawn_lot import LotDraw
from tallyroom.domain.electoral_systems.largest_remainder import (
    RemainderAllocation,
    allocate_by_largest_remainder,
)
from tallyroom.domain.electoral_systems.leveling_seats import LevelingOutcome, norwegian_leveling
from tallyroom.domain.electoral_systems.mixed_member import (
    CoveredWinners,
    overhang_kept,
    parallel,
    winners_covered,
)
from tallyroom.domain.electoral_systems.threshold import (
    ThresholdGate,
    ThresholdOutcome,
    ThresholdScope,
    apply_threshold,
)

Allocation = DivisorAllocation | RemainderAllocation


@dataclass(frozen=True, slots=True)
class ApportionmentResult:
    name: str
    #: every seat by party, leveling and constituency seats included; parties with seats only
    seats: Mapping[str, int]
    #: ordinary (or list) seats by district and party
    districts: Mapping[str, Mapping[str, int]]
    leveling_seats: Mapping[str, Mapping[str, int]] | None
    covered: CoveredWinners | None
    #: the threshold as applied, by where it was applied ("national" or a district id)
    thresholds: Mapping[str, ThresholdOutcome]
    #: every allocation run, with its quotient or remainder table
    allocations: tuple[Allocation, ...]
    leveling: LevelingOutcome | None
    lots: tuple[LotDraw, ...]

    @property
    def house(self) -> int:
        return sum(self.seats.values())


def _allocate(
    problem: ApportionmentProblem, votes: Mapping[str, int], seats: int, label: str
) -> Allocation:
    if isinstance(problem.method, DivisorMethod):
        return allocate_by_divisors(
            votes, seats, problem.method, label=label, tie_rules=problem.tie_rules, lot=problem.lot
        )
    return allocate_by_largest_remainder(
        votes, seats, problem.method, label=label, tie_rules=problem.tie_rules, lot=problem.lot
    )


def _summed(parts: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for seats in parts.values():
        for party, count in seats.items():
            totals[party] = totals.get(party, 0) + count
    return totals


def _with_seats(seats: Mapping[str, int]) -> dict[str, int]:
    return {p: n for p, n in sorted(seats.items(), key=lambda kv: (-kv[1], kv[0])) if n > 0}


def apportion(problem: ApportionmentProblem) -> ApportionmentResult:
    national_votes = _summed({d.id: d.votes for d in problem.districts})
    threshold = problem.threshold
    thresholds: dict[str, ThresholdOutcome] = {}
    national_pass: frozenset[str] | None = None
    if threshold is not None and threshold.scope is ThresholdScope.NATIONAL:
        outcome = apply_threshold(
            threshold,
            national_votes,
            blank_votes=sum(d.blank_votes for d in problem.districts),
            parties=problem.parties,
        )
        thresholds["national"] = outcome
        national_pass = outcome.passing
    gates_all = threshold is not None and threshold.applies_to is ThresholdGate.ALL_SEATS
    constituency_seats = {
        p: s.constituency_seats for p, s in problem.parties.items() if s.constituency_seats
    }
    if problem.national_then_districts or problem.compensatory in {
        Compensation.OVERHANG_KEPT,
        Compensation.WINNERS_COVERED,
    }:
        return _national_share(
            problem,
            national_votes,
            national_pass if gates_all else None,
            thresholds,
            constituency_seats,
        )
    allocations: list[Allocation] = []
    districts: dict[str, dict[str, int]] = {}
    for district in problem.districts:
        eligible = dict(district.votes)
        if gates_all and threshold is not None:
            if threshold.scope is ThresholdScope.DISTRICT:
                local = apply_threshold(
                    threshold,
                    district.votes,
                    blank_votes=district.blank_votes,
                    parties=problem.parties,
                )
                thresholds[district.id] = local
                passing = local.passing
            else:
                passing = national_pass or frozenset()
            eligible = {p: v for p, v in eligible.items() if p in passing}
        allocation = _allocate(problem, eligible, district.seats or 0, district.id)
        allocations.append(allocation)
        districts[district.id] = _with_seats(allocation.seats)
    totals = _summed(districts)
    leveling = None
    leveling_seats = None
    if problem.leveling is not None and isinstance(problem.method, DivisorMethod):
        qualifying = national_pass if national_pass is not None else frozenset(national_votes)
        leveling = norwegian_leveling(
            {d.id: d.votes for d in problem.districts},
            districts,
            {d.id: d.seats or 0 for d in problem.districts},
            {d.id: problem.leveling.seats_per_district for d in problem.districts},
            qualifying,
            national_method=problem.method,
            district_method=DivisorMethod(problem.method.series),
            tie_rules=problem.tie_rules,
            lot=problem.lot,
        )
        allocations.extend(leveling.national_steps)
        leveling_seats = leveling.by_district
        totals = _summed({"ordinary": totals, "leveling": _summed(leveling_seats)})
    if problem.compensatory is Compensation.PARALLEL:
        totals = parallel(totals, constituency_seats)
    lots = [draw for allocation in allocations for draw in allocation.lots]
    if leveling is not None:
        lots.extend(d for d in leveling.lots if d not in lots)
    return ApportionmentResult(
        problem.name,
        _with_seats(totals),
        districts,
        leveling_seats,
        None,
        thresholds,
        tuple(allocations),
        leveling,
        tuple(lots),
    )


def _national_share(
    problem: ApportionmentProblem,
    national_votes: Mapping[str, int],
    passing: frozenset[str] | None,
    thresholds: dict[str, ThresholdOutcome],
    constituency_seats: Mapping[str, int],
) -> ApportionmentResult:
    """House-wide share on national votes (MMP, Germany), then, with national_then_districts,
    each party's seats among its district (Land) lists."""
    house = problem.house_size or sum(d.seats or 0 for d in problem.districts)
    eligible = {p: v for p, v in national_votes.items() if passing is None or p in passing}
    national = _allocate(
        problem, eligible, house - problem.independent_constituency_seats, "national"
    )
    allocations: list[Allocation] = [national]
    share = dict(national.seats)
    totals = dict(share)
    if problem.compensatory is Compensation.OVERHANG_KEPT:
        totals = overhang_kept(share, constituency_seats)
    elif problem.compensatory is Compensation.PARALLEL:
        totals = parallel(share, constituency_seats)
    districts: dict[str, dict[str, int]] = {}
    covered = None
    if problem.national_then_districts:
        for party, seats in sorted(share.items()):
            if seats == 0:
                continue
            by_district = {
                d.id: d.votes.get(party, 0) for d in problem.districts if d.votes.get(party, 0) > 0
            }
            split = _allocate(problem, by_district, seats, f"{party} by district")
            allocations.append(split)
            for district, count in split.seats.items():
                if count:
                    districts.setdefault(district, {})[party] = count
        districts = {d.id: _with_seats(districts.get(d.id, {})) for d in problem.districts}
        if problem.compensatory is Compensation.WINNERS_COVERED:
            covered = winners_covered(
                districts,
                problem.constituency_winners,
                tie_rules=problem.tie_rules,
                lot=problem.lot,
            )
    else:
        districts = {d.id: _with_seats(totals) for d in problem.districts[:1]}
    lots = [draw for allocation in allocations for draw in allocation.lots]
    if covered is not None:
        lots.extend(covered.lots)
    return ApportionmentResult(
        problem.name,
        _with_seats(totals),
        districts,
        None,
        covered,
        thresholds,
        tuple(allocations),
        None,
        tuple(lots),
    )
