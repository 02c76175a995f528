"""The commission's own election as the integrity tests take it: one row per station with a
counted protocol, with its constituency, webcam, exit poll, observers and last accepted
hourly turnout report. Read-only queries."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.candidate import CandidateStatus
from tallyroom.domain.protocol_document import parse_protocol_document
from tallyroom.domain.statistics.station_results import (
    BoolArray,
    IntArray,
    LeaderScope,
    StationResults,
)
from tallyroom.service.definition.elections import election_row
from tallyroom.service.register.poll_book_figures import poll_book_series
from tallyroom.service.watchers.exit_polls import stored_leader_estimates
from tallyroom.service.watchers.webcams import monitored_station_ids
from tallyroom.store.schema import (
    CandidateRow,
    ConstituencyRow,
    ExitPollSampleRow,
    ObserverStationRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationResultRow,
    TurnoutReportRow,
)

#: hourly turnout reports the commission took into its turnout figures
ACCEPTED_TURNOUT = "accepted"
#: `last_turnout_report` of a station that sent no accepted report (the tests skip it)
NO_TURNOUT_REPORT = -1


def station_results_of_election(
    session: Session, election_code: str | None = None
) -> StationResults:
    """Stations whose current protocol is counted, in station-code order.

    Figures come from the signed protocol bodies, not the running totals, so that what is
    analysed is exactly what the stations signed. Each constituency elects its own member,
    so the winner followed at a station is its constituency's winner.
    """
    election = election_row(session, election_code)
    constituencies = {
        row.id: f"{row.number:03d} {row.name}"
        for row in session.scalars(
            select(ConstituencyRow).where(ConstituencyRow.election_id == election.id)
        )
    }
    candidates = session.execute(
        select(CandidateRow.code, CandidateRow.full_name)
        .join(ConstituencyRow, ConstituencyRow.id == CandidateRow.constituency_id)
        .where(
            CandidateRow.election_id == election.id,
            # only standing candidates can have votes in a counted protocol
            CandidateRow.status == CandidateStatus.REGISTERED.value,
        )
        .order_by(ConstituencyRow.number, CandidateRow.code)
    ).all()
    column_of = {code: column for column, (code, _) in enumerate(candidates)}
    counted = session.execute(
        select(
            PollingStationRow.id,
            PollingStationRow.code,
            PollingStationRow.constituency_id,
            PollingStationRow.webcam,
            ProtocolVersionRow.body,
        )
        .join(StationResultRow, StationResultRow.station_id == PollingStationRow.id)
        .join(ProtocolVersionRow, ProtocolVersionRow.id == StationResultRow.protocol_version_id)
        .where(PollingStationRow.election_id == election.id)
        .order_by(PollingStationRow.code)
    ).all()
    count = len(counted)
    monitored = monitored_station_ids(session, election.id)
    row_of = {station_id: row for row, (station_id, *_) in enumerate(counted)}
    registered = np.zeros(count, dtype=np.int64)
    ballots = np.zeros(count, dtype=np.int64)
    issued = np.zeros(count, dtype=np.int64)
    invalid = np.zeros(count, dtype=np.int64)
    votes = np.zeros((count, len(candidates)), dtype=np.int64)
    for row, (_, _, _, _, body) in enumerate(counted):
        figures = parse_protocol_document(json.loads(body)).figures
        # voters added to the list on polling day are part of the register the ballots
        # answer to; without them a station that added voters would seem over 100 %
        registered[row] = figures.registered_voters + figures.voters_added
        ballots[row] = figures.ballots_cast
        issued[row] = figures.ballots_issued
        invalid[row] = figures.invalid_ballots
        for code, candidate_votes in figures.votes.items():
            votes[row, column_of[code]] = candidate_votes
    results = StationResults(
        station_ids=np.array([code for _, code, *_ in counted], dtype=np.str_),
        regions=np.array(
            [constituencies[constituency] for _, _, constituency, _, _ in counted], dtype=np.str_
        ),
        registered_voters=registered,
        ballots_cast=ballots,
        invalid_ballots=invalid,
        ballots_issued=issued,
        votes=votes,
        candidate_names=tuple(f"{code} {name}" for code, name in candidates),
        leader_scope=LeaderScope.CONSTITUENCY,
        # a registered camera counts only if it was up long enough (service/watchers/webcams.py);
        # without a registry the definition's webcam flags stand in
        webcam=np.array([webcam for _, _, _, webcam, _ in counted], dtype=np.bool_)
        if monitored is None
        else _marked(row_of, monitored),
        exit_poll=_marked(
            row_of,
            session.scalars(
                select(ExitPollSampleRow.station_id)
                .join(PollingStationRow, PollingStationRow.id == ExitPollSampleRow.station_id)
                .where(PollingStationRow.election_id == election.id)
            ),
        ),
        observed=_marked(
            row_of,
            session.scalars(
                select(ObserverStationRow.station_id)
                .join(PollingStationRow, PollingStationRow.id == ObserverStationRow.station_id)
                .where(PollingStationRow.election_id == election.id)
            ),
        ),
        last_turnout_report=_last_turnout_reports(session, election.id, row_of),
        exit_poll_leader_share=None,
        poll_book=poll_book_series(session, election.id, row_of),
    )
    return _with_stored_estimates(
        results, stored_leader_estimates(session, election.id), row_of, candidates
    )


def _with_stored_estimates(
    results: StationResults,
    estimates: dict[int, dict[str, float]],
    row_of: dict[int, int],
    candidates: Sequence[Any],
) -> StationResults:
    """The exit polls' estimates of each station's leader's share, as the organisations
    submitted them (service/watchers/exit_polls.py); NaN where no poll estimated that candidate."""
    if not estimates:
        return results
    share = np.full(results.station_count, np.nan, dtype=np.float64)
    leaders = results.leader_index
    for station_id, by_candidate in estimates.items():
        row = row_of.get(station_id)
        if row is None:
            continue
        leader = candidates[int(leaders[row])][0]
        if leader in by_candidate:
            share[row] = by_candidate[leader]
    return results.with_changes(exit_poll_leader_share=share)


def _marked(row_of: dict[int, int], station_ids: Iterable[int]) -> BoolArray:
    """True at the counted stations among `station_ids` (others are not analysed)."""
    marked = np.zeros(len(row_of), dtype=np.bool_)
    rows = [row_of[station_id] for station_id in station_ids if station_id in row_of]
    marked[rows] = True
    return marked


def _last_turnout_reports(session: Session, election_id: int, row_of: dict[int, int]) -> IntArray:
    """Voters in each station's latest accepted hourly report ("HH:MM" sorts as time)."""
    last = np.full(len(row_of), NO_TURNOUT_REPORT, dtype=np.int64)
    latest: dict[int, str] = {}
    reports = session.execute(
        select(TurnoutReportRow.station_id, TurnoutReportRow.as_of, TurnoutReportRow.voters)
        .join(PollingStationRow, PollingStationRow.id == TurnoutReportRow.station_id)
        .where(
            PollingStationRow.election_id == election_id,
            TurnoutReportRow.status == ACCEPTED_TURNOUT,
        )
    )
    for station_id, as_of, voters in reports:
        row = row_of.get(station_id)
        if row is not None and as_of > latest.get(station_id, ""):
            latest[station_id] = as_of
            last[row] = voters
    return last
