"""Round 2's hourly turnout: a station of the round-2 contest's constituency reports its
voters so far at a published reporting hour of round 2's own polling day (the runoff's
polling date, by the election clock), flagged by round 1's rules; refused once round 2 is
certified. The turnout by hour of each round 2 is published with it."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.election_clock import ElectionClock
from tallyroom.domain.runoff import constituency_of_runoff
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.definition.elections import election_of
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound
from tallyroom.service.protocols.protocols import station_in_election
from tallyroom.service.protocols.turnout import (
    TurnoutOutcome,
    TurnoutReport,
    judge_turnout,
    turnout_outcome,
    valid_report_hour,
)
from tallyroom.service.results.certified_contests import CONTEST_CERTIFIED
from tallyroom.service.results.tally import bump_revision
from tallyroom.store.schema import (
    ContestRow,
    ElectionRow,
    RunoffRow,
    RunoffTurnoutReportRow,
)

#: the audit action of a stored round-2 turnout report
RUNOFF_TURNOUT_REPORTED = "runoff_turnout.reported"


def report_runoff_turnout(
    session: Session,
    *,
    principal: Principal,
    contest: Any,
    station_code: str,
    as_of: Any,
    voters: Any,
    clock: ElectionClock,
    signature: Any = None,
) -> TurnoutOutcome:
    """Store one station's round-2 report for `contest` ("constituency-5/round-2"). The
    hour is judged by the clock on round 2's polling day; a signature covers the contest."""
    election_record = session.get_one(ElectionRow, principal.election_id)
    number = constituency_of_runoff(contest) if isinstance(contest, str) else None
    if number is None:
        raise InvalidInput("wrong_contest", f"{str(contest)[:80]!r} is not a round-2 contest")
    station = station_in_election(session, election_record.id, station_code)
    if not principal.may_act_for_station(station):
        raise Forbidden("out_of_scope", f"this token may not report for station {station.code}")
    runoff = session.scalars(
        select(RunoffRow)
        .join(ContestRow, ContestRow.id == RunoffRow.contest_id)
        .where(RunoffRow.election_id == election_record.id, RunoffRow.code == contest)
        # Read for share: a certification waits for this report, or it for the certification.
        .with_for_update(read=True, of=RunoffRow)
    ).first()
    if runoff is None:
        raise NotFound("no_runoff", f"round 2 {contest} is not defined")
    station_contest = session.scalar(
        select(ContestRow.id).where(ContestRow.constituency_id == station.constituency_id)
    )
    if station_contest != runoff.contest_id:
        raise InvalidInput(
            "wrong_contest", f"station {station.code} does not vote in {contest}", contest=contest
        )
    if runoff.polling_date is None:
        raise Conflict(
            "no_polling_date",
            f"round 2 {contest} has no polling date: its hours have no day to come on",
        )
    # Round 2's election clock: round 1's hours and zone, on round 2's own day.
    election = dataclasses.replace(election_of(election_record), polling_day=runoff.polling_date)
    hours = [f"{moment:%H:%M}" for moment in election.turnout_report_times]
    report = TurnoutReport(station.code, as_of, voters, signature)
    label = valid_report_hour(report, election, hours, clock)
    count = int(voters)
    history = session.scalars(
        select(RunoffTurnoutReportRow)
        .where(
            RunoffTurnoutReportRow.runoff_id == runoff.id,
            RunoffTurnoutReportRow.station_id == station.id,
        )
        .order_by(RunoffTurnoutReportRow.as_of)
    ).all()
    existing = next((row for row in history if row.as_of == label), None)
    if existing is not None:
        if existing.voters != count:
            raise Conflict(
                "already_reported",
                f"station {station.code} already reported {existing.voters} voters at {label} "
                f"in {contest}",
            )
        return turnout_outcome(station, existing, already_stored=True)
    if runoff.certified_at is not None:
        raise Conflict(
            CONTEST_CERTIFIED,
            f"{contest} is certified: nothing for station {station.code} is taken until the "
            "commission withdraws the certification",
            constituency=number,
            contest=contest,
        )
    judged = judge_turnout(session, election_record.code, station, history, label, report, contest)
    moment = clock.wall_clock()
    row = RunoffTurnoutReportRow(
        runoff_id=runoff.id, **judged.row_values(station.id, label, count, moment)
    )
    session.add(row)
    bump_revision(session, election_record.id)
    audit_log.record(
        session,
        actor=principal.actor,
        action=RUNOFF_TURNOUT_REPORTED,
        payload={"contest": contest}
        | judged.audit_payload(station.code, label, count, moment)
        | {"signature": judged.signature},
    )
    session.flush()
    row_ledger.record_rows(
        session, actor=principal.actor, table="runoff_turnout_report", keys=[[row.id]]
    )
    return turnout_outcome(station, row, already_stored=False)


def runoff_turnout_by_hour(session: Session, election_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each round 2's accepted turnout by reporting hour: voters and stations reporting."""
    by_contest: dict[str, dict[str, list[int]]] = {}
    for contest, label, voters in session.execute(
        select(RunoffRow.code, RunoffTurnoutReportRow.as_of, RunoffTurnoutReportRow.voters)
        .join(RunoffRow, RunoffRow.id == RunoffTurnoutReportRow.runoff_id)
        .where(RunoffRow.election_id == election_id, RunoffTurnoutReportRow.status == "accepted")
    ).tuples():
        hour = by_contest.setdefault(contest, {}).setdefault(label, [0, 0])
        hour[0] += voters
        hour[1] += 1
    return {
        contest: [
            {"as_of": label, "voters": voters, "stations_reporting": stations}
            for label, (voters, stations) in sorted(hours.items())
        ]
        for contest, hours in by_contest.items()
    }
