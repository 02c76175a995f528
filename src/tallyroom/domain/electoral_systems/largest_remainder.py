"""Largest-remainder allocation (Hare, Droop, Hagenbach-Bischoff quotas): whole quotas first,
the seats left to the largest remainders, in exact fractions, with the table behind it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from tallyroom.domain.electoral_systems.divisor_methods import NoVotesToAllocate
from tallyroom.domain.electoral_systems.drawn_lot import Lot, LotDraw, NoLot
from tallyroom.domain.electoral_systems.tie_rules import TieRule, break_tie


class Quota(StrEnum):
    #: votes / seats
    HARE = "hare"
    #: floor(votes / (seats + 1)) + 1
    DROOP = "droop"
    #: votes / (seats + 1), exactly
    HAGENBACH_BISCHOFF = "hagenbach-bischoff"

    def of(self, votes: int, seats: int) -> Fraction:
        if self is Quota.HARE:
            return Fraction(votes, seats)
        if self is Quota.DROOP:
            return Fraction(votes // (seats + 1) + 1)
        return Fraction(votes, seats + 1)


@dataclass(frozen=True, slots=True)
class RemainderAllocation:
    label: str
    quota_rule: Quota
    quota: Fraction
    votes: Mapping[str, int]
    #: seats from whole quotas
    quota_seats: Mapping[str, int]
    #: votes left over after the whole quotas
    remainders: Mapping[str, Fraction]
    #: parties given a remainder seat, largest remainder first
    remainder_seats: tuple[str, ...]
    seats: Mapping[str, int]
    lots: tuple[LotDraw, ...] = ()


def allocate_by_largest_remainder(
    votes: Mapping[str, int],
    seats: int,
    quota_rule: Quota,
    *,
    label: str = "allocation",
    tie_rules: Sequence[TieRule] = (TieRule.LOT,),
    lot: Lot | None = None,
) -> RemainderAllocation:
    if seats < 0:
        raise ValueError("seats must not be negative")
    if any(count < 0 for count in votes.values()):
        raise ValueError("votes must not be negative")
    total = sum(votes.values())
    if seats == 0:
        zero = dict.fromkeys(votes, 0)
        return RemainderAllocation(
            label,
            quota_rule,
            Fraction(0),
            dict(votes),
            zero,
            dict.fromkeys(votes, Fraction(0)),
            (),
            zero,
        )
    if total == 0:
        raise NoVotesToAllocate(f"{label}: {seats} seats but no party with votes")
    quota = quota_rule.of(total, seats)
    quota_seats = {party: int(Fraction(count) // quota) for party, count in votes.items()}
    remainders = {party: count - quota_seats[party] * quota for party, count in votes.items()}
    open_seats = seats - sum(quota_seats.values())
    lots: list[LotDraw] = []
    if open_seats < 0:
        # Only an exact quota (Hagenbach-Bischoff) can do this, when every remainder is 0 and
        # the whole quotas add up to one seat too many: the parties holding seats are equal,
        # and the tie rules choose who keeps them (most votes first, then the lot).
        holders = sorted(p for p, n in quota_seats.items() if n > 0)
        keep = break_tie(
            holders,
            len(holders) + open_seats,
            rules=tie_rules,
            keys={TieRule.MOST_VOTES: votes.__getitem__},
            lot=lot or NoLot(),
            seat=f"{label} seat {seats} (one quota too many)",
        )
        lots.extend(keep.lots)
        for party in set(holders) - set(keep.winners):
            quota_seats[party] -= 1
        open_seats = 0
    by_size: dict[Fraction, list[str]] = {}
    for party, remainder in remainders.items():
        if votes[party] > 0:
            by_size.setdefault(remainder, []).append(party)
    remainder_seats: list[str] = []
    # A tiny Droop quota can leave more seats than parties with votes: then the remainders
    # are taken again, in the same order, until the house is full.
    while open_seats > 0:
        for remainder in sorted(by_size, reverse=True):
            if open_seats == 0:
                break
            group = sorted(by_size[remainder])
            if len(group) <= open_seats:
                taken = group
            else:
                outcome = break_tie(
                    group,
                    open_seats,
                    rules=tie_rules,
                    keys={TieRule.MOST_VOTES: votes.__getitem__},
                    lot=lot or NoLot(),
                    seat=f"{label} remainder seat {len(remainder_seats) + 1}",
                )
                taken = list(outcome.winners)
                lots.extend(outcome.lots)
            remainder_seats.extend(taken)
            open_seats -= len(taken)
    final = dict(quota_seats)
    for party in remainder_seats:
        final[party] += 1
    return RemainderAllocation(
        label,
        quota_rule,
        quota,
        dict(votes),
        quota_seats,
        remainders,
        tuple(remainder_seats),
        final,
        tuple(lots),
    )
