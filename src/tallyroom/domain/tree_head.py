"""Signed tree heads of the audit log (RFC 9162 §4.10 in spirit): the commission's Ed25519
signature over the log's size, Merkle root and time, and the leaf an audit entry becomes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.merkle_tree import EMPTY_ROOT, MerkleTree, leaf_hash, verify_consistency
from tallyroom.domain.signature import signature_is_valid

#: Names what is signed, so a tree-head signature can never pass for another document's.
HEAD_KIND = "tallyroom-tree-head/1"
#: hex digits of a key's fingerprint: 128 bits, read aloud or compared by eye in groups of 4
FINGERPRINT_DIGITS = 32


def key_fingerprint(public_key: str) -> str:
    """The short form of a tree-head public key (hex) that the announcement, the definition
    and the site print: SHA-256 of the key's 32 bytes, its first 128 bits in groups of four
    hex digits (an unreadable key is fingerprinted as the text it is)."""
    try:
        material = bytes.fromhex(public_key)
    except ValueError:
        material = public_key.encode()
    digest = hashlib.sha256(material).hexdigest()[:FINGERPRINT_DIGITS]
    return " ".join(digest[start : start + 4] for start in range(0, FINGERPRINT_DIGITS, 4))


class MalformedTreeHead(ValueError):
    """A tree head that is not one: a missing or mistyped member."""


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    tree_size: int
    #: hex of MTH over the first `tree_size` entries
    root_hash: str
    #: ISO 8601 UTC
    timestamp: str
    #: hex Ed25519 public key of the commission's tree-head key
    key: str
    signature: str

    def signed_bytes(self) -> bytes:
        return head_bytes(self.tree_size, self.root_hash, self.timestamp)

    def signature_is_valid(self) -> bool:
        return signature_is_valid(self.signed_bytes(), self.signature, self.key)

    def as_json(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp": self.timestamp,
            "key": self.key,
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, document: Any) -> SignedTreeHead:
        if not isinstance(document, dict):
            raise MalformedTreeHead("a tree head is a JSON object")
        members = {"tree_size": int, "root_hash": str, "timestamp": str, "key": str}
        for name, kind in members.items():
            value = document.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise MalformedTreeHead(f"{name}: missing or not a {kind.__name__}")
        if document["tree_size"] < 0:
            raise MalformedTreeHead("tree_size: negative")
        signature = document.get("signature")
        if not isinstance(signature, str):
            raise MalformedTreeHead("signature: missing or not a str")
        return cls(
            tree_size=document["tree_size"],
            root_hash=document["root_hash"],
            timestamp=document["timestamp"],
            key=document["key"],
            signature=signature,
        )


def head_bytes(tree_size: int, root_hash: str, timestamp: str) -> bytes:
    """The canonical bytes a tree-head signature covers."""
    return canonical_json(
        {"kind": HEAD_KIND, "tree_size": tree_size, "root_hash": root_hash, "timestamp": timestamp}
    )


def entry_leaf_hash(entry_hash: str) -> bytes:
    """An audit entry's Merkle leaf: its chain hash (which covers its whole content and its
    predecessor) as the leaf data."""
    return leaf_hash(bytes.fromhex(entry_hash))


def proof_verifies(kept: SignedTreeHead, later: SignedTreeHead, proof: list[str]) -> bool:
    """Whether `proof` shows `later` extends `kept` (logarithmic in the sizes)."""
    if kept.tree_size == 0:
        return kept.root_hash == EMPTY_ROOT.hex()
    try:
        nodes = [bytes.fromhex(node) for node in proof]
        first_root, second_root = bytes.fromhex(kept.root_hash), bytes.fromhex(later.root_hash)
    except ValueError:
        return False
    return verify_consistency(
        first=kept.tree_size,
        second=later.tree_size,
        first_root=first_root,
        second_root=second_root,
        proof=nodes,
    )


def extension_problems(
    tree: MerkleTree, kept: SignedTreeHead, *, announced_keys: list[str] | None = None
) -> list[str]:
    """Why the log `tree` holds does not provably extend the head someone kept: a bad
    signature, an unannounced key, a shorter log, or a failed consistency proof (a history
    rewritten before the kept head, however consistent in itself)."""
    problems: list[str] = []
    if not kept.signature_is_valid():
        problems.append("the kept tree head's signature does not verify with its key")
    if announced_keys is not None and kept.key not in announced_keys:
        problems.append(
            f"the kept tree head is signed with key {kept.key[:16]}…, which this log does not "
            "announce (was the commission's key replaced?)"
        )
    if kept.tree_size > tree.size:
        problems.append(
            f"the kept tree head covers {kept.tree_size} entries, the log has only {tree.size}: "
            "entries were removed"
        )
        return problems
    current = SignedTreeHead(tree.size, tree.root().hex(), "", "", "")
    proof = [] if kept.tree_size == 0 else tree.consistency_proof(kept.tree_size)
    if not proof_verifies(kept, current, [node.hex() for node in proof]):
        problems.append(
            f"the log's first {kept.tree_size} entries are not the ones the kept head signed "
            f"(root {tree.root(kept.tree_size).hex()[:16]}…, kept {kept.root_hash[:16]}…): "
            "the history was rewritten"
        )
    return problems
