"""The audit log: every command appends one hash-chained entry in its own transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from tallyroom.domain.audit_chain import (
    GENESIS_HASH,
    AuditEntry,
    entry_hash_of_canonical_payload,
)
from tallyroom.domain.canonical_json import canonical_json
from tallyroom.store.schema import AuditEntryRow, AuditHeadRow

#: Statements built once (every protocol group appends entries; building costs more than
#: running them).
_LOCKED_HEAD = (
    select(AuditHeadRow.sequence, AuditHeadRow.entry_hash)
    .where(AuditHeadRow.id == 1)
    .with_for_update()
)
_NEW_ENTRIES = insert(AuditEntryRow)
_MOVED_HEAD = (
    update(AuditHeadRow)
    .where(AuditHeadRow.id == 1)
    .values(sequence=bindparam("new_sequence"), entry_hash=bindparam("new_hash"))
)


def record(session: Session, *, actor: str, action: str, payload: dict[str, Any]) -> AuditEntry:
    """Append an entry. Locks the chain head so concurrent commands queue, never fork."""
    return record_many(session, [(actor, action, payload)])[0]


def record_many(
    session: Session,
    commands: Sequence[tuple[str, str, dict[str, Any]]],
    *,
    returning: bool = True,
) -> list[AuditEntry]:
    """Append one entry per (actor, action, payload), chained in the given order, with one
    lock, one insert and one head update for all of them (the bulk commands' path). The
    entries are returned unless `returning` is false (then the list is empty)."""
    if not commands:
        return []
    # Columns, not the ORM object: a head loaded earlier in this session would be stale.
    connection = session.connection()
    head = connection.execute(_LOCKED_HEAD).one_or_none()
    if head is None:
        connection.execute(
            insert(AuditHeadRow), {"id": 1, "sequence": 0, "entry_hash": GENESIS_HASH}
        )
        sequence, previous_hash = 0, GENESIS_HASH
    else:
        sequence, previous_hash = int(head.sequence), head.entry_hash
    recorded: list[AuditEntry] = []
    rows: list[dict[str, Any]] = []
    for actor, action, payload in commands:
        sequence += 1
        moment = datetime.now(UTC)
        recorded_at = moment.isoformat(timespec="microseconds")
        stored = canonical_json(payload)
        digest = entry_hash_of_canonical_payload(
            sequence=sequence,
            recorded_at=recorded_at,
            actor=actor,
            action=action,
            canonical_payload=stored,
            previous_hash=previous_hash,
        )
        rows.append(
            {
                "sequence": sequence,
                "recorded_at": moment,
                "actor": actor,
                "action": action,
                "payload": stored.decode(),
                "previous_hash": previous_hash,
                "entry_hash": digest,
            }
        )
        if returning:
            # What is hashed is exactly what is stored: the stored bytes, and their parse.
            stored_payload = json.loads(stored)
            recorded.append(
                AuditEntry(
                    sequence, recorded_at, actor, action, stored_payload, previous_hash, digest
                )
            )
        previous_hash = digest
    connection.execute(_NEW_ENTRIES, rows)
    connection.execute(_MOVED_HEAD, {"new_sequence": sequence, "new_hash": previous_hash})
    return recorded


def entries(session: Session) -> list[AuditEntry]:
    """Every entry in chain order, with its payload's stored bytes (`audit verify` hashes
    those). Columns, not ORM objects: a national night's log has millions of entries."""
    rows = session.execute(
        select(
            AuditEntryRow.sequence,
            AuditEntryRow.recorded_at,
            AuditEntryRow.actor,
            AuditEntryRow.action,
            AuditEntryRow.payload,
            AuditEntryRow.previous_hash,
            AuditEntryRow.entry_hash,
        ).order_by(AuditEntryRow.sequence)
    ).tuples()
    return [
        AuditEntry(
            sequence=sequence,
            recorded_at=_iso(recorded_at),
            actor=actor,
            action=action,
            payload=_parsed(payload),
            previous_hash=previous_hash,
            entry_hash=digest,
            stored_payload=payload.encode(),
        )
        for sequence, recorded_at, actor, action, payload, previous_hash, digest in rows
    ]


def entries_of(session: Session, actions: Sequence[str]) -> list[AuditEntry]:
    """The entries of these actions, in chain order (the commission's decisions, which a
    snapshot publishes with the entries that recorded them)."""
    rows = session.execute(
        select(AuditEntryRow)
        .where(AuditEntryRow.action.in_(actions))
        .order_by(AuditEntryRow.sequence)
    ).scalars()
    return [
        AuditEntry(
            sequence=row.sequence,
            recorded_at=_iso(row.recorded_at),
            actor=row.actor,
            action=row.action,
            payload=_parsed(row.payload),
            previous_hash=row.previous_hash,
            entry_hash=row.entry_hash,
        )
        for row in rows
    ]


def _parsed(payload: str) -> dict[str, Any]:
    # An entry edited into something unparsable is still an entry: its hash gives it away.
    try:
        parsed = json.loads(payload)
    except json.JSONDecodeError:
        return {"unreadable": payload}
    return parsed if isinstance(parsed, dict) else {"unreadable": payload}


def head(session: Session) -> tuple[int, str]:
    row = session.get(AuditHeadRow, 1)
    if row is None:
        return 0, GENESIS_HASH
    return row.sequence, row.entry_hash


def _iso(moment: datetime) -> str:
    # SQLite hands back naive datetimes; they were stored in UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
