"""The parliament's seat tally: the sum of the contests' winners, by party and nomination."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tallyroom.domain.candidate import Candidate, Nomination


@dataclass(frozen=True, slots=True)
class SeatGroup:
    #: party short name, or None for non-party independents
    party: str | None
    nomination: Nomination
    seats: int


def seat_tally(winners: Iterable[Candidate]) -> list[SeatGroup]:
    """Seats by (party, nomination), largest first; independents stay split by membership."""
    counts = Counter((winner.party, winner.nomination) for winner in winners)
    order = {Nomination.PARTY: 0, Nomination.PARTY_MEMBER: 1, Nomination.NON_PARTY: 2}
    groups = [SeatGroup(party, nomination, seats) for (party, nomination), seats in counts.items()]
    return sorted(groups, key=lambda g: (order[g.nomination], -g.seats, g.party or ""))
