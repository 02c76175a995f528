"""Multi-member plurality (block vote): a constituency's `seats` seats go to the candidates with
the most votes; a tie at the last seat is decided by the law's rules, then a drawn lot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from tallyroom.domain.electoral_systems.candidate_selection import Selection, most_voted
from tallyroom.domain.electoral_systems.drawn_lot import Lot
from tallyroom.domain.electoral_systems.tie_rules import TieRule


def multi_member_plurality(
    votes: Mapping[str, int],
    seats: int,
    *,
    tie_rules: Sequence[TieRule] = (TieRule.LOT,),
    birth_dates: Mapping[str, date | None] | None = None,
    lot: Lot | None = None,
    constituency: str = "constituency",
) -> Selection:
    if any(count < 0 for count in votes.values()):
        raise ValueError("votes must not be negative")
    return most_voted(
        dict(votes),
        min(seats, len(votes)),
        tie_rules=tie_rules,
        birth_dates=dict(birth_dates) if birth_dates is not None else None,
        lot=lot,
        label=constituency,
    )
