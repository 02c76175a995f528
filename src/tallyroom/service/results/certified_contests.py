"""A certified contest is frozen: protocols, amendments, annulments, recount orders and
decisions for its stations are refused (409 `contest_certified`) until the commission
withdraws the certification (service/results/certification.py)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tallyroom.service.errors import Conflict
from tallyroom.store.schema import ConstituencyRow, ContestRow

#: the stable code of every refusal for a certified contest
CONTEST_CERTIFIED = "contest_certified"


#: Built once: the intake reads it for every group it commits (bench/RESULTS.md, ingest).
_CERTIFIED = (
    select(ContestRow.constituency_id)
    .where(
        ContestRow.constituency_id.in_(bindparam("constituency_ids", expanding=True)),
        ContestRow.certified_at.is_not(None),
    )
    .with_for_update(read=True)
)


def certified_constituencies(session: Session, constituency_ids: Collection[int]) -> set[int]:
    """Of these constituencies (ids), those whose contest stands certified. The contest rows
    are read for share: a certification (which locks them for update) waits for the
    command, or the command for the certification, never both at once."""
    if not constituency_ids:
        return set()
    # Read on the connection, so what this transaction changed is flushed first.
    session.flush()
    rows = session.connection().execute(_CERTIFIED, {"constituency_ids": sorted(constituency_ids)})
    return set(rows.scalars())


def refuse_if_certified(session: Session, constituency_id: int, station_code: str) -> None:
    if certified_constituencies(session, [constituency_id]):
        raise contest_certified(session, constituency_id, station_code)


def contest_certified(session: Session, constituency_id: int, station_code: str) -> Conflict:
    number = session.scalar(
        select(ConstituencyRow.number).where(ConstituencyRow.id == constituency_id)
    )
    return Conflict(
        CONTEST_CERTIFIED,
        f"constituency {number}'s result is certified: nothing for station {station_code} "
        "is taken until the commission withdraws the certification",
        constituency=number,
    )
