"""The control checks a protocol must satisfy, applied from the election's rule set
(domain/rule_set.py). A failed check flags the protocol for the commission (or, by a rule's
action, refuses it); nothing is ever corrected here."""

from __future__ import annotations

from collections.abc import Collection
from operator import attrgetter

from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.rule_expression import VOTE_VALUES
from tallyroom.domain.rule_set import PROTOCOL_FIELDS, REFERENCE_RULE_SET, RuleFailure, RuleSet

#: a failed check (the name the rest of the code knows it by)
ControlCheckFailure = RuleFailure


def control_check_failures(
    figures: ProtocolFigures,
    *,
    standing_candidates: Collection[str],
    registered_on_register: int | None = None,
    check_ins: int | None = None,
    rule_set: RuleSet = REFERENCE_RULE_SET,
) -> list[RuleFailure]:
    """Every rule the protocol breaks (empty when it is consistent)."""
    # A parsed protocol's figures are whole numbers, but an optional line (blank votes) may
    # be absent: a rule naming it is then not applied.
    values = {
        name: value
        for name, value in zip(PROTOCOL_FIELDS, _figures(figures), strict=True)
        if value is not None
    }
    values[VOTE_VALUES["sum"]] = sum(figures.votes.values())
    values[VOTE_VALUES["count"]] = len(figures.votes)
    values["station.standing_candidates"] = len(standing_candidates)
    if registered_on_register is not None:
        values["station.registered_voters"] = registered_on_register
    # only where the station used a poll book (otherwise a rule naming it is not applied)
    if check_ins is not None:
        values["station.check_ins"] = check_ins
    return rule_set.failures_of_values(values)


_figures = attrgetter(*PROTOCOL_FIELDS)
