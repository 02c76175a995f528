"""RFC 9162 (Certificate Transparency v2) Merkle tree: tree heads, inclusion and consistency
proofs, generated from stored per-level hashes and verified in logarithmic time."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _largest_power_of_two_below(size: int) -> int:
    return 1 << ((size - 1).bit_length() - 1)


class MerkleTree:
    """An append-only tree that keeps the hash of every complete subtree, level by level,
    each level one contiguous byte string (a million leaves cost 64 MB, not 2 million
    objects), so any earlier tree's root and any proof are a logarithmic walk."""

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        return len(self._levels[0]) // HASH_SIZE

    def append(self, hash_of_leaf: bytes) -> None:
        self.extend_concatenated(hash_of_leaf)

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        self.extend_concatenated(b"".join(leaf_hashes))

    def extend_concatenated(self, leaf_hashes: bytes) -> None:
        """Append leaf hashes given as one byte string, 32 bytes each, and hash every
        subtree they complete, a level at a time."""
        if len(leaf_hashes) % HASH_SIZE:
            raise ValueError("leaf hashes come in 32-byte pieces")
        self._levels[0] += leaf_hashes
        sha256 = hashlib.sha256
        level = 0
        while True:
            lower = self._levels[level]
            pairs = len(lower) // (2 * HASH_SIZE)
            if len(self._levels) == level + 1:
                if pairs == 0:
                    return
                self._levels.append(bytearray())
            upper = self._levels[level + 1]
            done = len(upper) // HASH_SIZE
            if done == pairs:
                return
            upper += b"".join(
                sha256(b"\x01" + lower[offset : offset + 2 * HASH_SIZE]).digest()
                for offset in range(done * 2 * HASH_SIZE, pairs * 2 * HASH_SIZE, 2 * HASH_SIZE)
            )
            level += 1

    def leaf_hash_at(self, index: int) -> bytes:
        return bytes(self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def root(self, size: int | None = None) -> bytes:
        """MTH(D[0:size]), the tree head's root hash (the whole tree by default)."""
        size = self.size if size is None else size
        self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        return self._range_hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1."""
        size = self.size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size}")
        return self._path(index, 0, size)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1."""
        second = self.size if second is None else second
        self._check_size(second)
        if not 0 < first <= second:
            raise ValueError(f"no consistency proof from size {first} to {second}")
        return self._subproof(first, 0, second, complete=True)

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"the tree has {self.size} leaves, not {size}")

    def _range_hash(self, start: int, end: int) -> bytes:
        # Every range the RFC's recursion asks for starts on a multiple of its left part's
        # size, so its complete parts are stored nodes.
        size = end - start
        if size & (size - 1) == 0:
            level = size.bit_length() - 1
            offset = (start >> level) * HASH_SIZE
            return bytes(self._levels[level][offset : offset + HASH_SIZE])
        split = _largest_power_of_two_below(size)
        left = self._range_hash(start, start + split)
        return node_hash(left, self._range_hash(start + split, end))

    def _path(self, index: int, start: int, end: int) -> list[bytes]:
        if end - start == 1:
            return []
        split = _largest_power_of_two_below(end - start)
        if index < split:
            right = self._range_hash(start + split, end)
            return [*self._path(index, start, start + split), right]
        left = self._range_hash(start, start + split)
        return [*self._path(index - split, start + split, end), left]

    def _subproof(self, first: int, start: int, end: int, *, complete: bool) -> list[bytes]:
        if first == end - start:
            return [] if complete else [self._range_hash(start, end)]
        split = _largest_power_of_two_below(end - start)
        if first <= split:
            return [
                *self._subproof(first, start, start + split, complete=complete),
                self._range_hash(start + split, end),
            ]
        return [
            *self._subproof(first - split, start + split, end, complete=False),
            self._range_hash(start, start + split),
        ]


def verify_inclusion(
    *, index: int, size: int, hash_of_leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size or len(hash_of_leaf) != HASH_SIZE:
        return False
    first, last = index, size - 1
    result = hash_of_leaf
    for sibling in proof:
        if last == 0:
            return False
        if first & 1 or first == last:
            result = node_hash(sibling, result)
            if not first & 1:
                while first and not first & 1:
                    first >>= 1
                    last >>= 1
        else:
            result = node_hash(result, sibling)
        first >>= 1
        last >>= 1
    return last == 0 and result == root


def verify_consistency(
    *, first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2; equal sizes need an empty proof and equal roots, and nothing is
    proven from the empty tree (as transparency-dev/merkle rules: any log extends it)."""
    if first > second or first == 0:
        return False
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    first_node, second_node = first - 1, second - 1
    while first_node & 1:
        first_node >>= 1
        second_node >>= 1
    first_result = second_result = path[0]
    for sibling in path[1:]:
        if second_node == 0:
            return False
        if first_node & 1 or first_node == second_node:
            first_result = node_hash(sibling, first_result)
            second_result = node_hash(sibling, second_result)
            if not first_node & 1:
                while first_node and not first_node & 1:
                    first_node >>= 1
                    second_node >>= 1
        else:
            second_result = node_hash(second_result, sibling)
        first_node >>= 1
        second_node >>= 1
    return second_node == 0 and first_result == first_root and second_result == second_root
