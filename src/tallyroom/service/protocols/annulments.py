"""The stations whose result stands annulled by the commission's decision: the latest decision
on the station other than a recount order is an annulment (a recount never lifts one).
Read-only queries."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.store.schema import (
    ConstituencyRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationDecisionRow,
)

ANNULLED = "annulled"


@dataclass(frozen=True, slots=True)
class ConstituencyAnnulments:
    stations: int
    #: ballots cast as the annulled stations' latest protocols say (0 where none came in)
    ballots_cast: int


def annulled_stations(session: Session, election_id: int) -> dict[int, StationDecisionRow]:
    """Station id → the annulment standing on it. Decisions are few (a handful per election),
    so they are read whole and the latest per station picked here."""
    latest: dict[int, StationDecisionRow] = {}
    for decision in session.scalars(
        select(StationDecisionRow)
        .join(PollingStationRow, PollingStationRow.id == StationDecisionRow.station_id)
        # a recount order never lifts an annulment
        .where(PollingStationRow.election_id == election_id, StationDecisionRow.kind != "recount")
        .order_by(StationDecisionRow.id)
    ):
        latest[decision.station_id] = decision
    return {station: row for station, row in latest.items() if row.kind == ANNULLED}


def stations_annulled(
    session: Session, election_id: int, constituency_number: int | None = None
) -> int:
    """How many stations stand annulled, nationally or in one constituency."""
    annulled = annulled_stations(session, election_id)
    if constituency_number is None or not annulled:
        return len(annulled)
    return int(
        session.scalar(
            select(func.count())
            .select_from(PollingStationRow)
            .join(ConstituencyRow, ConstituencyRow.id == PollingStationRow.constituency_id)
            .where(
                PollingStationRow.id.in_(annulled),
                ConstituencyRow.number == constituency_number,
            )
        )
        or 0
    )


def annulments_by_constituency(
    session: Session, election_id: int
) -> dict[int, ConstituencyAnnulments]:
    """Constituency id → its annulled stations and their ballots, left out of every total."""
    annulled = annulled_stations(session, election_id)
    if not annulled:
        return {}
    latest_body: dict[int, str] = {}
    for station_id, body in session.execute(
        select(ProtocolVersionRow.station_id, ProtocolVersionRow.body)
        .where(ProtocolVersionRow.station_id.in_(annulled))
        .order_by(ProtocolVersionRow.station_id, ProtocolVersionRow.version)
    ).tuples():
        latest_body[station_id] = body
    stations: dict[int, int] = defaultdict(int)
    ballots: dict[int, int] = defaultdict(int)
    for station_id, constituency_id in session.execute(
        select(PollingStationRow.id, PollingStationRow.constituency_id).where(
            PollingStationRow.id.in_(annulled)
        )
    ).tuples():
        stations[constituency_id] += 1
        if station_id in latest_body:
            ballots[constituency_id] += int(
                json.loads(latest_body[station_id])["figures"]["ballots_cast"]
            )
    return {
        constituency_id: ConstituencyAnnulments(count, ballots[constituency_id])
        for constituency_id, count in stations.items()
    }
