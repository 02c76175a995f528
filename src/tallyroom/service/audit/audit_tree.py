"""The audit log as an RFC 9162 Merkle tree: the commission's tree-head key, signed tree
heads, consistency proofs, and the check that the log extends a head someone kept."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.merkle_tree import MerkleTree
from tallyroom.domain.signature import new_private_key, public_key_hex
from tallyroom.domain.tree_head import SignedTreeHead, head_bytes
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.errors import Conflict, InvalidInput, NotFound
from tallyroom.store.schema import AuditEntryRow, SignedTreeHeadRow, TreeHeadKeyRow

#: the audit action recording a signed tree head
TREE_HEAD_SIGNED = "tree_head.signed"


def log_tree(session: Session, *, after: MerkleTree | None = None) -> MerkleTree:
    """The Merkle tree whose leaves are the audit entries in sequence order; `after` (a tree
    of this log's first entries) is extended with the entries it lacks."""
    tree = after if after is not None else MerkleTree()
    chain_hashes = session.scalars(
        select(AuditEntryRow.entry_hash)
        .where(AuditEntryRow.sequence > tree.size)
        .order_by(AuditEntryRow.sequence)
    )
    sha256 = hashlib.sha256
    tree.extend_concatenated(
        b"".join(
            sha256(b"\x00" + bytes.fromhex(chain_hash)).digest() for chain_hash in chain_hashes
        )
    )
    return tree


def create_tree_head_key(session: Session, *, actor: str) -> Ed25519PrivateKey:
    """A new tree-head key for the commission: its public half stored and logged, the
    private half returned for the caller to keep outside the database."""
    private_key = new_private_key()
    public_key = public_key_hex(private_key)
    session.add(TreeHeadKeyRow(public_key=public_key, created_at=datetime.now(UTC)))
    audit_log.record(
        session, actor=actor, action="tree_head_key.created", payload={"public_key": public_key}
    )
    row_ledger.record_rows(session, actor=actor, table="tree_head_key")
    return private_key


def tree_head_keys(session: Session) -> list[str]:
    """Every tree-head public key the commission has announced, oldest first."""
    return list(session.scalars(select(TreeHeadKeyRow.public_key).order_by(TreeHeadKeyRow.id)))


def sign_tree_head(
    session: Session,
    private_key: Ed25519PrivateKey,
    *,
    tree: MerkleTree | None = None,
    now: datetime | None = None,
) -> SignedTreeHead | None:
    """Sign and store the head of the log as it stands (`tree`, when the caller keeps one in
    step); None when the newest signed head already covers every entry."""
    public_key = public_key_hex(private_key)
    if public_key not in tree_head_keys(session):
        raise Conflict(
            "unknown_tree_head_key",
            "this is not a tree-head key the commission announced (tallyroom audit keygen)",
        )
    tree = log_tree(session, after=tree)
    latest = latest_head(session)
    if latest is not None and not _entries_since(session, latest.tree_size):
        return None
    timestamp = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
    root_hash = tree.root().hex()
    signature = private_key.sign(head_bytes(tree.size, root_hash, timestamp)).hex()
    head = SignedTreeHead(tree.size, root_hash, timestamp, public_key, signature)
    session.add(
        SignedTreeHeadRow(
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            timestamp=head.timestamp,
            public_key=head.key,
            signature=head.signature,
        )
    )
    # Logged too, so a stored head cannot vanish unnoticed; this entry is the next head's.
    audit_log.record(
        session,
        actor="commission",
        action=TREE_HEAD_SIGNED,
        payload={
            "key": [head.tree_size],
            "row": {
                "tree_size": head.tree_size,
                "root_hash": head.root_hash,
                "timestamp": head.timestamp,
                "public_key": head.key,
                "signature": head.signature,
            },
        },
    )
    return head


def _entries_since(session: Session, tree_size: int) -> bool:
    """Whether entries other than the logging of signed heads follow the first `tree_size`
    (the heads' own entries alone would make a new head every minute forever)."""
    return (
        session.scalar(
            select(AuditEntryRow.sequence)
            .where(AuditEntryRow.sequence > tree_size, AuditEntryRow.action != TREE_HEAD_SIGNED)
            .limit(1)
        )
        is not None
    )


def signed_heads(session: Session) -> list[SignedTreeHead]:
    return [
        _head(row)
        for row in session.scalars(select(SignedTreeHeadRow).order_by(SignedTreeHeadRow.tree_size))
    ]


def latest_heads(session: Session, count: int) -> tuple[list[SignedTreeHead], int]:
    """The newest `count` signed heads, newest first, and how many there are in all."""
    rows = session.scalars(
        select(SignedTreeHeadRow).order_by(SignedTreeHeadRow.tree_size.desc()).limit(count)
    )
    heads = [_head(row) for row in rows]
    total = session.scalar(select(func.count()).select_from(SignedTreeHeadRow)) or 0
    return heads, int(total)


def latest_head(session: Session) -> SignedTreeHead | None:
    row = session.scalars(
        select(SignedTreeHeadRow).order_by(SignedTreeHeadRow.tree_size.desc()).limit(1)
    ).first()
    return None if row is None else _head(row)


def _head(row: SignedTreeHeadRow) -> SignedTreeHead:
    return SignedTreeHead(
        row.tree_size, row.root_hash, row.timestamp, row.public_key, row.signature
    )


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "first": self.first,
            "second": self.second,
            "first_root": self.first_root,
            "second_root": self.second_root,
            "proof": self.proof,
        }


def consistency_proof(tree: MerkleTree, first: int, second: int) -> ConsistencyProof:
    """RFC 9162's proof that the log's first `second` entries extend its first `first`."""
    if not 0 < first <= second:
        raise InvalidInput(
            "invalid_tree_sizes", "a consistency proof needs 0 < first <= second", first=first
        )
    if second > tree.size:
        raise NotFound(
            "tree_size_unknown", f"the log has {tree.size} entries, not {second}", size=tree.size
        )
    return ConsistencyProof(
        first,
        second,
        tree.root(first).hex(),
        tree.root(second).hex(),
        [node.hex() for node in tree.consistency_proof(first, second)],
    )


class LogTreeCache:
    """The server's tree of the log, extended with each new entry instead of rebuilt."""

    def __init__(self) -> None:
        self._tree = MerkleTree()
        self._lock = threading.Lock()

    def current(self, session: Session) -> MerkleTree:
        with self._lock:
            return log_tree(session, after=self._tree)
