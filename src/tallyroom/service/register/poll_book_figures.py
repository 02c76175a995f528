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


#: a station's poll-book figures, one row per station and round (open data's columns)
FIGURE_COLUMNS = (
    "station",
    "round",
    "registered_voters",
    "check_ins",
    "portable_check_ins",
    "additions",
    "absentee_certificates_in",
    "absentee_certificates_out",
    "double_votes_recorded",
    "double_vote_complaints",
    "second_attempts_refused",
)
#: figures the desks record by round; the others (additions, certificates issued, complaints,
#: refusals) are the station's, on its round-1 row, and null on a later round's
ROUND_FIGURES = (
    "check_ins",
    "portable_check_ins",
    "absentee_certificates_in",
    "double_votes_recorded",
)
_REFUSED_ACTORS = ("station:station-", "poll_book:station-")


def station_figures(session: Session, code: str, *, election: str | None = None) -> dict[str, Any]:
    """A station's poll-book figures (round 1)."""
    rows = figures_by_station(session, election, station_codes=[code], every_station=True)
    if not rows:
        raise NotFound("unknown_station", f"there is no polling station {code!r}")
    figures = dict(rows[0])
    del figures["round"]
    return figures


def figures_by_station(
    session: Session,
    election: str | None = None,
    *,
    station_codes: list[str] | None = None,
    every_station: bool = False,
) -> list[dict[str, Any]]:
    """Poll-book figures per station and round (`FIGURE_COLUMNS`), in station order: the
    stations that used a poll book (a check-in, a figure, or an enrolled desk), or with
    `every_station` each station asked for. A later round has a row where it had check-ins."""
    record = election_row(session, election)
    station_filter = [PollingStationRow.election_id == record.id]
    if station_codes is not None:
        station_filter.append(PollingStationRow.code.in_(sorted(set(station_codes))))
    stations = {
        sid: (code, registered)
        for sid, code, registered in session.execute(
            select(
                PollingStationRow.id, PollingStationRow.code, PollingStationRow.registered_voters
            ).where(*station_filter)
        ).tuples()
    }
    ids = sorted(stations)
    by_round: dict[tuple[int, int], dict[str, int]] = {}
    for sid, round_number, check_ins, portable, absentee in session.execute(
        select(
            CheckInRow.station_id,
            CheckInRow.round,
            func.count(),
            func.count().filter(CheckInRow.portable),
            func.count(CheckInRow.absentee_certificate_id),
        )
        .where(CheckInRow.station_id.in_(ids))
        .group_by(CheckInRow.station_id, CheckInRow.round)
    ).tuples():
        by_round[(sid, round_number)] = {
            "check_ins": int(check_ins),
            "portable_check_ins": int(portable),
            "absentee_certificates_in": int(absentee),
            "double_votes_recorded": 0,
        }
    for sid, round_number, incidents in session.execute(
        select(CheckInRow.station_id, CheckInRow.round, func.count())
        .select_from(DoubleVoteIncidentRow)
        .join(CheckInRow, CheckInRow.id == DoubleVoteIncidentRow.second_check_in_id)
        .where(CheckInRow.station_id.in_(ids))
        .group_by(CheckInRow.station_id, CheckInRow.round)
    ).tuples():
        by_round.setdefault((sid, round_number), dict.fromkeys(ROUND_FIGURES, 0))[
            "double_votes_recorded"
        ] = int(incidents)
    station_level: dict[str, dict[int, int]] = {
        "additions": _counted(
            session,
            select(VoterAdditionRow.station_id, func.count())
            .where(VoterAdditionRow.station_id.in_(ids))
            .group_by(VoterAdditionRow.station_id),
        ),
        "absentee_certificates_out": _counted(
            session,
            select(VoterRow.station_id, func.count())
            .select_from(AbsenteeCertificateRow)
            .join(VoterRow, VoterRow.id == AbsenteeCertificateRow.voter_id)
            .where(VoterRow.station_id.in_(ids))
            .group_by(VoterRow.station_id),
        ),
        "double_vote_complaints": _counted(
            session,
            select(ComplaintRow.station_id, func.count())
            .where(ComplaintRow.station_id.in_(ids), *_MONITOR_COMPLAINT)
            .group_by(ComplaintRow.station_id),
        ),
        "second_attempts_refused": _refusals(
            session, {code: sid for sid, (code, _) in stations.items()}
        ),
    }
    used = {sid for sid, _ in by_round} | set(check_ins_by_station(session, ids))
    for per_station in station_level.values():
        used |= {sid for sid, count in per_station.items() if count}
    rounds_of: dict[int, set[int]] = {}
    for sid, round_number in by_round:
        rounds_of.setdefault(sid, set()).add(round_number)
    rows: list[dict[str, Any]] = []
    for sid in sorted(stations, key=lambda station_id: stations[station_id][0]):
        if sid not in used and not every_station:
            continue
        code, registered = stations[sid]
        for round_number in sorted({1} | rounds_of.get(sid, set())):
            counts = by_round.get((sid, round_number), dict.fromkeys(ROUND_FIGURES, 0))
            rows.append(
                {
                    "station": code,
                    "round": round_number,
                    "registered_voters": registered,
                    **{
                        name: (
                            counts[name]
                            if name in ROUND_FIGURES
                            else station_level[name].get(sid, 0)
                            if round_number == 1
                            else None
                        )
                        for name in FIGURE_COLUMNS[3:]
                    },
                }
            )
    return rows


def _counted(session: Session, query: Any) -> dict[int, int]:
    return {sid: int(count) for sid, count in session.execute(query).tuples() if sid is not None}


def _refusals(session: Session, station_of_code: dict[str, int]) -> dict[int, int]:
    """Second attempts refused, by station: the audit entries of its own device and desks."""
    refused: dict[int, int] = {}
    for actor, count in session.execute(
        select(AuditEntryRow.actor, func.count())
        .where(AuditEntryRow.action == "pollbook.refused")
        .group_by(AuditEntryRow.actor)
    ).tuples():
        for prefix in _REFUSED_ACTORS:
            if actor.startswith(prefix):
                code = actor[len(prefix) :].split("/", 1)[0]
                if code in station_of_code:
                    sid = station_of_code[code]
                    refused[sid] = refused.get(sid, 0) + int(count)
    return refused


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


#: the multiple-voting complaints the poll-book monitor filed (one per double vote)
_MONITOR_COMPLAINT = (
    ComplaintRow.reporter_kind == MONITOR_REPORTER_KIND,
    ComplaintRow.category == ComplaintCategory.MULTIPLE_VOTING.value,
)


def _monitor_complaints(session: Session, criterion: Any) -> int:
    return int(session.scalar(select(func.count()).where(criterion, *_MONITOR_COMPLAINT)) or 0)


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
