"""A protocol's key must be enrolled before the protocol's place in the log, and not revoked
before it."""

from __future__ import annotations

from tallyroom.domain.key_history import KeyHistory, key_refusal


def test_a_key_enrolled_before_and_never_revoked_is_fine() -> None:
    assert key_refusal(KeyHistory(enrolled_at=3), protocol_at=10) is None
    assert key_refusal(KeyHistory(enrolled_at=3, revoked_at=12), protocol_at=10) is None


def test_a_key_enrolled_after_the_protocol_is_refused() -> None:
    refusal = key_refusal(KeyHistory(enrolled_at=11), protocol_at=10)
    assert refusal is not None
    assert "enrolled at audit entry 11, after" in refusal


def test_a_key_revoked_before_the_protocol_is_refused() -> None:
    refusal = key_refusal(KeyHistory(enrolled_at=3, revoked_at=7), protocol_at=10)
    assert refusal is not None
    assert "revoked at audit entry 7, before" in refusal


def test_a_key_never_enrolled_is_refused() -> None:
    assert key_refusal(KeyHistory(enrolled_at=None), protocol_at=10) is not None
