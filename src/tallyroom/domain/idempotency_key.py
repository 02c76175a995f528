"""The key a sender chooses for one thing it sends (an observer's phone, for each copy or
complaint in its outbox): sent again after a lost answer, the thing is stored once."""

from __future__ import annotations

import string

ALLOWED = frozenset(string.ascii_letters + string.digits + "-_")
MINIMUM_LENGTH = 16
MAXIMUM_LENGTH = 64


def is_idempotency_key(text: str) -> bool:
    """16 to 64 letters, digits, '-' or '_' (a UUID or 128 random bits in base64url)."""
    return MINIMUM_LENGTH <= len(text) <= MAXIMUM_LENGTH and set(text) <= ALLOWED
