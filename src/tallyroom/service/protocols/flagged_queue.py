"""The commission's queues: protocols waiting for a person (flagged by the control checks,
or a decision awaiting its second person), each with the checks it failed and the station's
history; and the stations under complaint (filled by the complaints work, empty today)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.service.definition.credentials import Principal, Role
from tallyroom.service.errors import Forbidden
from tallyroom.service.protocols.annulments import annulled_stations
from tallyroom.service.watchers.stored_files import stored_photos
from tallyroom.store.schema import (
    ConstituencyRow,
    PollingStationRow,
    ProposedDecisionRow,
    ProtocolVersionRow,
    StationDecisionRow,
)

FLAGGED = "flagged"
PENDING_CONFIRMATION = "pending_confirmation"


@dataclass(frozen=True, slots=True)
class QueueItem:
    station: str
    station_name: str
    constituency: int
    #: the version waiting (None: a decision on the station itself waits, no protocol)
    version: int | None
    #: flagged or pending_confirmation
    status: str
    #: the control checks the version failed
    failed_checks: list[dict[str, Any]]
    figures: dict[str, Any] | None
    submitted_at: str | None
    #: every version of the station and every decision on it, oldest first
    history: list[dict[str, Any]]
    #: the decision awaiting confirmation, if any
    proposed_decision: dict[str, Any] | None
    #: SHA-256 of the photo of the signed paper protocol the version names (None: no photo)
    photo_sha256: str | None = None
    #: whether that photo has arrived (it is sent after the numbers)
    photo_stored: bool = False

    @property
    def key(self) -> str:
        """Names the item in the live stream: a station has at most one."""
        return self.station

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "station_name": self.station_name,
            "constituency": self.constituency,
            "version": self.version,
            "status": self.status,
            "failed_checks": self.failed_checks,
            "figures": self.figures,
            "submitted_at": self.submitted_at,
            "history": self.history,
            "proposed_decision": self.proposed_decision,
            "photo_sha256": self.photo_sha256,
            "photo_stored": self.photo_stored,
        }


def require_commission_role(principal: Principal, constituency_id: int | None = None) -> None:
    """Who reads the queues and the stations not reported: the commission and its staff, or
    a constituency commission for its own constituency. (Deciding is the members': the
    commands check again.)"""
    if principal.role in (Role.COMMISSION, Role.COMMISSION_STAFF):
        return
    if principal.role is Role.CONSTITUENCY_COMMISSION and (
        constituency_id is None or constituency_id == principal.constituency_id
    ):
        return
    raise Forbidden("commission_only", "only the commission's staff may see this")


def flagged_queue(session: Session, *, principal: Principal) -> list[QueueItem]:
    """Protocols waiting for a person, by constituency and station; a constituency
    commission sees its own constituency's."""
    require_commission_role(principal)
    scope = principal.constituency_id if principal.role is Role.CONSTITUENCY_COMMISSION else None
    eid = principal.election_id
    latest = (
        select(ProtocolVersionRow.station_id, func.max(ProtocolVersionRow.version).label("version"))
        .group_by(ProtocolVersionRow.station_id)
        .subquery()
    )
    in_scope = [PollingStationRow.election_id == eid]
    if scope is not None:
        in_scope.append(PollingStationRow.constituency_id == scope)
    annulled = set(annulled_stations(session, eid))
    waiting: dict[int, ProtocolVersionRow] = {
        row.station_id: row
        for row in session.scalars(
            select(ProtocolVersionRow)
            .join(
                latest,
                (latest.c.station_id == ProtocolVersionRow.station_id)
                & (latest.c.version == ProtocolVersionRow.version),
            )
            .join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
            .where(ProtocolVersionRow.status == FLAGGED, *in_scope)
        )
        if row.station_id not in annulled
    }
    proposals: dict[int, ProposedDecisionRow] = {}
    for proposal, version_id in session.execute(
        select(ProposedDecisionRow, ProposedDecisionRow.protocol_version_id)
        .join(PollingStationRow, PollingStationRow.id == ProposedDecisionRow.station_id)
        .where(ProposedDecisionRow.state == "pending", *in_scope)
        .order_by(ProposedDecisionRow.id)
    ).tuples():
        current = waiting.get(proposal.station_id)
        # a proposal on a version since amended waits for nothing
        if version_id is None or (current is not None and current.id == version_id):
            proposals[proposal.station_id] = proposal
    station_ids = sorted(set(waiting) | set(proposals))
    if not station_ids:
        return []
    stations = {
        row.id: (row, number)
        for row, number in session.execute(
            select(PollingStationRow, ConstituencyRow.number)
            .join(ConstituencyRow, ConstituencyRow.id == PollingStationRow.constituency_id)
            .where(PollingStationRow.id.in_(station_ids))
        ).tuples()
    }
    histories = _histories(session, station_ids)
    bodies = {station_id: json.loads(row.body) for station_id, row in waiting.items()}
    photos = stored_photos(
        session, {body["photo_sha256"] for body in bodies.values() if body.get("photo_sha256")}
    )
    items: list[QueueItem] = []
    for station_id in station_ids:
        station, number = stations[station_id]
        version = waiting.get(station_id)
        pending = proposals.get(station_id)
        items.append(
            QueueItem(
                station=station.code,
                station_name=station.name,
                constituency=number,
                version=None if version is None else version.version,
                status=FLAGGED if pending is None else PENDING_CONFIRMATION,
                failed_checks=[] if version is None else json.loads(version.reasons),
                figures=None if version is None else bodies[station_id].get("figures"),
                submitted_at=None if version is None else _iso(version.submitted_at),
                history=histories[station_id],
                proposed_decision=None if pending is None else _proposal(pending),
                photo_sha256=None if version is None else bodies[station_id].get("photo_sha256"),
                photo_stored=(
                    version is not None and bodies[station_id].get("photo_sha256") in photos
                ),
            )
        )
    items.sort(key=lambda item: (item.constituency, item.station))
    return items


def stations_pending_confirmation(session: Session, station_ids: Collection[int]) -> set[int]:
    """Of these stations (ids), those a decision awaits a second person on, as the queue
    shows them "pending confirmation": a decision proposed on the station's latest version
    while it is flagged, or on the station itself (recount, annulment). The public pages and
    the station's JSON say so too; what is counted or annulled says that first."""
    if not station_ids:
        return set()
    ids = sorted(station_ids)
    latest: dict[int, tuple[int, str]] = {}
    for station_id, version_id, status in session.execute(
        select(ProtocolVersionRow.station_id, ProtocolVersionRow.id, ProtocolVersionRow.status)
        .where(ProtocolVersionRow.station_id.in_(ids))
        .order_by(ProtocolVersionRow.station_id, ProtocolVersionRow.version)
    ).tuples():
        latest[station_id] = (version_id, status)
    pending: set[int] = set()
    for station_id, proposed_on in session.execute(
        select(ProposedDecisionRow.station_id, ProposedDecisionRow.protocol_version_id).where(
            ProposedDecisionRow.state == "pending", ProposedDecisionRow.station_id.in_(ids)
        )
    ).tuples():
        # a proposal on a version since amended waits for nothing
        if proposed_on is None or latest.get(station_id) == (proposed_on, FLAGGED):
            pending.add(station_id)
    return pending


def complaint_queue(session: Session, *, principal: Principal) -> list[dict[str, Any]]:
    """Stations under complaint: the complaints work fills it; nothing files one yet."""
    require_commission_role(principal)
    return []


def _histories(session: Session, station_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    events: dict[int, list[tuple[datetime, int, dict[str, Any]]]] = defaultdict(list)
    for row in session.scalars(
        select(ProtocolVersionRow)
        .where(ProtocolVersionRow.station_id.in_(station_ids))
        .order_by(ProtocolVersionRow.station_id, ProtocolVersionRow.version)
    ):
        events[row.station_id].append(
            (
                _utc(row.submitted_at),
                0,
                {
                    "event": "protocol",
                    "version": row.version,
                    "status": row.status,
                    "at": _iso(row.submitted_at),
                    "failed_checks": [reason["code"] for reason in json.loads(row.reasons)],
                    "amendment_reason": row.amendment_reason,
                    "decision_reason": row.decision_reason,
                    "decided_at": _iso(row.decided_at),
                },
            )
        )
    for decision in session.scalars(
        select(StationDecisionRow)
        .where(StationDecisionRow.station_id.in_(station_ids))
        .order_by(StationDecisionRow.id)
    ):
        events[decision.station_id].append(
            (
                _utc(decision.decided_at),
                1,
                {
                    "event": decision.kind,
                    "reason": decision.reason,
                    "at": _iso(decision.decided_at),
                },
            )
        )
    return {
        station_id: [event for _, _, event in sorted(found, key=lambda e: (e[0], e[1]))]
        for station_id, found in events.items()
    }


def _proposal(proposal: ProposedDecisionRow) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "kind": proposal.kind,
        "reason": proposal.reason,
        "proposed_by": proposal.proposed_by,
        "proposed_at": _iso(proposal.proposed_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else _utc(moment).isoformat(timespec="seconds")


def _utc(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
