"""A voter's own question, "Am I registered, and where do I vote?": answered by ID-card
number and birth date together, with the station only (no name, no address)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.voter import VoterStatus
from tallyroom.service.definition.elections import election_row
from tallyroom.store.schema import PollingStationRow, VoterRow


@dataclass(frozen=True, slots=True)
class VotingPlace:
    station: str
    station_name: str


def where_do_i_vote(session: Session, *, voter: str, birth_date: date) -> VotingPlace | None:
    """The voter's station when the id and the birth date both match an active voter; None
    otherwise (the same answer for a wrong id and a wrong birth date, so neither is
    confirmed alone)."""
    record = election_row(session)
    found = session.execute(
        select(PollingStationRow.code, PollingStationRow.name)
        .join(VoterRow, VoterRow.station_id == PollingStationRow.id)
        .where(
            VoterRow.election_id == record.id,
            VoterRow.voter_number == voter,
            VoterRow.birth_date == birth_date,
            VoterRow.status == VoterStatus.ACTIVE.value,
        )
    ).first()
    return None if found is None else VotingPlace(found[0], found[1])
