"""Finding the election a command works on."""

from __future__ import annotations

import json
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.complaint import deadline_days
from tallyroom.domain.decision_policy import parse_policy
from tallyroom.domain.election import ContestKind, Election, VotingHours
from tallyroom.domain.electoral_systems.tie_rules import TieRule
from tallyroom.domain.leveling_rule import leveling_rule_of
from tallyroom.domain.list_contest import list_contest_of
from tallyroom.service.errors import NotFound
from tallyroom.store.schema import ElectionRow


def election_row(session: Session, code: str | None = None) -> ElectionRow:
    """The election with this code, or the one most recently loaded."""
    query = select(ElectionRow)
    query = (
        query.where(ElectionRow.code == code)
        if code
        else query.order_by(ElectionRow.id.desc()).limit(1)
    )
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(
            "no_election",
            f"no election {code!r} in the database"
            if code
            else "no election is loaded yet: run `tallyroom load DIR` first",
        )
    return row


def election_of(row: ElectionRow) -> Election:
    return Election(
        code=row.code,
        name=row.name,
        country=row.country,
        polling_day=row.polling_day,
        timezone=row.timezone,
        voting_hours=VotingHours(time.fromisoformat(row.opens), time.fromisoformat(row.closes)),
        turnout_report_times=tuple(
            time.fromisoformat(moment) for moment in row.turnout_report_times.split(";") if moment
        ),
        seats=row.seats,
        contest_kind=ContestKind(row.contest_kind),
        seats_per_constituency=row.seats_per_constituency,
        too_close_margin_percent=row.too_close_margin_percent,
        names=tuple(json.loads(row.names or "{}").items()),
        list_contest=list_contest_of(json.loads(row.list_contest)) if row.list_contest else None,
        four_eyes_decisions=tuple(sorted(parse_policy(row.four_eyes_decisions))),
        complaint_deadline_days=deadline_days(json.loads(row.complaint_deadlines))
        if row.complaint_deadlines
        else (),
        two_clerk_entry=row.two_clerk_entry,
        tie_rule=TieRule(row.tie_rule),
        leveling=leveling_rule_of(json.loads(row.leveling)) if row.leveling else None,
    )
