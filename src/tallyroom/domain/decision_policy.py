"""The commission's decisions on protocols and stations, and the election's decision policy:
which of them are final only once a second person confirms them (four-eyes)."""

from __future__ import annotations

import enum
from collections.abc import Collection


class DecisionKind(enum.StrEnum):
    #: count a flagged protocol (a reason is required when control checks failed)
    ACCEPT = "accept"
    #: refuse a protocol: the station must amend it
    REJECT = "reject"
    #: order the station to count again; its next version carries the recount
    RECOUNT = "recount"
    #: take the station's result out of every total
    ANNUL = "annul"


def needs_confirmation(kind: DecisionKind, four_eyes: Collection[DecisionKind]) -> bool:
    """Whether a decision of this kind waits for a second person under the policy."""
    return kind in four_eyes


def parse_policy(stored: str) -> frozenset[DecisionKind]:
    """The policy as stored: ";"-separated decision kinds."""
    return frozenset(DecisionKind(kind) for kind in stored.split(";") if kind)


def stored_policy(kinds: Collection[DecisionKind]) -> str:
    return ";".join(sorted(kind.value for kind in kinds))
