"""Keys are history: a protocol counts only if its station's key was enrolled before the
protocol's position in the audit log and not revoked before it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KeyHistory:
    """Where in the audit log a station key was enrolled and (if it was) revoked."""

    enrolled_at: int | None
    revoked_at: int | None = None


def key_refusal(history: KeyHistory, protocol_at: int) -> str | None:
    """Why a protocol logged at `protocol_at` may not have been signed with this key."""
    if history.enrolled_at is None:
        return "its key was never enrolled in the audit log"
    if history.enrolled_at > protocol_at:
        return (
            f"its key was enrolled at audit entry {history.enrolled_at}, after the protocol "
            f"(entry {protocol_at})"
        )
    if history.revoked_at is not None and history.revoked_at < protocol_at:
        return (
            f"its key was revoked at audit entry {history.revoked_at}, before the protocol "
            f"(entry {protocol_at})"
        )
    return None
