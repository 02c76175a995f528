"""What the poll book tells the public: per-station figures (check-ins, additions, absentee
certificates in and out, duplicates caught), national totals, and turnout by hour derived
from check-ins beside the turnout the stations reported — aggregates only, never a voter."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import ColumnElement, bindparam, case, func, null, or_, select
from sqlalchemy.orm import Session

from tallyroom.domain.complaint import MONITOR_REPORTER_KIND, ComplaintCategory
from tallyroom.domain.protocol_document import parse_protocol_document
from tallyroom.domain.rule_set import CHECK_IN_TOLERANCE
from tallyroom.domain.statistics.poll_book_series import PollBookSeries
from tallyroom.domain.statistics.station_results import IntArray
from tallyroom.service.definition.credentials import Role
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import NotFound
from tallyroom.store.schema import (
    AbsenteeCertificateRow,
    AccessTokenRow,
    AuditEntryRow,
    CheckInRow,
    ComplaintRow,
    DoubleVoteIncidentRow,
    PollingStationRow,
    ProtocolVersionRow,
    TurnoutReportRow,
    VoterAdditionRow,
    VoterRow,
)

#: the figures compared with round 1's protocols count round 1's check-ins (a two-round
#: contest's round 2 has its own: check_in.round)
ROUND_ONE = CheckInRow.round == 1


def station_figures(session: Session, code: str, *, election: str | None = None) -> dict[str, Any]:
    """A station's poll-book figures."""
    record = election_row(session, election)
    station = session.scalars(
        select(PollingStationRow).where(
            PollingStationRow.election_id == record.id, PollingStationRow.code == code
        )
    ).first()
    if station is None:
        raise NotFound("unknown_station", f"there is no polling station {code!r}")
    sid = station.id
    check_ins = (
        session.scalar(select(func.count()).where(CheckInRow.station_id == sid, ROUND_ONE)) or 0
    )
    portable = session.scalar(
        select(func.count()).where(CheckInRow.station_id == sid, CheckInRow.portable, ROUND_ONE)
    )
    additions = session.scalar(select(func.count()).where(VoterAdditionRow.station_id == sid))
    absentee_in = session.scalar(
        select(func.count()).where(
            CheckInRow.station_id == sid,
            CheckInRow.absentee_certificate_id.is_not(None),
            ROUND_ONE,
        )
    )
    absentee_out = session.scalar(
        select(func.count())
        .select_from(AbsenteeCertificateRow)
        .join(VoterRow, VoterRow.id == AbsenteeCertificateRow.voter_id)
        .where(VoterRow.station_id == sid)
    )
    incidents = session.scalar(
        select(func.count())
        .select_from(DoubleVoteIncidentRow)
        .join(CheckInRow, CheckInRow.id == DoubleVoteIncidentRow.second_check_in_id)
        .where(CheckInRow.station_id == sid, ROUND_ONE)
    )
    refused = session.scalar(
        select(func.count()).where(
            AuditEntryRow.action == "pollbook.refused",
            # the station's own device, or one of its poll-book desks
            or_(
                AuditEntryRow.actor == f"station:station-{code}",
                AuditEntryRow.actor.startswith(f"poll_book:station-{code}/", autoescape=True),
            ),
        )
    )
    return {
        "station": code,
        "registered_voters": station.registered_voters,
        "check_ins": int(check_ins),
        "portable_check_ins": int(portable or 0),
        "additions": int(additions or 0),
        "absentee_certificates_in": int(absentee_in or 0),
        "absentee_certificates_out": int(absentee_out or 0),
        "double_votes_recorded": int(incidents or 0),
        "double_vote_complaints": _monitor_complaints(session, ComplaintRow.station_id == sid),
        "second_attempts_refused": int(refused or 0),
    }


def national_figures(session: Session, *, election: str | None = None) -> dict[str, Any]:
    record = election_row(session, election)
    eid = record.id
    return {
        "election": record.code,
        "check_ins": int(
            session.scalar(select(func.count()).where(CheckInRow.election_id == eid, ROUND_ONE))
            or 0
        ),
        "additions": int(
            session.scalar(select(func.count()).where(VoterAdditionRow.election_id == eid)) or 0
        ),
        "absentee_certificates_issued": int(
            session.scalar(select(func.count()).where(AbsenteeCertificateRow.election_id == eid))
            or 0
        ),
        "absentee_certificates_used": int(
            session.scalar(
                select(func.count()).where(
                    AbsenteeCertificateRow.election_id == eid,
                    AbsenteeCertificateRow.used_at.is_not(None),
                )
            )
            or 0
        ),
        "double_votes_recorded": int(
            session.scalar(select(func.count()).where(DoubleVoteIncidentRow.election_id == eid))
            or 0
        ),
        "double_vote_complaints": _monitor_complaints(session, ComplaintRow.election_id == eid),
        "second_attempts_refused": int(
            session.scalar(select(func.count()).where(AuditEntryRow.action == "pollbook.refused"))
            or 0
        ),
    }


def _monitor_complaints(session: Session, criterion: Any) -> int:
    """Multiple-voting complaints the poll-book monitor filed (one per double vote)."""
    return int(
        session.scalar(
            select(func.count()).where(
                criterion,
                ComplaintRow.reporter_kind == MONITOR_REPORTER_KIND,
                ComplaintRow.category == ComplaintCategory.MULTIPLE_VOTING.value,
            )
        )
        or 0
    )


def turnout_cross_check(
    session: Session, *, election: str | None = None, station: str | None = None
) -> list[dict[str, Any]]:
    """At each published reporting hour: voters checked in by then (by the desks' clocks)
    beside the voters the stations reported, over the stations that reported that hour."""
    record = election_row(session, election)
    zone = ZoneInfo(record.timezone)
    station_filter = [PollingStationRow.election_id == record.id]
    if station is not None:
        station_filter.append(PollingStationRow.code == station)
    station_ids = set(session.scalars(select(PollingStationRow.id).where(*station_filter)))
    if station is not None and not station_ids:
        raise NotFound("unknown_station", f"there is no polling station {station!r}")
    rows: list[dict[str, Any]] = []
    for label in (item for item in record.turnout_report_times.split(";") if item):
        moment = datetime.combine(record.polling_day, time.fromisoformat(label), zone)
        reported: dict[int, int] = dict(
            iter(
                session.execute(
                    select(TurnoutReportRow.station_id, TurnoutReportRow.voters).where(
                        TurnoutReportRow.as_of == label,
                        TurnoutReportRow.status == "accepted",
                        TurnoutReportRow.station_id.in_(sorted(station_ids)),
                    )
                ).tuples()
            )
        )
        checked: dict[int, int] = dict(
            iter(
                session.execute(
                    select(CheckInRow.station_id, func.count())
                    .where(
                        CheckInRow.station_id.in_(sorted(station_ids)),
                        CheckInRow.checked_in_at <= moment.astimezone(UTC),
                        ROUND_ONE,
                    )
                    .group_by(CheckInRow.station_id)
                ).tuples()
            )
        )
        in_reporting = sum(checked.get(sid, 0) for sid in reported)
        rows.append(
            {
                "as_of": label,
                "check_ins": sum(checked.values()),
                "stations_reporting": len(reported),
                "reported_voters": sum(reported.values()),
                "check_ins_at_reporting_stations": in_reporting,
                "difference": sum(reported.values()) - in_reporting,
            }
        )
    return rows


def station_check_ins() -> ColumnElement[int | None]:
    """A polling_station row's round-1 check-ins (portable included) where it uses a poll book (one
    checked a voter in, or a poll-book device is enrolled there), else NULL: the rule that
    a protocol's ballots issued match the check-ins within a tolerance is then not applied.
    A column, so the intake reads it with the stations of a group (one round trip less)."""
    counted = (
        select(func.count())
        .where(CheckInRow.station_id == PollingStationRow.id, ROUND_ONE)
        .scalar_subquery()
    )
    device = (
        select(AccessTokenRow.id)
        .where(
            AccessTokenRow.station_id == PollingStationRow.id,
            AccessTokenRow.role == Role.POLL_BOOK.value,
        )
        .exists()
    )
    return case((or_(counted > 0, device), counted), else_=null())


def check_ins_by_station(session: Session, station_ids: list[int]) -> dict[int, int]:
    """Check-ins per station of those stations that use a poll book (`station_check_ins`);
    a station absent from the answer uses none."""
    if not station_ids:
        return {}
    # Read on the connection, so check-ins added in this transaction are flushed first.
    session.flush()
    rows = session.connection().execute(_CHECK_INS, {"station_ids": sorted(set(station_ids))})
    return {
        station_id: check_ins for station_id, check_ins in rows.tuples() if check_ins is not None
    }


#: Built once: re-examinations read it for many stations at a time.
_CHECK_INS = select(PollingStationRow.id, station_check_ins()).where(
    PollingStationRow.id.in_(bindparam("station_ids", expanding=True))
)


def poll_book_series(
    session: Session, election_id: int, row_of: dict[int, int]
) -> PollBookSeries | None:
    """The forensics' station-level poll-book series for the stations `row_of` places (station
    id → row); None when no station of the election used a poll book."""
    used_by = check_ins_by_station(session, list(row_of))
    if not used_by:
        return None
    count = len(row_of)

    def series(query: Any) -> IntArray:
        values = np.zeros(count, dtype=np.int64)
        for station_id, value in session.execute(query).tuples():
            if station_id in row_of:
                values[row_of[station_id]] = value
        return values

    in_election = CheckInRow.election_id == election_id
    used = np.zeros(count, dtype=np.bool_)
    used[[row_of[station_id] for station_id in used_by]] = True
    return PollBookSeries(
        used=used,
        check_ins=series(
            select(CheckInRow.station_id, func.count())
            .where(in_election)
            .group_by(CheckInRow.station_id)
        ),
        additions=series(
            select(VoterAdditionRow.station_id, func.count())
            .where(VoterAdditionRow.election_id == election_id)
            .group_by(VoterAdditionRow.station_id)
        ),
        absentee_in=series(
            select(CheckInRow.station_id, func.count())
            .where(in_election, CheckInRow.absentee_certificate_id.is_not(None))
            .group_by(CheckInRow.station_id)
        ),
        absentee_out=series(
            select(VoterRow.station_id, func.count())
            .select_from(AbsenteeCertificateRow)
            .join(VoterRow, VoterRow.id == AbsenteeCertificateRow.voter_id)
            .where(AbsenteeCertificateRow.election_id == election_id)
            .group_by(VoterRow.station_id)
        ),
        duplicates=series(
            select(CheckInRow.station_id, func.count())
            .select_from(DoubleVoteIncidentRow)
            .join(CheckInRow, CheckInRow.id == DoubleVoteIncidentRow.second_check_in_id)
            .where(DoubleVoteIncidentRow.election_id == election_id)
            .group_by(CheckInRow.station_id)
        ),
    )


def poll_book_stations(
    session: Session, *, election: str | None = None, limit: int = 2_000
) -> list[dict[str, Any]]:
    """Every station that used a poll book, in code order: its public figures beside the
    ballots issued on its latest protocol (None before one arrived) and whether they agree
    within the rule set's tolerance. Aggregates only, never a voter."""
    record = election_row(session, election)
    station_ids = list(
        session.scalars(
            select(PollingStationRow.id).where(PollingStationRow.election_id == record.id)
        )
    )
    used = check_ins_by_station(session, station_ids)
    if not used:
        return []
    stations = session.execute(
        select(PollingStationRow.id, PollingStationRow.code)
        .where(PollingStationRow.id.in_(sorted(used)))
        .order_by(PollingStationRow.code)
        .limit(limit)
    ).all()
    wanted = [station_id for station_id, _ in stations]
    row_of = {station_id: row for row, station_id in enumerate(wanted)}
    series = poll_book_series(session, record.id, row_of)
    assert series is not None
    latest = (
        select(ProtocolVersionRow.station_id, func.max(ProtocolVersionRow.version).label("last"))
        .where(ProtocolVersionRow.station_id.in_(wanted))
        .group_by(ProtocolVersionRow.station_id)
        .subquery()
    )
    protocols = {
        station_id: (body, status)
        for station_id, body, status in session.execute(
            select(
                ProtocolVersionRow.station_id, ProtocolVersionRow.body, ProtocolVersionRow.status
            ).join(
                latest,
                (latest.c.station_id == ProtocolVersionRow.station_id)
                & (latest.c.last == ProtocolVersionRow.version),
            )
        ).tuples()
    }
    rows = []
    for row, (station_id, code) in enumerate(stations):
        check_ins = int(series.check_ins[row])
        issued: int | None = None
        status: str | None = None
        if station_id in protocols:
            body, status = protocols[station_id]
            issued = parse_protocol_document(json.loads(body)).figures.ballots_issued
        rows.append(
            {
                "station": code,
                "check_ins": check_ins,
                "additions": int(series.additions[row]),
                "absentee_certificates_in": int(series.absentee_in[row]),
                "absentee_certificates_out": int(series.absentee_out[row]),
                "double_votes_recorded": int(series.duplicates[row]),
                "ballots_issued": issued,
                "protocol_status": status,
                "issued_matches_check_ins": None
                if issued is None
                else abs(issued - check_ins) <= CHECK_IN_TOLERANCE.allowed(issued, check_ins),
            }
        )
    return rows
