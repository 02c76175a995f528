"""The parliament's seat tally: the sum of the contests' leaders, by party and nomination,
with the seats already won counted apart from those only led."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tallyroom.domain.candidate import Candidate, Nomination
from tallyroom.domain.seat_status import SeatStatus


@dataclass(frozen=True, slots=True)
class SeatGroup:
    #: party short name, or None for non-party independents
    party: str | None
    nomination: Nomination
    #: seats its candidates lead, won or not
    seats: int
    #: of those, the seats won
    won: int = 0

    @property
    def leading(self) -> int:
        return self.seats - self.won


def seat_tally(leaders: Iterable[tuple[Candidate, SeatStatus]]) -> list[SeatGroup]:
    """Seats by (party, nomination), largest first; independents stay split by membership.
    `leaders` are each constituency's single leader with the seat's status."""
    counts: Counter[tuple[str | None, Nomination]] = Counter()
    won: Counter[tuple[str | None, Nomination]] = Counter()
    for leader, status in leaders:
        counts[leader.party, leader.nomination] += 1
        if status is SeatStatus.WON:
            won[leader.party, leader.nomination] += 1
    order = {Nomination.PARTY: 0, Nomination.PARTY_MEMBER: 1, Nomination.NON_PARTY: 2}
    groups = [SeatGroup(*key, seats, won[key]) for key, seats in counts.items()]
    return sorted(groups, key=lambda g: (order[g.nomination], -g.seats, g.party or ""))
