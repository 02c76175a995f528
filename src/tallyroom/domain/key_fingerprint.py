"""A public key's fingerprint, short enough for observers at a station to note down and
compare with what the commission publishes."""

from __future__ import annotations

import hashlib

FINGERPRINT_GROUPS = 4


def key_fingerprint(public_key_hex: str) -> str:
    """The first 64 bits of SHA-256 over the raw 32-byte key, as four groups of four hex
    digits ("3f2a 9c01 77de 0b45"); the app computes the same in the browser."""
    digest = hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()
    return " ".join(digest[4 * group : 4 * group + 4] for group in range(FINGERPRINT_GROUPS))
