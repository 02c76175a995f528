"""The control rules an election's protocols are judged by, as stored with its definition."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.rule_set import (
    PROTOCOL_FIELDS,
    REFERENCE_RULE_SET,
    STATION_FACTS,
    RuleSet,
    rule_set_of,
)
from tallyroom.service.definition.elections import election_row
from tallyroom.store.schema import ElectionRow


def stored_rule_set(rule_set: RuleSet) -> str:
    """The election row's `rule_set` text for a rule set."""
    return canonical_json(rule_set.as_json()).decode()


@lru_cache(maxsize=16)
def _parsed(text: str) -> RuleSet:
    # Parsing the rules costs more than applying them: each stored text is parsed once.
    return rule_set_of(json.loads(text))


def rule_set_of_text(text: str | None) -> RuleSet:
    """The rule set stored as `text`; NULL (an election loaded before rules were data) is
    the reference election's six checks, which were the rules then."""
    return REFERENCE_RULE_SET if text is None else _parsed(text)


def election_rule_set(session: Session, election_id: int) -> RuleSet:
    return rule_set_of_text(
        session.scalar(select(ElectionRow.rule_set).where(ElectionRow.id == election_id))
    )


#: Built once: the server's small protocol groups read it every commit.
_RULES_FOR_JUDGING = (
    select(ElectionRow.rule_set)
    .where(ElectionRow.id == bindparam("election_id"))
    .with_for_update(read=True)
)


def rule_set_for_judging(session: Session, election_id: int) -> RuleSet:
    """The rule set a protocol about to be stored is judged by, with the election row held
    for share until the transaction ends. A rules change updates that row (its lock conflicts
    with this one, service/protocols/rule_changes.py), so on PostgreSQL either the change waits for
    this transaction to commit and then judges again what it stored, or this read waits for
    the change to commit and returns the new rules: no protocol is stored judged by the old
    rules after the change's re-examination ran. (SQLite serialises writers already.)
    Read it before any other lock the storing takes: the change takes this row first."""
    return rule_set_of_text(
        session.connection().execute(_RULES_FOR_JUDGING, {"election_id": election_id}).scalar()
    )


def served_rules(session: Session, code: str | None = None) -> dict[str, Any]:
    """The rule set as GET /api/v1/rules serves it to the station app."""
    election = election_row(session, code)
    return {
        "election": election.code,
        **rule_set_of_text(election.rule_set).as_json(),
        "fields": list(PROTOCOL_FIELDS),
        "station_facts": list(STATION_FACTS),
    }
