"""The lots the commission drew for ties its law leaves to the lot, as recorded: only a lot a
second member confirmed decides a seat."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.electoral_systems.contest_seats import ContestTies
from tallyroom.domain.electoral_systems.tie_rules import TieRule
from tallyroom.store.schema import DrawnLotRow, ElectionRow

ENTERED = "pending"
CONFIRMED = "confirmed"


def drawn_lots(session: Session, election_id: int) -> dict[str, str]:
    """Confirmed lots: the seat each was drawn for → the candidate who won it."""
    rows = session.execute(
        select(DrawnLotRow.seat, DrawnLotRow.won_by).where(
            DrawnLotRow.election_id == election_id, DrawnLotRow.state == CONFIRMED
        )
    )
    # a list, not the result object: dict() would take the result's keys() for a mapping's
    return dict(rows.tuples().all())


def recorded_lots(session: Session, election_id: int) -> list[DrawnLotRow]:
    """Every lot entered, confirmed or awaiting its second member, in the order entered."""
    return list(
        session.scalars(
            select(DrawnLotRow)
            .where(DrawnLotRow.election_id == election_id)
            .order_by(DrawnLotRow.id)
        )
    )


def contest_ties(
    session: Session, election_id: int, birth_dates: Mapping[str, date | None]
) -> ContestTies:
    """How a contest's ties are decided: the election's tie rule, the candidates' birth dates
    (`birth_dates`, by code) and the confirmed lots."""
    rule = session.scalars(select(ElectionRow.tie_rule).where(ElectionRow.id == election_id)).one()
    return ContestTies(TieRule(rule), birth_dates, drawn_lots(session, election_id))
