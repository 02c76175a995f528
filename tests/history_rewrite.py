"""Rewriting the audit log's history the way an insider without the tree-head key could."""

from __future__ import annotations

import json
from datetime import UTC

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.audit_chain import GENESIS_HASH, entry_hash
from tallyroom.domain.canonical_json import canonical_json
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, AuditHeadRow, SignedTreeHeadRow


def rewrite_history(sessions: sessionmaker[Session], sequence: int) -> None:
    """Change one entry, drop the signed heads and their entries, and recompute the whole
    chain, so the log is consistent in itself."""
    with transaction(sessions) as session:
        rows = [
            row
            for row in session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.sequence))
            if row.action != "tree_head.signed"
        ]
        kept = [
            {
                "recorded_at": row.recorded_at,
                "actor": row.actor,
                "action": row.action,
                "payload": json.loads(row.payload),
                "forged": row.sequence == sequence,
            }
            for row in rows
        ]
        session.execute(delete(AuditEntryRow))
        session.execute(delete(SignedTreeHeadRow))
        previous = GENESIS_HASH
        for number, entry in enumerate(kept, start=1):
            payload = entry["payload"]
            if entry["forged"]:
                payload["forged"] = True
            recorded_at = entry["recorded_at"]
            if recorded_at.tzinfo is None:
                recorded_at = recorded_at.replace(tzinfo=UTC)
            digest = entry_hash(
                sequence=number,
                recorded_at=recorded_at.astimezone(UTC).isoformat(timespec="microseconds"),
                actor=entry["actor"],
                action=entry["action"],
                payload=payload,
                previous_hash=previous,
            )
            session.execute(
                insert(AuditEntryRow).values(
                    sequence=number,
                    recorded_at=recorded_at,
                    actor=entry["actor"],
                    action=entry["action"],
                    payload=canonical_json(payload).decode(),
                    previous_hash=previous,
                    entry_hash=digest,
                )
            )
            previous = digest
        session.execute(update(AuditHeadRow).values(sequence=len(kept), entry_hash=previous))
