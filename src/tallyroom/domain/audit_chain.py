"""The audit chain's arithmetic: each entry's hash covers its content and the previous hash."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tallyroom.domain.canonical_json import canonical_json, sha256_hex

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    sequence: int
    recorded_at: str
    actor: str
    action: str
    payload: dict[str, Any]
    previous_hash: str
    entry_hash: str
    #: the payload's bytes exactly as stored, when read from the store: the chain check hashes
    #: these (any edit of the stored text changes them) instead of re-canonicalising the parse
    stored_payload: bytes | None = field(default=None, compare=False, repr=False)


def entry_hash(
    *,
    sequence: int,
    recorded_at: str,
    actor: str,
    action: str,
    payload: dict[str, Any],
    previous_hash: str,
) -> str:
    return sha256_hex(
        canonical_json(
            {
                "sequence": sequence,
                "recorded_at": recorded_at,
                "actor": actor,
                "action": action,
                "payload": payload,
                "previous_hash": previous_hash,
            }
        )
    )


def entry_hash_of_canonical_payload(
    *,
    sequence: int,
    recorded_at: str,
    actor: str,
    action: str,
    canonical_payload: bytes,
    previous_hash: str,
) -> str:
    """`entry_hash` for a payload already in canonical form, without parsing and
    canonicalising it again: the entry's canonical bytes are the other members' canonical
    bytes around it, in RFC 8785's key order (action, actor, payload, previous_hash,
    recorded_at, sequence)."""

    others = canonical_json(
        {
            "sequence": sequence,
            "recorded_at": recorded_at,
            "actor": actor,
            "action": action,
            "previous_hash": previous_hash,
        }
    )
    # A member name cannot occur unescaped inside a string value, so this is the key.
    cut = others.index(b',"previous_hash":')
    entry = others[:cut] + b',"payload":' + canonical_payload + others[cut:]
    return sha256_hex(entry)


def chain_breaks(entries: Iterable[AuditEntry]) -> list[str]:
    """Every way the entries fail to form one unbroken chain from the genesis hash."""
    problems: list[str] = []
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    for entry in entries:
        if entry.sequence != expected_sequence:
            problems.append(
                f"audit entry {entry.sequence}: expected sequence {expected_sequence} "
                "(an entry was removed or inserted)"
            )
        if entry.previous_hash != expected_previous:
            problems.append(
                f"audit entry {entry.sequence}: previous hash does not match entry "
                f"{entry.sequence - 1}"
            )
        if entry.stored_payload is None:
            recomputed = entry_hash(
                sequence=entry.sequence,
                recorded_at=entry.recorded_at,
                actor=entry.actor,
                action=entry.action,
                payload=entry.payload,
                previous_hash=entry.previous_hash,
            )
        else:
            # The log stores each payload as the canonical bytes it hashed, so the stored
            # bytes must hash to the entry's hash as they are; the parse is of these bytes.
            recomputed = entry_hash_of_canonical_payload(
                sequence=entry.sequence,
                recorded_at=entry.recorded_at,
                actor=entry.actor,
                action=entry.action,
                canonical_payload=entry.stored_payload,
                previous_hash=entry.previous_hash,
            )
        if recomputed != entry.entry_hash:
            problems.append(
                f"audit entry {entry.sequence} ({entry.action}): content was altered "
                f"(stored hash {entry.entry_hash[:12]}…, recomputed {recomputed[:12]}…)"
            )
        expected_previous = entry.entry_hash
        expected_sequence = entry.sequence + 1
    return problems
