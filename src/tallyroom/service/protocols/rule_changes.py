"""Changing an election's rule set mid-election: the commission adopts a new version (audited,
with the election row's image, in one transaction), and every protocol no person has decided
yet is judged again under it. Protocols a person decided (accepted, rejected), stations with a
recount ordered or an annulment standing, protocols with a decision awaiting confirmation and
the stations of a certified contest are never altered. Which decisions need a second person
is the election's decision policy, not part of the rule set, and is not touched here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.candidate import CandidateStatus
from tallyroom.domain.control_checks import control_check_failures
from tallyroom.domain.protocol_document import parse_protocol_document
from tallyroom.domain.rule_set import RuleSet
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.definition.election_structure import district_list_ballots
from tallyroom.service.errors import InvalidInput
from tallyroom.service.protocols.annulments import annulled_stations
from tallyroom.service.protocols.election_rules import rule_set_of_text, stored_rule_set
from tallyroom.service.protocols.protocols import SIGNED_WITH_REVOKED_KEY, recount_pending
from tallyroom.service.register.poll_book_figures import check_ins_by_station
from tallyroom.service.results.certified_contests import certified_constituencies
from tallyroom.service.results.tally import bump_revision, count_protocol, uncount_station
from tallyroom.store.schema import (
    CandidateRow,
    ElectionRow,
    PollingStationRow,
    ProposedDecisionRow,
    ProtocolVersionRow,
)

#: the audit action of a new rule set, and of a protocol judged again under it
RULES_CHANGED = "rules.changed"
REEXAMINED = "protocol.reexamined"
#: the statuses the rules give (a person's decision sets decided_at)
_JUDGED_BY_RULES = ("accepted", "flagged")
MAXIMUM_REASON_CHARACTERS = 2_000
#: reasons a protocol is flagged for that no rule gives (kept when it is judged again)
INTAKE_REASONS = frozenset({SIGNED_WITH_REVOKED_KEY})


@dataclass(frozen=True, slots=True)
class ReexaminedProtocol:
    station: str
    version: int
    previous_status: str
    status: str
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "version": self.version,
            "previous_status": self.previous_status,
            "status": self.status,
            "reasons": self.reasons,
        }


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
    reexamined, frozen = _reexamine(session, principal, election.id, rule_set)
    bump_revision(session, election.id)
    return RuleSetChange(rule_set.version, previous.version, True, reexamined, frozen)


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
                ProtocolVersionRow.status.in_(_JUDGED_BY_RULES),
                ProtocolVersionRow.decided_at.is_(None),
            )
            .order_by(ProtocolVersionRow.station_id)
            .with_for_update(of=ProtocolVersionRow)
        )
    )


def _reexamine(
    session: Session, principal: Principal, election_id: int, rule_set: RuleSet
) -> tuple[list[ReexaminedProtocol], list[str]]:
    versions = _undecided_versions(session, election_id)
    if not versions:
        return [], []
    stations = {
        station.id: station
        for station in session.scalars(
            select(PollingStationRow).where(
                PollingStationRow.id.in_([version.station_id for version in versions])
            )
        )
    }
    annulled = set(annulled_stations(session, election_id))
    proposed = set(
        session.scalars(
            select(ProposedDecisionRow.protocol_version_id).where(
                ProposedDecisionRow.state == "pending",
                ProposedDecisionRow.protocol_version_id.is_not(None),
            )
        )
    )
    pending_on_station = set(
        session.scalars(
            select(ProposedDecisionRow.station_id).where(
                ProposedDecisionRow.state == "pending",
                ProposedDecisionRow.protocol_version_id.is_(None),
            )
        )
    )
    certified = certified_constituencies(
        session, {station.constituency_id for station in stations.values()}
    )
    # judged as at intake: the station's check-ins beside its figures (a rule may name them)
    check_ins = check_ins_by_station(session, list(stations))
    list_ballots = district_list_ballots(session, election_id)
    standing: dict[int, list[str]] = {}
    for constituency_id, code in session.execute(
        select(CandidateRow.constituency_id, CandidateRow.code).where(
            CandidateRow.status == CandidateStatus.REGISTERED.value
        )
    ).tuples():
        standing.setdefault(constituency_id, []).append(code)
    reexamined: list[ReexaminedProtocol] = []
    frozen: list[str] = []
    entries: list[tuple[str, str, dict[str, Any]]] = []
    for version in versions:
        station = stations[version.station_id]
        if (
            station.id in annulled
            or station.id in pending_on_station
            or version.id in proposed
            or recount_pending(session, station.id)
        ):
            continue  # in a person's hands
        if station.constituency_id in certified:
            frozen.append(station.code)
            continue
        old_reasons: list[dict[str, Any]] = json.loads(version.reasons)
        figures = parse_protocol_document(json.loads(version.body)).figures
        failures = control_check_failures(
            figures,
            standing_candidates=standing.get(station.constituency_id, []),
            registered_on_register=station.registered_voters,
            check_ins=check_ins.get(station.id),
            rule_set=rule_set,
            list_ballot=list_ballots.get(station.constituency_id),
        )
        # A rule that would refuse a protocol cannot un-store one: it is flagged instead.
        reasons = [failure.as_dict() for failure in failures]
        # The intake's own reasons stay: no rule gave them.
        reasons += [r for r in old_reasons if r.get("code") in INTAKE_REASONS]
        status = "flagged" if reasons else "accepted"
        previous_status = version.status
        version.status = status
        version.reasons = json.dumps(reasons, ensure_ascii=False)
        version.rule_set_version = rule_set.version
        session.flush()
        if status != previous_status:
            if status == "accepted":
                count_protocol(session, station=station, version=version)
            else:
                uncount_station(session, station=station)
        codes = [reason["code"] for reason in reasons]
        reexamined.append(
            ReexaminedProtocol(station.code, version.version, previous_status, status, codes)
        )
        entries.append(
            (
                principal.actor,
                REEXAMINED,
                {
                    "station": station.code,
                    "version": version.version,
                    "previous_status": previous_status,
                    "status": status,
                    "reasons": codes,
                    "rule_set_version": rule_set.version,
                },
            )
        )
    if entries:
        audit_log.record_many(session, entries, returning=False)
    return reexamined, sorted(frozen)
