"""The lots the commission drew for ties its law leaves to the lot, as recorded: only a lot a
second member confirmed decides a seat."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.store.schema import DrawnLotRow

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
