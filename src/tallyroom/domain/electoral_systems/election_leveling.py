"""An election's leveling seats from its district list contests as counted: the national
threshold, the Norwegian rule over the ordinary seats won, the candidate who takes each
leveling seat (the next on the party's list in that district) and the tables behind it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from tallyroom.domain.electoral_systems.candidate_selection import ListCandidate, closed_list
from tallyroom.domain.electoral_systems.divisor_methods import (
    DivisorMethod,
    NoVotesToAllocate,
)
from tallyroom.domain.electoral_systems.drawn_lot import LotDraw, RecordedLot, TieNeedsLot
from tallyroom.domain.electoral_systems.leveling_seats import LevelingOutcome, norwegian_leveling
from tallyroom.domain.electoral_systems.list_seats import exact_number
from tallyroom.domain.electoral_systems.threshold import Threshold, apply_threshold
from tallyroom.domain.leveling_rule import LevelingRule
from tallyroom.domain.seat_status import SeatStatus, list_seat_status


@dataclass(frozen=True, slots=True)
class LevelingSeat:
    """One leveling seat: where the geographic step placed it, for whom, and who takes it."""

    order: int
    district: str
    party: str
    quotient: Fraction
    #: the party's next list candidate in the district; None when its list is used up
    candidate: str | None


@dataclass(frozen=True, slots=True)
class ElectionLeveling:
    rule: LevelingRule
    #: national list votes by party (every district list contest summed)
    national_votes: Mapping[str, int]
    #: the threshold's base and the votes a party needs for leveling seats
    base_votes: int
    threshold_votes: Fraction
    passing: frozenset[str]
    #: leveling seats in all
    seats: int
    #: won once every district list station is counted (or its contest certified), leading
    #: before; None before any list vote
    status: SeatStatus | None
    outcome: LevelingOutcome | None
    placed: tuple[LevelingSeat, ...] = ()
    #: ordinary seats the district list contests gave each party, summed
    district_seats: Mapping[str, int] = field(default_factory=dict)
    #: a tie (in the national step, or in placing a leveling seat in a district) awaiting the
    #: commission's lot: the seat it was drawn for, and the tied parties (or district / party)
    lot_needed_between: tuple[str, ...] = field(default_factory=tuple)
    lot_needed_for: str = ""

    @property
    def lots(self) -> tuple[LotDraw, ...]:
        """The commission's lots that decided a leveling tie, in the order they applied."""
        return self.outcome.lots if self.outcome is not None else ()

    @property
    def unfilled(self) -> dict[str, int]:
        """Leveling seats a party is owed that stay empty: its list used up in every district
        where a leveling seat was still open. They are the party's all the same (counted in
        its leveling seats), shown unfilled with that reason."""
        return dict(self.outcome.unfilled) if self.outcome is not None else {}

    @property
    def by_party(self) -> dict[str, int]:
        seats: dict[str, int] = dict(self.unfilled)
        for seat in self.placed:
            seats[seat.party] = seats.get(seat.party, 0) + 1
        return seats

    @property
    def seated_by_party(self) -> dict[str, int]:
        """The leveling seats each party holds in the seat tally: placed, with a candidate to
        take them, once any list vote is counted."""
        seats: dict[str, int] = {}
        if self.status is None:
            return seats
        for seat in self.placed:
            if seat.candidate is not None:
                seats[seat.party] = seats.get(seat.party, 0) + 1
        return seats

    def national_seats(self) -> list[tuple[str, int, int]]:
        """(party, district seats, leveling seats), most seats first; parties with neither
        left out."""
        leveling = self.by_party
        parties = set(self.district_seats) | set(leveling)
        rows = [(p, self.district_seats.get(p, 0), leveling.get(p, 0)) for p in parties]
        return sorted(
            (row for row in rows if row[1] or row[2]), key=lambda row: (-row[1] - row[2], row[0])
        )

    def in_district(self, district: str) -> tuple[LevelingSeat, ...]:
        return tuple(seat for seat in self.placed if seat.district == district)

    def quotient_table(self) -> dict[str, Any]:
        """The leveling as open data: the national steps' quotients, the parties dropped as
        over-represented, and the geographic step's placements (fractions exact as text)."""
        outcome = self.outcome
        return {
            "rule": self.rule.as_json(),
            "seats": self.seats,
            "status": self.status.value if self.status is not None else None,
            "base_votes": self.base_votes,
            "threshold_votes": _exact(self.threshold_votes),
            "national_votes": dict(self.national_votes),
            "passed": sorted(self.passing),
            "lot_needed_between": list(self.lot_needed_between),
            "lot_needed_for": self.lot_needed_for,
            "lots": [
                {"seat": lot.seat, "between": list(lot.between), "won_by": lot.won_by}
                for lot in self.lots
            ],
            "national_steps": [
                {
                    "label": step.label,
                    "seats": dict(step.seats),
                    "quotients": {
                        party: [
                            {"divisor": str(step.method.divisor(n)), "quotient": _exact(q)}
                            for n, q in enumerate(quotients)
                        ]
                        for party, quotients in step.quotients.items()
                    },
                }
                for step in (outcome.national_steps if outcome is not None else ())
            ],
            "over_represented": list(outcome.over_represented) if outcome is not None else [],
            "party_leveling_seats": dict(outcome.party_leveling_seats)
            if outcome is not None
            else {},
            "unfilled": [
                {"party": party, "seats": seats, "reason": "list_used_up"}
                for party, seats in sorted(self.unfilled.items())
            ],
            "national_seats": [
                {"party": party, "district_seats": district, "leveling_seats": leveling}
                for party, district, leveling in self.national_seats()
            ],
            "placements": [
                {
                    "order": seat.order,
                    "district": seat.district,
                    "party": seat.party,
                    "candidate": seat.candidate,
                    "quotient": _exact(seat.quotient),
                }
                for seat in self.placed
            ],
        }


def _summed(by_district: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for seats in by_district.values():
        for party, count in seats.items():
            if count:
                totals[party] = totals.get(party, 0) + count
    return totals


def _exact(value: Fraction) -> dict[str, str]:
    # four decimals: quotients over votes per seat are small numbers close together
    return exact_number(value, digits=4)


def election_leveling(
    rule: LevelingRule,
    district_votes: Mapping[str, Mapping[str, int]],
    ordinary_won: Mapping[str, Mapping[str, int]],
    ordinary_seats: Mapping[str, int],
    *,
    lists: Mapping[str, Mapping[str, Sequence[ListCandidate]]],
    blank_votes: int = 0,
    count_complete: bool,
    lots: Mapping[str, str] | None = None,
) -> ElectionLeveling:
    """The leveling seats as the count stands, over the district list contests' votes
    (`district_votes`, by district id) and the ordinary seats they gave (`ordinary_won`).
    A tie the law leaves to a lot is decided by the lot the commission drew and recorded for
    it (`lots`, by seat); until then it is never drawn: the seats stay open and the tied
    parties are named, as for list seats."""
    national: dict[str, int] = {}
    for votes in district_votes.values():
        for party, count in votes.items():
            national[party] = national.get(party, 0) + count
    outcome_threshold = apply_threshold(
        Threshold(rule.threshold_percent, base=rule.threshold_base),
        national,
        blank_votes=blank_votes,
    )
    total = rule.total(len(ordinary_seats))
    status = list_seat_status(
        has_votes=sum(national.values()) > 0, national_count_complete=count_complete
    )
    before_allocation = ElectionLeveling(
        rule=rule,
        national_votes=dict(sorted(national.items(), key=lambda kv: (-kv[1], kv[0]))),
        base_votes=outcome_threshold.base_votes,
        threshold_votes=outcome_threshold.line_votes(rule.threshold_percent),
        passing=outcome_threshold.passing,
        seats=total,
        status=None,
        outcome=None,
        district_seats=_summed(ordinary_won),
    )
    # a district takes at most its own leveling seats; with a total, any number of them
    cap = rule.seats_per_district if rule.seats_per_district is not None else total
    caps = dict.fromkeys(ordinary_seats, cap)
    try:
        outcome = norwegian_leveling(
            district_votes,
            ordinary_won,
            ordinary_seats,
            caps,
            outcome_threshold.passing,
            national_method=rule.method,
            # the geographic step divides by the plain series (§ 11-6 (4)): Sainte-Laguë's
            # 1, 3, 5 …, never the modified first divisor
            district_method=DivisorMethod(rule.method.series),
            total_leveling_seats=rule.seats,
            lot=RecordedLot(lots or {}),
            # a party whose list in a district is used up takes its seat in its next district
            list_lengths={
                district: {party: len(members) for party, members in party_lists.items()}
                for district, party_lists in lists.items()
            },
        )
    except NoVotesToAllocate:
        return before_allocation
    except TieNeedsLot as tie:
        return replace(
            before_allocation,
            status=status,
            lot_needed_between=tie.between,
            lot_needed_for=tie.seat,
        )
    if status is None:
        return before_allocation
    taken: dict[tuple[str, str], int] = {}
    placed: list[LevelingSeat] = []
    for placement in outcome.placements:
        key = (placement.district, placement.party)
        taken[key] = taken.get(key, 0) + 1
        ordinary = ordinary_won.get(placement.district, {}).get(placement.party, 0)
        party_list = lists.get(placement.district, {}).get(placement.party, ())
        elected = closed_list(party_list, ordinary + taken[key]).elected
        place = ordinary + taken[key]
        candidate = elected[place - 1] if len(elected) >= place else None
        placed.append(
            LevelingSeat(
                placement.order, placement.district, placement.party, placement.quotient, candidate
            )
        )
    return replace(before_allocation, status=status, outcome=outcome, placed=tuple(placed))
