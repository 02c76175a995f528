"""Judging stored protocols again with no person deciding: under a new rule set, or because
check-ins synced after a protocol was judged. One that is in a person's hands is never altered."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.candidate import CandidateStatus
from tallyroom.domain.control_checks import control_check_failures
from tallyroom.domain.protocol_document import parse_protocol_document
from tallyroom.domain.rule_set import RuleSet
from tallyroom.service.audit import audit_log
from tallyroom.service.definition.election_structure import district_list_ballots
from tallyroom.service.protocols.annulments import annulled_stations
from tallyroom.service.protocols.protocols import (
    SIGNED_WITH_REVOKED_KEY,
    ProtocolStatus,
    recount_pending,
)
from tallyroom.service.register.poll_book_figures import check_ins_by_station
from tallyroom.service.results.certified_contests import certified_constituencies
from tallyroom.service.results.tally import bump_revision, count_protocol, uncount_station
from tallyroom.store.schema import (
    CandidateRow,
    PollingStationRow,
    ProposedDecisionRow,
    ProtocolVersionRow,
)

#: the audit action of a protocol judged again
REEXAMINED = "protocol.reexamined"
#: the statuses the rules give (a person's decision sets decided_at; received: annulled)
JUDGED_BY_RULES = (ProtocolStatus.ACCEPTED.value, ProtocolStatus.FLAGGED.value)
#: reasons a protocol is flagged for at intake that no rule gives: kept, as stored, whatever
#: the rules now say (a document signed with a revoked key stays the commission's to decide)
INTAKE_REASONS = frozenset({SIGNED_WITH_REVOKED_KEY})


@dataclass(frozen=True, slots=True)
class ReexaminedProtocol:
    station: str
    version: int
    previous_status: str
    status: str
    reasons: list[str]
    #: the station's check-ins it was judged beside (None: the station uses no poll book)
    check_ins: int | None = None
    #: whether the status or the reasons differ from before
    changed: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "version": self.version,
            "previous_status": self.previous_status,
            "status": self.status,
            "reasons": self.reasons,
        }


@dataclass(frozen=True, slots=True)
class Reexamination:
    #: every protocol judged again (with `only_changes`, those whose judgement changed)
    reexamined: list[ReexaminedProtocol]
    #: stations of a certified contest, left as they were
    frozen_stations: list[str]


def reexamine(
    session: Session,
    versions: Sequence[ProtocolVersionRow],
    rule_set: RuleSet,
    actor: str,
    *,
    logged: Callable[[ReexaminedProtocol], Mapping[str, Any]],
    only_changes: bool = False,
) -> Reexamination:
    """Judge `versions` (each its station's latest) again under `rule_set`, in the caller's
    transaction: status and reasons recomputed as at intake (the station's check-ins beside
    its figures), counted or uncounted to match, each judged one logged as `logged` says.
    With `only_changes`, a protocol whose status and reasons stay the same is not touched."""
    candidates = [
        version
        for version in versions
        if version.status in JUDGED_BY_RULES and version.decided_at is None
    ]
    if not candidates:
        return Reexamination([], [])
    stations = {
        station.id: station
        for station in session.scalars(
            select(PollingStationRow).where(
                PollingStationRow.id.in_({version.station_id for version in candidates})
            )
        )
    }
    in_hand = _in_a_persons_hands(session, candidates, stations)
    certified = certified_constituencies(
        session, {station.constituency_id for station in stations.values()}
    )
    standing = _standing_candidates(session, {s.constituency_id for s in stations.values()})
    check_ins = check_ins_by_station(session, list(stations))
    # a district list contest's protocols are judged by their party votes, as at intake
    list_ballots = {
        election_id: district_list_ballots(session, election_id)
        for election_id in {station.election_id for station in stations.values()}
    }
    reexamined: list[ReexaminedProtocol] = []
    frozen: list[str] = []
    reasons_only: list[int] = []
    for version in candidates:
        station = stations[version.station_id]
        if version.id in in_hand:
            continue
        if station.constituency_id in certified:
            frozen.append(station.code)
            continue
        previous_reasons: list[dict[str, Any]] = json.loads(version.reasons)
        failures = control_check_failures(
            parse_protocol_document(json.loads(version.body)).figures,
            standing_candidates=standing.get(station.constituency_id, []),
            registered_on_register=station.registered_voters,
            check_ins=check_ins.get(station.id),
            rule_set=rule_set,
            list_ballot=list_ballots[station.election_id].get(station.constituency_id),
        )
        # A rule that would refuse a protocol cannot un-store one: it is flagged instead.
        reasons = [failure.as_dict() for failure in failures]
        reasons += [r for r in previous_reasons if r.get("code") in INTAKE_REASONS]
        status = ProtocolStatus.FLAGGED.value if reasons else ProtocolStatus.ACCEPTED.value
        codes = [reason["code"] for reason in reasons]
        previous_status = version.status
        changed = status != previous_status or codes != [r["code"] for r in previous_reasons]
        if only_changes and not changed:
            continue
        version.status = status
        version.reasons = json.dumps(reasons, ensure_ascii=False)
        version.rule_set_version = rule_set.version
        session.flush()
        if status != previous_status:
            if status == ProtocolStatus.ACCEPTED.value:
                count_protocol(session, station=station, version=version)
            else:
                uncount_station(session, station=station)
        elif changed:
            reasons_only.append(station.id)
        reexamined.append(
            ReexaminedProtocol(
                station.code,
                version.version,
                previous_status,
                status,
                codes,
                check_ins.get(station.id),
                changed,
            )
        )
    if reasons_only:
        # the station pages show the new reasons: the feed of changes names them
        election_id = stations[reasons_only[0]].election_id
        bump_revision(session, election_id, changed_stations=reasons_only)
    if reexamined:
        audit_log.record_many(
            session,
            [(actor, REEXAMINED, dict(logged(item))) for item in reexamined],
            returning=False,
        )
    return Reexamination(reexamined, sorted(frozen))


def _in_a_persons_hands(
    session: Session,
    versions: Sequence[ProtocolVersionRow],
    stations: Mapping[int, PollingStationRow],
) -> set[int]:
    """Of these versions (ids), those a person has in hand: the station's result annulled or
    a recount ordered and not yet reported, or a decision awaiting its second person on the
    version or on the station. (One on a version since amended waits for nothing.)"""
    elections = {station.election_id for station in stations.values()}
    annulled: set[int] = set()
    for election_id in elections:
        annulled.update(annulled_stations(session, election_id))
    pending = session.execute(
        select(ProposedDecisionRow.station_id, ProposedDecisionRow.protocol_version_id).where(
            ProposedDecisionRow.state == "pending",
            ProposedDecisionRow.station_id.in_(list(stations)),
        )
    ).tuples()
    awaiting_confirmation: set[int] = set()
    pending_on_station: set[int] = set()
    for station_id, version_id in pending:
        if version_id is None:
            pending_on_station.add(station_id)
        else:
            awaiting_confirmation.add(version_id)
    return {
        version.id
        for version in versions
        if version.station_id in annulled
        or version.station_id in pending_on_station
        or version.id in awaiting_confirmation
        or recount_pending(session, version.station_id)
    }


def _standing_candidates(session: Session, constituency_ids: set[int]) -> dict[int, list[str]]:
    standing: dict[int, list[str]] = {}
    for constituency_id, code in session.execute(
        select(CandidateRow.constituency_id, CandidateRow.code).where(
            CandidateRow.status == CandidateStatus.REGISTERED.value,
            CandidateRow.constituency_id.in_(constituency_ids),
        )
    ).tuples():
        standing.setdefault(constituency_id, []).append(code)
    return standing
