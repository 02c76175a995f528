"""Keeping the running totals in step with the counted protocols, inside the command's
transaction: counting a station's protocol replaces whatever it counted before."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import parse_protocol_document
from tallyroom.store.schema import (
    CandidateRow,
    CandidateTotalRow,
    ConstituencyTotalRow,
    PollingStationRow,
    ProtocolVersionRow,
    ResultsRevisionRow,
    StationResultChangeRow,
    StationResultRow,
)


def figures_of(version: ProtocolVersionRow) -> ProtocolFigures:
    return parse_protocol_document(json.loads(version.body)).figures


def count_protocol(
    session: Session, *, station: PollingStationRow, version: ProtocolVersionRow
) -> None:
    """Make this version the station's counted result, replacing any earlier one."""
    uncount_station(session, station=station, bump=False)
    figures = figures_of(version)
    session.add(
        StationResultRow(
            station_id=station.id,
            protocol_version_id=version.id,
            constituency_id=station.constituency_id,
            registered_voters=figures.registered_voters,
            voters_added=figures.voters_added,
            ballots_cast=figures.ballots_cast,
            invalid_ballots=figures.invalid_ballots,
            blank_votes=figures.blank_votes,
        )
    )
    _adjust(session, station=station, figures=figures, sign=1)
    bump_revision(session, station.election_id, changed_stations=[station.id])


def uncount_station(session: Session, *, station: PollingStationRow, bump: bool = True) -> bool:
    """Remove the station's counted result from every total; whether there was one."""
    current = session.get(StationResultRow, station.id)
    if current is None:
        return False
    version = session.get_one(ProtocolVersionRow, current.protocol_version_id)
    _adjust(session, station=station, figures=figures_of(version), sign=-1)
    session.delete(current)
    session.flush()
    if bump:
        bump_revision(session, station.election_id, changed_stations=[station.id])
    return True


def _adjust(
    session: Session, *, station: PollingStationRow, figures: ProtocolFigures, sign: int
) -> None:
    # Relative updates: concurrent transactions on PostgreSQL queue on the row, none is lost.
    session.execute(
        update(ConstituencyTotalRow)
        .where(ConstituencyTotalRow.constituency_id == station.constituency_id)
        .values(
            stations_reporting=ConstituencyTotalRow.stations_reporting + sign,
            registered_voters=ConstituencyTotalRow.registered_voters
            + sign * figures.registered_voters,
            voters_added=ConstituencyTotalRow.voters_added + sign * figures.voters_added,
            ballots_cast=ConstituencyTotalRow.ballots_cast + sign * figures.ballots_cast,
            invalid_ballots=ConstituencyTotalRow.invalid_ballots + sign * figures.invalid_ballots,
            blank_votes=ConstituencyTotalRow.blank_votes + sign * (figures.blank_votes or 0),
        )
    )
    candidate_ids = dict(
        session.execute(
            select(CandidateRow.code, CandidateRow.id).where(
                CandidateRow.constituency_id == station.constituency_id
            )
        )
        .tuples()
        .all()
    )
    for code, votes in sorted(figures.votes.items()):
        if votes:
            session.execute(
                update(CandidateTotalRow)
                .where(CandidateTotalRow.candidate_id == candidate_ids[code])
                .values(votes=CandidateTotalRow.votes + sign * votes)
            )


_BUMPED_REVISION = (
    update(ResultsRevisionRow)
    .where(ResultsRevisionRow.election_id == bindparam("election"))
    .values(revision=ResultsRevisionRow.revision + 1, changed_at=bindparam("moment"))
    .returning(ResultsRevisionRow.revision)
)
_STATION_CHANGES = insert(StationResultChangeRow)


def bump_revision(
    session: Session, election_id: int, *, changed_stations: Collection[int] = ()
) -> int:
    """The next results revision, recording the stations (ids) whose counted result it
    changes (the feed of changes reads them)."""
    # Built once: every protocol group bumps it (see _CONSTITUENCY_DELTAS).
    connection = session.connection()
    revision = int(
        connection.execute(
            _BUMPED_REVISION, {"election": election_id, "moment": datetime.now(UTC)}
        ).scalar_one()
    )
    if changed_stations:
        connection.execute(
            _STATION_CHANGES,
            [
                {"election_id": election_id, "station_id": station_id, "revision": revision}
                for station_id in sorted(changed_stations)
            ],
        )
    return revision


#: Statements built once: a server's small protocol groups run them many times a second,
#: and building and cache-keying a statement costs more than running it.
_CONSTITUENCY_DELTAS = (
    update(ConstituencyTotalRow)
    .where(ConstituencyTotalRow.constituency_id == bindparam("key"))
    .values(
        stations_reporting=ConstituencyTotalRow.stations_reporting + bindparam("stations"),
        registered_voters=ConstituencyTotalRow.registered_voters + bindparam("registered"),
        voters_added=ConstituencyTotalRow.voters_added + bindparam("added"),
        ballots_cast=ConstituencyTotalRow.ballots_cast + bindparam("cast"),
        invalid_ballots=ConstituencyTotalRow.invalid_ballots + bindparam("invalid"),
        blank_votes=ConstituencyTotalRow.blank_votes + bindparam("blank"),
    )
)
_CANDIDATE_DELTAS = (
    update(CandidateTotalRow)
    .where(CandidateTotalRow.candidate_id == bindparam("key"))
    .values(votes=CandidateTotalRow.votes + bindparam("votes"))
)

#: a constituency's change: stations reporting, registered, added, cast, invalid, blank
ConstituencyDelta = tuple[int, int, int, int, int, int]


def adjust_totals(
    session: Session,
    *,
    constituencies: Mapping[int, ConstituencyDelta],
    candidates: Mapping[int, int],
) -> None:
    """Apply changes summed over many protocols: one relative update per constituency and
    per candidate (executemany), whatever the number of stations behind them."""
    connection = session.connection()
    changed = [
        {
            "key": constituency_id,
            "stations": delta[0],
            "registered": delta[1],
            "added": delta[2],
            "cast": delta[3],
            "invalid": delta[4],
            "blank": delta[5],
        }
        for constituency_id, delta in sorted(constituencies.items())
        if any(delta)
    ]
    if changed:
        connection.execute(_CONSTITUENCY_DELTAS, changed)
    # Sorted keys: concurrent writers on PostgreSQL lock rows in one order, never deadlock.
    votes = [
        {"key": candidate_id, "votes": delta}
        for candidate_id, delta in sorted(candidates.items())
        if delta
    ]
    if votes:
        connection.execute(_CANDIDATE_DELTAS, votes)
