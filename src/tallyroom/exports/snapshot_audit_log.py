"""The audit log in a snapshot: the signed tree heads it follows and every entry's chain
hash (the Merkle tree's leaves), so a reader with a head kept earlier proves the published log
extends it (`tallyroom verify SNAPSHOT --head HEAD.json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tallyroom.domain.merkle_tree import HASH_SIZE, MerkleTree
from tallyroom.domain.tree_head import (
    SignedTreeHead,
    entry_leaf_hash,
    extension_problems,
)
from tallyroom.exports.snapshot_layout import AUDIT_ENTRY_HASHES, AUDIT_HEAD, AUDIT_TREE_HEADS
from tallyroom.exports.snapshot_open_data import json_bytes
from tallyroom.service.results.publication import Publication


def audit_log_files(publication: Publication) -> dict[str, bytes]:
    return {
        AUDIT_TREE_HEADS: json_bytes(
            {
                "keys": publication.tree_head_keys,
                "heads": [head.as_json() for head in publication.tree_heads],
            }
        ),
        AUDIT_ENTRY_HASHES: publication.audit_entry_hashes,
    }


def audit_log_problems(folder: Path, kept: SignedTreeHead | None) -> list[str]:
    """Every way the published log fails its own signed heads, its audit head, or the head
    a reader kept."""
    if not (folder / AUDIT_ENTRY_HASHES).exists() and kept is None:
        return []  # a snapshot from before the log was published; nothing to prove against
    try:
        chain_hashes = (folder / AUDIT_ENTRY_HASHES).read_bytes()
        published = json.loads((folder / AUDIT_TREE_HEADS).read_bytes())
        audit_head = json.loads((folder / AUDIT_HEAD).read_bytes())
        keys = [str(key) for key in published["keys"]]
        heads = [SignedTreeHead.from_json(head) for head in published["heads"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        problems = [f"{AUDIT_TREE_HEADS}, {AUDIT_ENTRY_HASHES}: unreadable ({error})"]
        return problems + (["the kept head cannot be checked"] if kept else [])
    if len(chain_hashes) % HASH_SIZE:
        return [f"{AUDIT_ENTRY_HASHES}: not a whole number of 32-byte hashes"]
    tree = MerkleTree(
        entry_leaf_hash(chain_hashes[offset : offset + HASH_SIZE].hex())
        for offset in range(0, len(chain_hashes), HASH_SIZE)
    )
    problems = _audit_head_problems(audit_head, chain_hashes, tree.size)
    for head in heads:
        problems += [
            f"{AUDIT_TREE_HEADS}: head of {head.tree_size} entries: {problem}"
            for problem in extension_problems(tree, head, announced_keys=keys)
        ]
    if kept is not None:
        problems += [f"kept head: {problem}" for problem in extension_problems(tree, kept)]
        if keys and kept.key not in keys:
            problems.append(
                f"kept head: signed with key {kept.key[:16]}…, the snapshot announces "
                f"{', '.join(key[:16] + '…' for key in keys)}: the commission's key was replaced"
            )
    return problems


def _audit_head_problems(audit_head: Any, chain_hashes: bytes, size: int) -> list[str]:
    last = chain_hashes[-HASH_SIZE:].hex() if chain_hashes else "0" * 64
    if not isinstance(audit_head, dict) or (
        audit_head.get("sequence"),
        audit_head.get("entry_hash"),
    ) != (size, last):
        return [
            f"{AUDIT_HEAD}: does not name the last of the {size} published entry hashes "
            f"({AUDIT_ENTRY_HASHES})"
        ]
    return []
