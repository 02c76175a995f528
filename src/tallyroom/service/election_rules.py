"""The control rules an election's protocols are judged by, as stored with its definition."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.rule_set import (
    PROTOCOL_FIELDS,
    REFERENCE_RULE_SET,
    STATION_FACTS,
    RuleSet,
    rule_set_of,
)
from tallyroom.service.elections import election_row
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


def served_rules(session: Session, code: str | None = None) -> dict[str, Any]:
    """The rule set as GET /api/v1/rules serves it to the station app."""
    election = election_row(session, code)
    return {
        "election": election.code,
        **rule_set_of_text(election.rule_set).as_json(),
        "fields": list(PROTOCOL_FIELDS),
        "station_facts": list(STATION_FACTS),
    }
