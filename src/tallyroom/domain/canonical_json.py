"""RFC 8785 (JSON Canonicalization Scheme): the one byte form that is signed and hashed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785

#: integers JSON numbers (IEEE doubles) hold exactly; rfc8785 refuses the others
_SAFE_INTEGER = 2**53 - 1
#: below the surrogates, UTF-16 order (RFC 8785 sorts keys by it) is code-point order
_FIRST_SURROGATE = "\ud800"
#: more items than any protocol or audit entry holds
_MOST_ITEMS = 1_000_000


def canonical_json(value: Any) -> bytes:
    # Every protocol is canonicalised for its signature and every audit entry for its hash,
    # on the ingest path. For values of plain strings and safe integers the standard library's
    # C encoder writes exactly RFC 8785's bytes (same escapes, keys sorted, no spaces), at a
    # fraction of rfc8785's pure-Python cost; anything else (floats, big integers, keys or
    # strings with surrogates or astral characters) goes to rfc8785 itself.
    if _plain(value):
        return json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
        ).encode("utf-8")
    return bytes(rfc8785.dumps(value))


def _plain(value: Any) -> bool:
    # Exact types only: a subclass (an enum, an ordered dict) takes rfc8785's path. A loop
    # over a stack, not recursion: this runs for every protocol and audit entry at ingest.
    pending = [value]
    # A value that refers to itself would keep the stack full for ever: past this many
    # items the value goes to rfc8785, which refuses it.
    budget = _MOST_ITEMS
    while pending:
        budget -= 1
        if budget < 0:
            return False
        item = pending.pop()
        kind = type(item)
        if kind is str:
            if not (item.isascii() or max(item) < _FIRST_SURROGATE):
                return False
        elif kind is int:
            if not -_SAFE_INTEGER <= item <= _SAFE_INTEGER:
                return False
        elif kind is dict:
            for key in item:
                if type(key) is not str or not (key.isascii() or max(key) < _FIRST_SURROGATE):
                    return False
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
        elif item is not None and kind is not bool:
            return False
    return True


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
