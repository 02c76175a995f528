"""Mixed systems: constituency seats combined with list seats, compensatory with overhang kept
(New Zealand), constituency winners seated only when their party's Land seats cover them
(Germany since 2023), or simply side by side (parallel, Azerbaijan 1995–2005)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from tallyroom.domain.electoral_systems.drawn_lot import Lot, LotDraw, NoLot
from tallyroom.domain.electoral_systems.tie_rules import TieRule, break_tie


def overhang_kept(
    share: Mapping[str, int], constituency_seats: Mapping[str, int]
) -> dict[str, int]:
    """Compensatory MMP: a party's total is its proportional share, or its constituency seats
    when they are more (the overhang); no other party loses a seat for it."""
    parties = share.keys() | constituency_seats.keys()
    return {p: max(share.get(p, 0), constituency_seats.get(p, 0)) for p in parties}


def parallel(
    list_seats: Mapping[str, int], constituency_seats: Mapping[str, int]
) -> dict[str, int]:
    """Parallel (mixed-member majoritarian): list seats and constituency seats simply add."""
    parties = list_seats.keys() | constituency_seats.keys()
    return {p: list_seats.get(p, 0) + constituency_seats.get(p, 0) for p in parties}


@dataclass(frozen=True, slots=True)
class ConstituencyWinner:
    constituency: str
    district: str
    party: str
    votes: int
    valid_votes: int

    @property
    def share(self) -> Fraction:
        return Fraction(self.votes, self.valid_votes) if self.valid_votes else Fraction(0)


@dataclass(frozen=True, slots=True)
class CoveredWinners:
    #: constituencies whose winner takes a seat, in seating order per (district, party)
    seated: tuple[str, ...]
    #: constituencies whose winner is not covered by the party's seats and stays unseated
    not_seated: tuple[str, ...]
    #: list seats left to each party's list in each district after its seated winners
    list_seats: Mapping[str, Mapping[str, int]]
    lots: tuple[LotDraw, ...] = ()


def winners_covered(
    district_seats: Mapping[str, Mapping[str, int]],
    winners: Sequence[ConstituencyWinner],
    *,
    tie_rules: Sequence[TieRule] = (TieRule.LOT,),
    lot: Lot | None = None,
) -> CoveredWinners:
    """Germany, BWahlG § 6 as amended in 2023: in each Land, a party's constituency winners are
    seated by their share of their constituency's valid first votes, as many as the party's
    seats there; winners beyond that (and of parties with no seats) get none."""
    grouped: dict[tuple[str, str], list[ConstituencyWinner]] = {}
    for winner in winners:
        grouped.setdefault((winner.district, winner.party), []).append(winner)
    seated: list[str] = []
    not_seated: list[str] = []
    lots: list[LotDraw] = []
    list_seats: dict[str, dict[str, int]] = {
        d: dict(parties) for d, parties in district_seats.items()
    }
    for (district, party), group in sorted(grouped.items()):
        places = district_seats.get(district, {}).get(party, 0)
        order, drawn = _ranked_by_share(group, places, tie_rules, lot or NoLot(), district, party)
        lots.extend(drawn)
        taken = order[:places]
        seated.extend(w.constituency for w in taken)
        not_seated.extend(w.constituency for w in order[places:])
        if places:
            list_seats[district][party] = places - len(taken)
    return CoveredWinners(tuple(seated), tuple(not_seated), list_seats, tuple(lots))


def _ranked_by_share(
    group: list[ConstituencyWinner],
    places: int,
    tie_rules: Sequence[TieRule],
    lot: Lot,
    district: str,
    party: str,
) -> tuple[list[ConstituencyWinner], list[LotDraw]]:
    by_share: dict[Fraction, list[ConstituencyWinner]] = {}
    for winner in group:
        by_share.setdefault(winner.share, []).append(winner)
    order: list[ConstituencyWinner] = []
    lots: list[LotDraw] = []
    for share in sorted(by_share, reverse=True):
        tied = sorted(by_share[share], key=lambda w: w.constituency)
        open_places = places - len(order)
        if len(tied) == 1 or open_places <= 0 or len(tied) <= open_places:
            order.extend(tied)
            continue
        named = {w.constituency: w for w in tied}
        tied_votes = {w.constituency: w.votes for w in tied}
        outcome = break_tie(
            list(named),
            open_places,
            rules=tie_rules,
            keys={TieRule.MOST_VOTES: tied_votes.__getitem__},
            lot=lot,
            seat=f"{district} {party} constituency seat {len(order) + 1}",
        )
        lots.extend(outcome.lots)
        chosen = [named[c] for c in outcome.winners]
        order.extend(chosen)
        order.extend(w for w in tied if w not in chosen)
    return order, lots
