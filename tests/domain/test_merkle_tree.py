"""The RFC 9162 tree against transparency-dev/merkle's test data, and its properties."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tallyroom.domain.merkle_tree import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# Copied from https://github.com/transparency-dev/merkle (Apache License 2.0, Google LLC):
# testdata/{inclusion,consistency}/**/*.json, and testonly/constants.go below.
VECTORS = json.loads(
    (Path(__file__).parent / "vectors" / "transparency_dev_merkle.json").read_text()
)
LEAF_INPUTS = [
    bytes.fromhex(text)
    for text in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOT_HASHES = [
    EMPTY_ROOT.hex(),
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _bytes(text: str | None) -> bytes:
    return base64.b64decode(text or "")


def _proof(vector: dict[str, Any]) -> list[bytes]:
    return [_bytes(item) for item in vector["proof"] or []]


def test_hashes_match_the_reference_hasher() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def test_roots_of_every_prefix_match_the_reference() -> None:
    tree = MerkleTree(leaf_hash(leaf) for leaf in LEAF_INPUTS)
    assert [tree.root(size).hex() for size in range(9)] == ROOT_HASHES


@pytest.mark.parametrize("vector", VECTORS["inclusion"], ids=lambda vector: vector["file"])
def test_inclusion_vectors(vector: dict[str, Any]) -> None:
    verified = verify_inclusion(
        index=vector["leafIdx"],
        size=vector["treeSize"],
        hash_of_leaf=_bytes(vector["leafHash"]),
        proof=_proof(vector),
        root=_bytes(vector["root"]),
    )
    assert verified is not vector["wantErr"]


@pytest.mark.parametrize("vector", VECTORS["consistency"], ids=lambda vector: vector["file"])
def test_consistency_vectors(vector: dict[str, Any]) -> None:
    verified = verify_consistency(
        first=vector["size1"],
        second=vector["size2"],
        first_root=_bytes(vector["root1"]),
        second_root=_bytes(vector["root2"]),
        proof=_proof(vector),
    )
    assert verified is not vector["wantErr"]


def test_generated_proofs_are_the_reference_happy_paths() -> None:
    tree = MerkleTree(leaf_hash(leaf) for leaf in LEAF_INPUTS)
    for vector in VECTORS["inclusion"]:
        if vector["desc"] == "happy path" and vector["treeSize"] <= 8:
            proof = tree.inclusion_proof(vector["leafIdx"], vector["treeSize"])
            assert proof == _proof(vector), vector["file"]
    for vector in VECTORS["consistency"]:
        if vector["desc"] == "happy path" and vector["size1"] > 0 and vector["size2"] <= 8:
            proof = tree.consistency_proof(vector["size1"], vector["size2"])
            assert proof == _proof(vector), vector["file"]


def _leaves(count: int, salt: bytes = b"") -> list[bytes]:
    return [leaf_hash(salt + index.to_bytes(4, "big")) for index in range(count)]


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300), st.data())
def test_every_prefix_is_proven_consistent_and_every_leaf_included(
    size: int, data: st.DataObject
) -> None:
    tree = MerkleTree(_leaves(size))
    first = data.draw(st.integers(1, size))
    proof = tree.consistency_proof(first, size)
    assert verify_consistency(
        first=first,
        second=size,
        first_root=tree.root(first),
        second_root=tree.root(),
        proof=proof,
    )
    index = data.draw(st.integers(0, size - 1))
    assert verify_inclusion(
        index=index,
        size=size,
        hash_of_leaf=tree.leaf_hash_at(index),
        proof=tree.inclusion_proof(index),
        root=tree.root(),
    )


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 300), st.data())
def test_any_altered_history_fails(size: int, data: st.DataObject) -> None:
    leaves = _leaves(size)
    first = data.draw(st.integers(1, size - 1))
    kept_root = MerkleTree(leaves[:first]).root()
    # Rewrite one entry of the kept prefix (and possibly more after it): a history that is
    # internally consistent but not the one whose head was kept.
    altered = data.draw(st.integers(0, first - 1))
    rewritten = [*leaves[:altered], leaf_hash(b"forged"), *leaves[altered + 1 :]]
    forged = MerkleTree(rewritten)
    assert not verify_consistency(
        first=first,
        second=size,
        first_root=kept_root,
        second_root=forged.root(),
        proof=forged.consistency_proof(first, size),
    )


def test_a_million_leaves_build_and_prove_quickly() -> None:
    import time

    leaves = b"".join(hashlib.sha256(index.to_bytes(4, "big")).digest() for index in range(1 << 20))
    started = time.perf_counter()
    tree = MerkleTree()
    tree.extend_concatenated(leaves)
    built = time.perf_counter() - started
    started = time.perf_counter()
    proof = tree.consistency_proof(654_321)
    assert verify_consistency(
        first=654_321,
        second=tree.size,
        first_root=tree.root(654_321),
        second_root=tree.root(),
        proof=proof,
    )
    assert time.perf_counter() - started < 0.05
    assert built < 30  # shared CPUs; bench/audit.py reports the real figure
