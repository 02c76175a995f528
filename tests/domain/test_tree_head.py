"""Signed tree heads: the signature, and proving a log extends a head someone kept."""

from __future__ import annotations

import hashlib

import pytest

from tallyroom.domain.merkle_tree import MerkleTree, leaf_hash
from tallyroom.domain.signature import new_private_key, public_key_hex
from tallyroom.domain.tree_head import (
    MalformedTreeHead,
    SignedTreeHead,
    extension_problems,
    head_bytes,
    key_fingerprint,
)


def _tree(size: int) -> MerkleTree:
    return MerkleTree(leaf_hash(index.to_bytes(4, "big")) for index in range(size))


def _signed(tree: MerkleTree) -> SignedTreeHead:
    key = new_private_key()
    root = tree.root().hex()
    signature = key.sign(head_bytes(tree.size, root, "2024-09-01T20:00:00.000+00:00")).hex()
    return SignedTreeHead(
        tree.size, root, "2024-09-01T20:00:00.000+00:00", public_key_hex(key), signature
    )


def test_a_longer_log_extends_the_kept_head() -> None:
    kept = _signed(_tree(10))
    assert kept.signature_is_valid()
    assert extension_problems(_tree(25), kept, announced_keys=[kept.key]) == []


def test_a_log_restored_from_an_older_backup_is_not_a_prefix_of_what_was_published() -> None:
    kept = _signed(_tree(10))
    problems = extension_problems(_tree(7), kept)
    assert problems == [
        "the kept tree head covers 10 entries, the log has only 7: entries were removed"
    ]


def test_a_forged_signature_and_an_unannounced_key_are_named() -> None:
    kept = _signed(_tree(10))
    forged = SignedTreeHead(kept.tree_size, kept.root_hash, "later", kept.key, kept.signature)
    problems = extension_problems(_tree(10), forged, announced_keys=["0" * 64])
    assert "the kept tree head's signature does not verify with its key" in problems
    assert any("which this log does not announce" in problem for problem in problems)


def test_a_head_that_is_not_one_is_refused() -> None:
    with pytest.raises(MalformedTreeHead, match="tree_size"):
        SignedTreeHead.from_json({"tree_size": -1, "root_hash": "", "timestamp": "", "key": ""})
    with pytest.raises(MalformedTreeHead, match="signature"):
        SignedTreeHead.from_json({"tree_size": 1, "root_hash": "", "timestamp": "", "key": ""})


def test_a_key_fingerprint_is_the_first_128_bits_of_its_sha256_in_groups_of_four() -> None:
    key = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
    digest = hashlib.sha256(bytes.fromhex(key)).hexdigest()
    fingerprint = key_fingerprint(key)
    assert fingerprint.replace(" ", "") == digest[:32]
    assert [len(group) for group in fingerprint.split(" ")] == [4] * 8
    assert key_fingerprint("not hex") != key_fingerprint("not hex either")
