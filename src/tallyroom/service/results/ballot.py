"""A constituency's ballot paper: its standing candidates in ballot order (the definition's
ballot_position, then, for candidates without one, the order they were defined in)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.candidate import CandidateStatus
from tallyroom.store.schema import CandidateRow, PartyRow


@dataclass(frozen=True, slots=True)
class BallotLine:
    code: str
    full_name: str
    party: str | None
    ballot_position: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "full_name": self.full_name,
            "party": self.party,
            "ballot_position": self.ballot_position,
        }


def ballot_of(session: Session, constituency_id: int) -> list[BallotLine]:
    """The standing candidates of the constituency, in ballot order."""
    rows = session.execute(
        select(
            CandidateRow.code,
            CandidateRow.full_name,
            PartyRow.short_name,
            CandidateRow.ballot_position,
        )
        .outerjoin(PartyRow, PartyRow.id == CandidateRow.party_id)
        .where(
            CandidateRow.constituency_id == constituency_id,
            CandidateRow.status == CandidateStatus.REGISTERED.value,
        )
        # Positioned candidates first, by position; the rest in the definition's order.
        .order_by(
            CandidateRow.ballot_position.is_(None),
            CandidateRow.ballot_position,
            CandidateRow.id,
        )
    ).tuples()
    return [BallotLine(*row) for row in rows]
