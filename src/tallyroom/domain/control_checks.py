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
    list_ballot: Collection[str] | None = None,
) -> list[RuleFailure]:
    """Every rule the protocol breaks (empty when it is consistent). A district list
    contest's protocol (`list_ballot`: the parties on its ballot) is judged by its own
    ballot: the rules' `votes` are the party votes and the standing contenders the parties,
    never the candidate figures a list ballot does not carry."""
    # A parsed protocol's figures are whole numbers, but an optional line (blank votes) may
    # be absent: a rule naming it is then not applied.
    values = {
        name: value
        for name, value in zip(PROTOCOL_FIELDS, _figures(figures), strict=True)
        if value is not None
    }
    if list_ballot is not None:
        votes = figures.party_votes or {}
        contenders: Collection[str] = list_ballot
    else:
        votes, contenders = figures.votes, standing_candidates
    values[VOTE_VALUES["sum"]] = sum(votes.values())
    values[VOTE_VALUES["count"]] = len(votes)
    values["station.standing_candidates"] = len(contenders)
    if registered_on_register is not None:
        values["station.registered_voters"] = registered_on_register
    # only where the station used a poll book (otherwise a rule naming it is not applied)
    if check_ins is not None:
        values["station.check_ins"] = check_ins
    return rule_set.failures_of_values(values)


_figures = attrgetter(*PROTOCOL_FIELDS)
