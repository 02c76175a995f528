"""What a station's device needs before its secretary types a figure: the station, its
candidates in ballot order, the definition facts the checks use, the reporting hours, the
protocol formats the server accepts and the station's latest stored version."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.contest import contest_code
from tallyroom.domain.key_fingerprint import key_fingerprint
from tallyroom.domain.protocol_document import MalformedProtocol, parse_protocol_document
from tallyroom.service.definition.credentials import Principal, current_station_key
from tallyroom.service.errors import Forbidden
from tallyroom.service.protocols.protocols import station_in_election
from tallyroom.service.results.ballot import BallotLine, ballot_of
from tallyroom.service.results.runoffs import STANDING
from tallyroom.store.schema import (
    CandidateRow,
    ConstituencyRow,
    ContestRow,
    ElectionRow,
    PollingStationRow,
    ProtocolVersionRow,
    RunoffCandidateRow,
    RunoffProtocolRow,
    RunoffRow,
    RunoffTurnoutReportRow,
    TurnoutReportRow,
)

#: the fields a format 2 document adds to format 1
FORMAT_2_FIELDS = ("format", "contest", "photo_sha256")


@cache
def accepted_protocol_formats() -> tuple[int, ...]:
    """The document formats this server's parser takes, found by asking it: format 2 (with
    `format`, `contest`, `photo_sha256`) is offered to devices only once the parser knows it."""
    probe: dict[str, Any] = {
        "election": "e",
        "station": "s",
        "version": 1,
        "figures": {
            "registered_voters": 1,
            "voters_added": 0,
            "ballots_received": 1,
            "ballots_issued_in_station": 1,
            "ballots_issued_portable": 0,
            "ballots_cast": 1,
            "invalid_ballots": 0,
            "unused_ballots": 0,
            "votes": {"c": 1},
        },
    }
    formats = [1]
    for contest in ("c", 1):
        try:
            parse_protocol_document(
                probe | {"format": 2, "contest": contest, "photo_sha256": "0" * 64}
            )
        except (MalformedProtocol, TypeError, ValueError):
            continue
        formats.append(2)
        break
    return tuple(formats)


def station_setup(session: Session, *, principal: Principal, station_code: str) -> dict[str, Any]:
    election = session.get_one(ElectionRow, principal.election_id)
    station = station_in_election(session, election.id, station_code)
    if not principal.may_act_for_station(station):
        raise Forbidden("out_of_scope", f"this token may not act for station {station.code}")
    constituency = session.get_one(ConstituencyRow, station.constituency_id)
    ballot = ballot_of(session, constituency.id)
    latest = session.scalars(
        select(ProtocolVersionRow)
        .where(ProtocolVersionRow.station_id == station.id)
        .order_by(ProtocolVersionRow.version.desc())
        .limit(1)
    ).first()
    reported: dict[str, int] = {}
    for as_of, voters in session.execute(
        select(TurnoutReportRow.as_of, TurnoutReportRow.voters).where(
            TurnoutReportRow.station_id == station.id
        )
    ).tuples():
        reported[as_of] = voters
    key = current_station_key(session, station.id)
    hours = [hour for hour in election.turnout_report_times.split(";") if hour]
    round_one: dict[str, Any] = {
        "round": 1,
        "contest": contest_code(constituency.number),
        "polling_date": election.polling_day.isoformat(),
        "candidates": _ballot_candidates(ballot),
        "turnout_hours": hours,
        "turnout_reported": reported,
        "latest": _latest(
            latest.version, latest.status, latest.body_sha256, latest.reasons, latest.body
        )
        if latest is not None
        else None,
    }
    rounds = [round_one, *_round_two(session, station, ballot, hours)]
    return {
        "election": election.code,
        "election_name": election.name,
        "station": station.code,
        "station_name": station.name,
        "constituency": constituency.number,
        "constituency_name": constituency.name,
        # the contest's id as signed documents name it (domain/contest.py)
        "contest": contest_code(constituency.number),
        "registered_voters": station.registered_voters,
        "candidates": round_one["candidates"],
        "turnout_hours": hours,
        "turnout_reported": reported,
        "protocol_formats": list(accepted_protocol_formats()),
        "two_clerk_entry": election.two_clerk_entry,
        "key_fingerprint": key_fingerprint(key.public_key) if key else None,
        "latest": round_one["latest"],
        # Each round the station votes in: round 1, and round 2 once it is defined (its own
        # contest, the standing candidates in ballot order, its own versions and turnout).
        # The round in progress is the last; the app overlays the chosen round on the rest.
        "rounds": rounds,
        "round_in_progress": rounds[-1]["round"],
    }


def _ballot_candidates(ballot: Sequence[BallotLine]) -> list[dict[str, Any]]:
    return [
        {"code": line.code, "name": line.full_name, "party": line.party, "ballot_position": place}
        for place, line in enumerate(ballot, start=1)
    ]


def _latest(version: int, status: str, body_sha256: str, reasons: str, body: str) -> dict[str, Any]:
    return {
        "version": version,
        "status": status,
        "body_sha256": body_sha256,
        "reasons": json.loads(reasons),
        "figures": json.loads(body)["figures"],
    }


def _round_two(
    session: Session, station: PollingStationRow, ballot: Sequence[BallotLine], hours: list[str]
) -> list[dict[str, Any]]:
    """Round 2 as the station's device needs it, [] while none is defined."""
    runoff = session.scalars(
        select(RunoffRow)
        .join(ContestRow, ContestRow.id == RunoffRow.contest_id)
        .where(ContestRow.constituency_id == station.constituency_id)
    ).first()
    if runoff is None:
        return []
    standing = set(
        session.scalars(
            select(CandidateRow.code)
            .join(RunoffCandidateRow, RunoffCandidateRow.candidate_id == CandidateRow.id)
            .where(RunoffCandidateRow.runoff_id == runoff.id, RunoffCandidateRow.status == STANDING)
        )
    )
    latest = session.scalars(
        select(RunoffProtocolRow)
        .where(RunoffProtocolRow.runoff_id == runoff.id, RunoffProtocolRow.station_id == station.id)
        .order_by(RunoffProtocolRow.version.desc())
        .limit(1)
    ).first()
    reported = dict(
        session.execute(
            select(RunoffTurnoutReportRow.as_of, RunoffTurnoutReportRow.voters).where(
                RunoffTurnoutReportRow.runoff_id == runoff.id,
                RunoffTurnoutReportRow.station_id == station.id,
            )
        )
        .tuples()
        .all()
    )
    return [
        {
            "round": 2,
            "contest": runoff.code,
            "polling_date": None
            if runoff.polling_date is None
            else runoff.polling_date.isoformat(),
            "certified": runoff.certified_at is not None,
            # the standing candidates in ballot order, numbered as round 2's ballot numbers them
            "candidates": _ballot_candidates([line for line in ballot if line.code in standing]),
            # round 2's hours are round 1's, on its own day (none without a polling date)
            "turnout_hours": hours if runoff.polling_date is not None else [],
            "turnout_reported": reported,
            "latest": None
            if latest is None
            else _latest(
                latest.version, latest.status, latest.body_sha256, latest.reasons, latest.body
            ),
        }
    ]
