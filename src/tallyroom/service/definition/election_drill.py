"""Drill databases: an election served under a drill clock is marked so, durably and audited,
so everything later published from it offline (snapshot, announcement, results) says DRILL."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.election_clock import ClockKind
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.store.schema import ElectionRow

#: the audit action of the mark
ELECTION_DRILLED = "election.drilled"
#: who marks: the server, on its own account
SERVER_ACTOR = "server"


def mark_drilled(session: Session, election_ids: Iterable[int], *, clock: str) -> list[int]:
    """Mark these elections as drilled (those not marked yet), in the caller's transaction;
    returns the ids newly marked. `clock` describes the drill clock for the log."""
    wanted = sorted(set(election_ids))
    if not wanted:
        return []
    unmarked = list(
        session.scalars(
            select(ElectionRow)
            .where(ElectionRow.id.in_(wanted), ElectionRow.drill.is_(False))
            .order_by(ElectionRow.id)
            .with_for_update()
        )
    )
    for election in unmarked:
        election.drill = True
        audit_log.record(
            session,
            actor=SERVER_ACTOR,
            action=ELECTION_DRILLED,
            payload={"election": election.code, "clock": clock},
        )
    row_ledger.record_rows(
        session, actor=SERVER_ACTOR, table="election", keys=[[e.id] for e in unmarked]
    )
    return [election.id for election in unmarked]


def all_election_ids(session: Session) -> list[int]:
    return list(session.scalars(select(ElectionRow.id)))


def clock_of(session: Session, election_code: str) -> ClockKind:
    """The clock an election's data came under: drill once ever served under one."""
    drilled = session.scalar(select(ElectionRow.drill).where(ElectionRow.code == election_code))
    return ClockKind.DRILL if drilled else ClockKind.REAL
