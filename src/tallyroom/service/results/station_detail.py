"""One station as the public sees it: tags, every protocol version, turnout reports."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.contest import contest_code
from tallyroom.domain.protocol_history import version_standing
from tallyroom.service.definition.elections import election_row
from tallyroom.service.protocols.flagged_queue import stations_pending_confirmation
from tallyroom.service.protocols.protocols import station_in_election
from tallyroom.service.results.ballot import ballot_of
from tallyroom.store.schema import (
    ConstituencyRow,
    ExitPollSampleRow,
    ObserverStationRow,
    ProtocolVersionRow,
    StationDecisionRow,
    StationKeyRow,
    StationResultRow,
    TurnoutReportRow,
)


def station_detail(session: Session, code: str) -> dict[str, Any]:
    election = election_row(session)
    station = station_in_election(session, election.id, code)
    constituency = session.get_one(ConstituencyRow, station.constituency_id)
    counted = session.get(StationResultRow, station.id)
    decisions = [
        {"kind": row.kind, "reason": row.reason, "decided_at": row.decided_at.isoformat()}
        for row in session.scalars(
            select(StationDecisionRow)
            .where(StationDecisionRow.station_id == station.id)
            .order_by(StationDecisionRow.id)
        )
    ]
    # A recount order never lifts an annulment: the latest annulment stands.
    annulments = [decision for decision in decisions if decision["kind"] == "annulled"]
    annulled = bool(annulments)
    pending = station.id in stations_pending_confirmation(session, [station.id])
    rows = (
        session.execute(
            select(ProtocolVersionRow, StationKeyRow.public_key)
            .join(StationKeyRow, StationKeyRow.id == ProtocolVersionRow.station_key_id)
            .where(ProtocolVersionRow.station_id == station.id)
            .order_by(ProtocolVersionRow.version)
        )
        .tuples()
        .all()
    )
    versions = []
    for index, (version, public_key) in enumerate(rows):
        is_counted = counted is not None and counted.protocol_version_id == version.id
        versions.append(
            {
                "version": version.version,
                "status": version.status,
                "counted": is_counted,
                "standing": version_standing(
                    status=version.status,
                    counted=is_counted,
                    latest=index == len(rows) - 1,
                    annulled=annulled,
                    pending=pending,
                ).value,
                "protocol": json.loads(version.body),
                "body_sha256": version.body_sha256,
                "signature": version.signature,
                "public_key": public_key,
                "reasons": json.loads(version.reasons),
                "rule_set_version": version.rule_set_version,
                "amendment_reason": version.amendment_reason,
                "submitted_at": version.submitted_at.isoformat(),
                "decided_at": version.decided_at.isoformat() if version.decided_at else None,
                "decision_reason": version.decision_reason,
            }
        )
    turnout = [
        {
            "as_of": report.as_of,
            "voters": report.voters,
            "status": report.status,
            "reasons": json.loads(report.reasons),
        }
        for report in session.scalars(
            select(TurnoutReportRow)
            .where(TurnoutReportRow.station_id == station.id)
            .order_by(TurnoutReportRow.as_of)
        )
    ]
    observers = session.scalar(
        select(ObserverStationRow.observer_id)
        .where(ObserverStationRow.station_id == station.id)
        .limit(1)
    )
    exit_poll = session.scalar(
        select(ExitPollSampleRow.id).where(ExitPollSampleRow.station_id == station.id).limit(1)
    )
    return {
        "code": station.code,
        "name": station.name,
        "constituency": {"number": constituency.number, "name": constituency.name},
        "contest": contest_code(constituency.number),
        "candidates": [line.as_dict() for line in ballot_of(session, constituency.id)],
        "kind": station.kind,
        "registered_voters": station.registered_voters,
        "turning_18": station.turning_18,
        "tags": {
            "idp": station.idp,
            "special_territory": station.special_territory,
            "abroad": station.abroad,
            "webcam": station.webcam,
            "exit_poll": exit_poll is not None,
            "observers": observers is not None,
        },
        "annulled": annulled,
        "annulment": annulments[-1] if annulled else None,
        "decisions": decisions,
        "protocol_versions": versions,
        "turnout_reports": turnout,
    }
