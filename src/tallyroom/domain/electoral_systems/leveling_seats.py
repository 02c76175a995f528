"""Leveling seats by the Norwegian rule (Election Act ch. 11): a national step that shares the
whole house among the qualifying parties, dropping over-represented parties and re-running,
then a geographic step that places each party's leveling seats district by district."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from tallyroom.domain.electoral_systems.divisor_methods import (
    SAINTE_LAGUE,
    DivisorAllocation,
    DivisorMethod,
    allocate_by_divisors,
)
from tallyroom.domain.electoral_systems.drawn_lot import Lot, LotDraw, NoLot
from tallyroom.domain.electoral_systems.tie_rules import TieRule, break_tie


@dataclass(frozen=True, slots=True)
class LevelingPlacement:
    """One leveling seat placed in the geographic step, with the quotient that placed it."""

    order: int
    district: str
    party: str
    quotient: Fraction


@dataclass(frozen=True, slots=True)
class LevelingOutcome:
    #: each national step run, the last one the one that counts
    national_steps: tuple[DivisorAllocation, ...]
    #: parties dropped as over-represented, in the order they were dropped
    over_represented: tuple[str, ...]
    #: leveling seats each party is owed nationally
    party_leveling_seats: Mapping[str, int]
    placements: tuple[LevelingPlacement, ...]
    lots: tuple[LotDraw, ...]
    #: leveling seats a party is owed that no district could take: its list used up in every
    #: district with a leveling seat still open
    unfilled: Mapping[str, int] = field(default_factory=dict)

    @property
    def by_district(self) -> dict[str, dict[str, int]]:
        seats: dict[str, dict[str, int]] = {}
        for placement in self.placements:
            district = seats.setdefault(placement.district, {})
            district[placement.party] = district.get(placement.party, 0) + 1
        return seats


def norwegian_leveling(
    district_votes: Mapping[str, Mapping[str, int]],
    district_seats: Mapping[str, Mapping[str, int]],
    ordinary_seats: Mapping[str, int],
    leveling_seats: Mapping[str, int],
    qualifying: frozenset[str],
    *,
    national_method: DivisorMethod,
    district_method: DivisorMethod = SAINTE_LAGUE,
    tie_rules: Sequence[TieRule] = (TieRule.LOT,),
    lot: Lot | None = None,
    total_leveling_seats: int | None = None,
    list_lengths: Mapping[str, Mapping[str, int]] | None = None,
) -> LevelingOutcome:
    """`district_seats` are the ordinary seats won; `qualifying` the parties past the leveling
    threshold. The national step uses `national_method` (modified Sainte-Laguë in Norway); the
    geographic step divides a party's district votes by `district_method`'s next divisor for
    the seats it holds there, and that by the district's votes per ordinary seat (§ 11-6).
    `total_leveling_seats`, when given, is the house's leveling seats and `leveling_seats`
    only each district's cap (an election that declares a total, placed anywhere).
    `list_lengths` (by district, then party), where given, are the candidates each party's
    list holds: a party whose list in a district is used up takes no leveling seat there, and
    the seat goes to its next district in the leveling order."""
    lot = lot or NoLot()
    national_votes: dict[str, int] = {}
    won: dict[str, int] = {}
    for district, votes in district_votes.items():
        for party, count in votes.items():
            national_votes[party] = national_votes.get(party, 0) + count
        for party, count in district_seats.get(district, {}).items():
            won[party] = won.get(party, 0) + count
    leveling_total = (
        sum(leveling_seats.values()) if total_leveling_seats is None else total_leveling_seats
    )
    house = sum(ordinary_seats.values()) + leveling_total
    # Seats of parties outside the leveling are theirs; the rest is shared.
    shared = house - sum(n for party, n in won.items() if party not in qualifying)
    remaining = sorted(qualifying & national_votes.keys())
    steps: list[DivisorAllocation] = []
    dropped: list[str] = []
    lots: list[LotDraw] = []
    while True:
        step = allocate_by_divisors(
            {party: national_votes[party] for party in remaining},
            shared,
            national_method,
            label=f"national leveling step {len(steps) + 1}",
            tie_rules=tie_rules,
            lot=lot,
        )
        steps.append(step)
        lots.extend(step.lots)
        over = sorted(p for p in remaining if won.get(p, 0) > step.seats[p])
        if not over:
            break
        # Election Act § 11-6 (3): the over-represented parties leave with their district
        # seats, and the national step is run again among the others.
        dropped.extend(over)
        shared -= sum(won.get(p, 0) for p in over)
        remaining = [p for p in remaining if p not in over]
    owed = {p: steps[-1].seats[p] - won.get(p, 0) for p in remaining}
    owed = {p: n for p, n in owed.items() if n > 0}
    placements, placement_lots, unfilled = _geographic_step(
        district_votes,
        district_seats,
        ordinary_seats,
        leveling_seats,
        owed,
        district_method,
        tie_rules,
        lot,
        list_lengths or {},
    )
    lots.extend(placement_lots)
    return LevelingOutcome(tuple(steps), tuple(dropped), owed, placements, tuple(lots), unfilled)


def _geographic_step(
    district_votes: Mapping[str, Mapping[str, int]],
    district_seats: Mapping[str, Mapping[str, int]],
    ordinary_seats: Mapping[str, int],
    leveling_seats: Mapping[str, int],
    owed: Mapping[str, int],
    method: DivisorMethod,
    tie_rules: Sequence[TieRule],
    lot: Lot,
    list_lengths: Mapping[str, Mapping[str, int]],
) -> tuple[tuple[LevelingPlacement, ...], list[LotDraw], dict[str, int]]:
    still_owed = dict(owed)
    open_in_district = {d: n for d, n in leveling_seats.items() if n > 0}
    held = {d: dict(district_seats.get(d, {})) for d in district_votes}
    votes_per_seat = {
        d: Fraction(sum(district_votes[d].values()), ordinary_seats[d])
        for d in open_in_district
        if ordinary_seats.get(d, 0) > 0 and sum(district_votes[d].values()) > 0
    }
    placements: list[LevelingPlacement] = []
    lots: list[LotDraw] = []
    while any(still_owed.values()) and open_in_district:
        candidates: dict[tuple[str, str], Fraction] = {}
        for district in open_in_district:
            if district not in votes_per_seat:
                continue
            for party, count in district_votes[district].items():
                if still_owed.get(party, 0) > 0 and count > 0:
                    lengths = list_lengths.get(district)
                    if lengths is not None and held[district].get(party, 0) >= lengths.get(
                        party, 0
                    ):
                        # its list there is used up: the seat goes to its next district
                        continue
                    divisor = method.divisor(held[district].get(party, 0))
                    candidates[district, party] = count / divisor / votes_per_seat[district]
        if not candidates:
            break
        top = max(candidates.values())
        tied = sorted(key for key, q in candidates.items() if q == top)
        if len(tied) == 1:
            district, party = tied[0]
        else:
            names = {f"{d} / {p}": (d, p) for d, p in tied}
            tied_votes = {name: district_votes[d][p] for name, (d, p) in names.items()}
            outcome = break_tie(
                list(names),
                1,
                rules=tie_rules,
                keys={TieRule.MOST_VOTES: tied_votes.__getitem__},
                lot=lot,
                seat=f"leveling seat {len(placements) + 1}",
            )
            lots.extend(outcome.lots)
            district, party = names[outcome.winners[0]]
        placements.append(LevelingPlacement(len(placements) + 1, district, party, top))
        held[district][party] = held[district].get(party, 0) + 1
        still_owed[party] -= 1
        open_in_district[district] -= 1
        if open_in_district[district] == 0:
            del open_in_district[district]
    return tuple(placements), lots, {p: n for p, n in still_owed.items() if n > 0}
