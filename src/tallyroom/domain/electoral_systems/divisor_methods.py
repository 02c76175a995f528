"""Highest-averages allocation (D'Hondt, Sainte-Laguë, modified Sainte-Laguë with its own first
divisor), seat by seat in exact fractions, with the quotient table behind every seat."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from tallyroom.domain.electoral_systems.drawn_lot import Lot, LotDraw, NoLot
from tallyroom.domain.electoral_systems.tie_rules import TieRule, break_tie


class DivisorSeries(StrEnum):
    #: 1, 2, 3, ...
    DHONDT = "dhondt"
    #: 1, 3, 5, ... (Sainte-Laguë, Webster, Schepers)
    SAINTE_LAGUE = "sainte-lague"


class NoVotesToAllocate(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class DivisorMethod:
    series: DivisorSeries
    #: replaces the series' first divisor (Norway and Sweden: 1.4 in place of 1)
    first_divisor: Fraction | None = None

    def divisor(self, seats_held: int) -> Fraction:
        if seats_held == 0 and self.first_divisor is not None:
            return self.first_divisor
        if self.series is DivisorSeries.DHONDT:
            return Fraction(seats_held + 1)
        return Fraction(2 * seats_held + 1)

    @property
    def name(self) -> str:
        if self.first_divisor is None:
            return self.series.value
        return f"{self.series.value} (first divisor {self.first_divisor})"


DHONDT = DivisorMethod(DivisorSeries.DHONDT)
SAINTE_LAGUE = DivisorMethod(DivisorSeries.SAINTE_LAGUE)


@dataclass(frozen=True, slots=True)
class SeatAward:
    #: 1-based number of the seat in this allocation
    seat: int
    party: str
    quotient: Fraction
    #: the quotient was shared with parties that did not all get a seat
    by_tie: bool = False


@dataclass(frozen=True, slots=True)
class DivisorAllocation:
    label: str
    method: DivisorMethod
    votes: Mapping[str, int]
    #: every party's seats, zero included
    seats: Mapping[str, int]
    awards: tuple[SeatAward, ...]
    #: each party's quotients, from its first divisor to the first one that won no seat
    quotients: Mapping[str, tuple[Fraction, ...]]
    lots: tuple[LotDraw, ...] = ()

    @property
    def last_quotient(self) -> Fraction | None:
        return self.awards[-1].quotient if self.awards else None


def allocate_by_divisors(
    votes: Mapping[str, int],
    seats: int,
    method: DivisorMethod,
    *,
    label: str = "allocation",
    tie_rules: Sequence[TieRule] = (TieRule.LOT,),
    lot: Lot | None = None,
) -> DivisorAllocation:
    """Give `seats` seats one at a time to the highest quotient votes / divisor(seats held).
    Parties tied on the deciding quotient are separated by `tie_rules` only when the seats
    left are fewer than they are. Parties without votes never take a seat."""
    if seats < 0:
        raise ValueError("seats must not be negative")
    if any(count < 0 for count in votes.values()):
        raise ValueError("votes must not be negative")
    contenders = {party: count for party, count in votes.items() if count > 0}
    if seats and not contenders:
        raise NoVotesToAllocate(f"{label}: {seats} seats but no party with votes")
    held = dict.fromkeys(votes, 0)
    # The heap is keyed by (-quotient, party) only to pop the top; equal quotients are always
    # taken as a group and never ordered by name.
    heap = [(-Fraction(count) / method.divisor(0), party) for party, count in contenders.items()]
    heapq.heapify(heap)
    awards: list[SeatAward] = []
    lots: list[LotDraw] = []
    while len(awards) < seats:
        top, party = heapq.heappop(heap)
        group = [party]
        while heap and heap[0][0] == top:
            group.append(heapq.heappop(heap)[1])
        open_seats = seats - len(awards)
        if len(group) <= open_seats:
            winners = sorted(group)
            by_tie = False
        else:
            outcome = break_tie(
                group,
                open_seats,
                rules=tie_rules,
                keys={TieRule.MOST_VOTES: contenders.__getitem__},
                lot=lot or NoLot(),
                seat=f"{label} seat {len(awards) + 1}",
            )
            winners = list(outcome.winners)
            lots.extend(outcome.lots)
            by_tie = True
        for winner in winners:
            awards.append(SeatAward(len(awards) + 1, winner, -top, by_tie))
            held[winner] += 1
            next_quotient = Fraction(contenders[winner]) / method.divisor(held[winner])
            heapq.heappush(heap, (-next_quotient, winner))
    quotients = {
        party: tuple(
            Fraction(count) / method.divisor(n) for n in range(held[party] + (1 if count else 0))
        )
        for party, count in votes.items()
    }
    return DivisorAllocation(
        label, method, dict(votes), held, tuple(awards), quotients, tuple(lots)
    )
