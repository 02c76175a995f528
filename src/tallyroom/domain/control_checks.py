"""The control checks a protocol must satisfy, applied from the election's rule set
(domain/rule_set.py). A failed check flags the protocol for the commission (or, by a rule's
action, refuses it); nothing is ever corrected here."""

from __future__ import annotations

from collections.abc import Collection

from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.rule_set import PROTOCOL_FIELDS, REFERENCE_RULE_SET, RuleFailure, RuleSet

#: a failed check (the name the rest of the code knows it by)
ControlCheckFailure = RuleFailure


def control_check_failures(
    figures: ProtocolFigures,
    *,
    standing_candidates: Collection[str],
    registered_on_register: int | None = None,
    rule_set: RuleSet = REFERENCE_RULE_SET,
) -> list[RuleFailure]:
    """Every rule the protocol breaks (empty when it is consistent)."""
    return rule_set.failures(
        {name: getattr(figures, name) for name in PROTOCOL_FIELDS},
        figures.votes,
        {
            "registered_voters": registered_on_register,
            "standing_candidates": len(standing_candidates),
        },
    )
