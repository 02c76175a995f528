"""Who has not reported: per constituency, the stations the commission still waits for
(nothing received, a rejected protocol to amend, a recount ordered), with the time since
their last turnout report and whom to call. Commission staff only: contacts are personal."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import InvalidInput, NotFound
from tallyroom.service.protocols.annulments import annulled_stations
from tallyroom.service.protocols.flagged_queue import require_commission_role
from tallyroom.service.protocols.protocols import recount_pending
from tallyroom.store.schema import (
    ConstituencyRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationResultRow,
    TurnoutReportRow,
)


class WaitingFor(enum.StrEnum):
    #: no protocol has come in
    NOTHING_RECEIVED = "nothing_received"
    #: its protocol was rejected: the station must amend it
    AMENDMENT = "amendment"
    #: a recount was ordered and its protocol has not come in
    RECOUNT = "recount"


#: what the list may be sorted by (a leading "-" sorts descending)
SORT_KEYS = ("station", "name", "state", "registered_voters", "minutes_since_turnout")


@dataclass(frozen=True, slots=True)
class UnreportedStation:
    station: str
    name: str
    constituency: int
    waiting_for: WaitingFor
    registered_voters: int
    #: "HH:MM" of the last turnout report, None when none came in
    last_turnout_as_of: str | None
    last_turnout_at: datetime | None
    minutes_since_turnout: int | None
    contact: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "name": self.name,
            "constituency": self.constituency,
            "waiting_for": self.waiting_for.value,
            "registered_voters": self.registered_voters,
            "last_turnout_as_of": self.last_turnout_as_of,
            "last_turnout_at": None
            if self.last_turnout_at is None
            else self.last_turnout_at.isoformat(timespec="seconds"),
            "minutes_since_turnout": self.minutes_since_turnout,
            "contact": self.contact,
        }


def unreported_stations(
    session: Session,
    *,
    principal: Principal,
    constituency_number: int,
    sort: str = "station",
    now: datetime | None = None,
) -> list[UnreportedStation]:
    """The constituency's stations not yet reported, sorted as asked."""
    moment = now or datetime.now(UTC)
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        raise InvalidInput(
            "invalid_sort", f"sort by one of {', '.join(SORT_KEYS)} (a leading - reverses)"
        )
    constituency = session.scalars(
        select(ConstituencyRow).where(
            ConstituencyRow.election_id == principal.election_id,
            ConstituencyRow.number == constituency_number,
        )
    ).first()
    if constituency is None:
        raise NotFound("unknown_constituency", f"there is no constituency {constituency_number}")
    require_commission_role(principal, constituency.id)
    stations = session.scalars(
        select(PollingStationRow).where(PollingStationRow.constituency_id == constituency.id)
    ).all()
    ids = [station.id for station in stations]
    counted = set(
        session.scalars(
            select(StationResultRow.station_id).where(
                StationResultRow.constituency_id == constituency.id
            )
        )
    )
    annulled = set(annulled_stations(session, principal.election_id))
    latest_status = dict(
        session.execute(
            select(ProtocolVersionRow.station_id, ProtocolVersionRow.status)
            .where(ProtocolVersionRow.station_id.in_(ids))
            .order_by(ProtocolVersionRow.station_id, ProtocolVersionRow.version)
        )
        .tuples()
        .all()
    )
    last_turnout: dict[int, tuple[str, datetime]] = {}
    for station_id, as_of, received_at in session.execute(
        select(TurnoutReportRow.station_id, TurnoutReportRow.as_of, TurnoutReportRow.received_at)
        .where(TurnoutReportRow.station_id.in_(ids))
        .order_by(TurnoutReportRow.station_id, TurnoutReportRow.as_of)
    ).tuples():
        last_turnout[station_id] = (as_of, _utc(received_at))
    found: list[UnreportedStation] = []
    for station in stations:
        if station.id in annulled:
            continue
        waiting = _waiting_for(
            session, station.id, station.id in counted, latest_status.get(station.id)
        )
        if waiting is None:
            continue
        turnout = last_turnout.get(station.id)
        found.append(
            UnreportedStation(
                station=station.code,
                name=station.name,
                constituency=constituency_number,
                waiting_for=waiting,
                registered_voters=station.registered_voters,
                last_turnout_as_of=None if turnout is None else turnout[0],
                last_turnout_at=None if turnout is None else turnout[1],
                minutes_since_turnout=None
                if turnout is None
                else max(0, int((moment - turnout[1]).total_seconds() // 60)),
                contact=station.contact,
            )
        )
    found.sort(key=_sort_key(key), reverse=descending)
    return found


def _waiting_for(
    session: Session, station_id: int, counted: bool, latest_status: str | None
) -> WaitingFor | None:
    if recount_pending(session, station_id):
        return WaitingFor.RECOUNT
    if counted:
        return None
    if latest_status is None:
        return WaitingFor.NOTHING_RECEIVED
    if latest_status == "rejected":
        return WaitingFor.AMENDMENT
    # flagged: in the commission's queue, not the station's to send
    return None


def _sort_key(key: str) -> Any:
    def by(station: UnreportedStation) -> tuple[Any, ...]:
        if key == "minutes_since_turnout":
            # never reported turnout: the longest silence of all
            minutes = station.minutes_since_turnout
            return (minutes is None, minutes or 0, station.station)
        if key == "state":
            return (station.waiting_for.value, station.station)
        return (getattr(station, key), station.station)

    return by


def _utc(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
