"""Rewriting the audit log's history the way an insider without the tree-head key could."""

from __future__ import annotations

import json
from datetime import UTC

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.audit_chain import GENESIS_HASH, entry_hash
from tallyroom.domain.canonical_json import canonical_json
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, AuditHeadRow, SignedTreeHeadRow


def rewrite_history(sessions: sessionmaker[Session], sequence: int) -> None:
    """What a database administrator without the tree-head key can do: change one entry and
    recompute the whole chain after it, so the log is consistent in itself, and drop the
    signed heads that would give it away."""
    with transaction(sessions) as session:
        rows = session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.sequence)).all()
        previous = GENESIS_HASH
        for row in rows:
            payload = json.loads(row.payload)
            if row.sequence == sequence:
                payload["forged"] = True
            recorded_at = row.recorded_at
            if recorded_at.tzinfo is None:
                recorded_at = recorded_at.replace(tzinfo=UTC)
            row.payload = canonical_json(payload).decode()
            row.previous_hash = previous
            row.entry_hash = entry_hash(
                sequence=row.sequence,
                recorded_at=recorded_at.astimezone(UTC).isoformat(timespec="microseconds"),
                actor=row.actor,
                action=row.action,
                payload=payload,
                previous_hash=previous,
            )
            previous = row.entry_hash
        session.execute(update(AuditHeadRow).values(entry_hash=previous))
        session.execute(delete(SignedTreeHeadRow))
