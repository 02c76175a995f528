"""Changing an election's rule set mid-election: the commission adopts a new version (audited,
with the election row's image, in one transaction), and every protocol no person has decided
yet is judged again under it. Protocols a person decided (accepted, rejected), stations with a
recount ordered or an annulment standing, protocols with a decision awaiting confirmation and
the stations of a certified contest are never altered. Which decisions need a second person
is the election's decision policy, not part of the rule set, and is not touched here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.rule_set import RuleSet
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import InvalidInput
from tallyroom.service.protocols.election_rules import rule_set_of_text, stored_rule_set
from tallyroom.service.protocols.reexamination import (
    JUDGED_BY_RULES,
    ReexaminedProtocol,
    reexamine,
)
from tallyroom.service.results.tally import bump_revision
from tallyroom.store.schema import ElectionRow, PollingStationRow, ProtocolVersionRow

#: the audit action of a new rule set (each protocol judged again under it logs
#: reexamination.REEXAMINED)
RULES_CHANGED = "rules.changed"
MAXIMUM_REASON_CHARACTERS = 2_000


@dataclass(frozen=True, slots=True)
class RuleSetChange:
    version: str
    previous_version: str
    #: False when the rule set sent is the one in force (nothing stored, nothing logged)
    changed: bool
    #: every protocol judged again (its status may be the same)
    reexamined: list[ReexaminedProtocol]
    #: undecided protocols left as they were because their contest is certified
    frozen_stations: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "previous_version": self.previous_version,
            "changed": self.changed,
            "reexamined": len(self.reexamined),
            "status_changed": [
                item.as_dict() for item in self.reexamined if item.status != item.previous_status
            ],
            "frozen_stations": self.frozen_stations,
        }


def change_rule_set(
    session: Session,
    *,
    principal: Principal,
    rule_set: RuleSet,
    reason: str,
    now: datetime | None = None,
) -> RuleSetChange:
    """Adopt `rule_set` as the election's rules (the commission's members only) and judge
    again every protocol no person has decided."""
    principal.require_commission()
    reason = _required_reason(reason)
    moment = now or datetime.now(UTC)
    # Locked (FOR NO KEY UPDATE on PostgreSQL): two changes at once are applied one after the
    # other, and a submission, which reads the rules holding this row for share
    # (election_rules.rule_set_for_judging), either commits before the re-examination below
    # reads the protocols (and is judged again) or waits and is judged by the new rules.
    # Rows that merely refer to the election (key share) are not held up.
    election = session.scalars(
        select(ElectionRow)
        .where(ElectionRow.id == principal.election_id)
        .with_for_update(key_share=True)
    ).one()
    previous = rule_set_of_text(election.rule_set)
    if previous.version == rule_set.version:
        return RuleSetChange(rule_set.version, previous.version, False, [], [])
    election.rule_set = stored_rule_set(rule_set)
    session.flush()
    audit_log.record(
        session,
        actor=principal.actor,
        action=RULES_CHANGED,
        payload={
            "version": rule_set.version,
            "previous_version": previous.version,
            "reason": reason,
            "rules": [rule.id for rule in rule_set.rules],
            "changed_at": moment.astimezone(UTC).isoformat(timespec="microseconds"),
        },
    )
    row_ledger.record_rows(session, actor=principal.actor, table="election", keys=[[election.id]])
    judged = reexamine(
        session,
        _undecided_versions(session, election.id),
        rule_set,
        principal.actor,
        logged=lambda item: item.as_dict() | {"rule_set_version": rule_set.version},
    )
    bump_revision(session, election.id)
    return RuleSetChange(
        rule_set.version, previous.version, True, judged.reexamined, judged.frozen_stations
    )


def _required_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput("reason_required", "say why the rules change")
    if len(reason) > MAXIMUM_REASON_CHARACTERS:
        raise InvalidInput(
            "reason_too_long", f"a reason is at most {MAXIMUM_REASON_CHARACTERS} characters"
        )
    return reason.strip()


def _undecided_versions(session: Session, election_id: int) -> list[ProtocolVersionRow]:
    """Each station's latest version as the rules left it (no person's decision on it)."""
    latest = (
        select(ProtocolVersionRow.station_id, func.max(ProtocolVersionRow.version).label("version"))
        .group_by(ProtocolVersionRow.station_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(ProtocolVersionRow)
            .join(
                latest,
                (latest.c.station_id == ProtocolVersionRow.station_id)
                & (latest.c.version == ProtocolVersionRow.version),
            )
            .join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
            .where(
                PollingStationRow.election_id == election_id,
                ProtocolVersionRow.status.in_(JUDGED_BY_RULES),
                ProtocolVersionRow.decided_at.is_(None),
            )
            .order_by(ProtocolVersionRow.station_id)
            .with_for_update(of=ProtocolVersionRow)
        )
    )
