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
    # Exact types only: a subclass (an enum, an ordered dict) takes rfc8785's path.
    kind = type(value)
    if kind is str:
        return _plain_text(value)
    if kind is int:
        return bool(-_SAFE_INTEGER <= value <= _SAFE_INTEGER)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not _plain_text(key) or not _plain(item):
                return False
        return True
    if kind is list:
        return all(_plain(item) for item in value)
    return value is None or kind is bool


def _plain_text(text: str) -> bool:
    return text.isascii() or max(text) < _FIRST_SURROGATE


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
