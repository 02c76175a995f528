"""Webcams: the registry of cameras with their public viewing links, the monitor's heartbeats
(ephemeral), the outages derived from them (the audited record), and which stations count
as monitored for the forensics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from tallyroom.domain.election import Election
from tallyroom.domain.webcam_uptime import Outage, is_monitored, outages_between
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.definition.elections import election_of
from tallyroom.service.errors import InvalidInput
from tallyroom.store.schema import (
    ComplaintRow,
    ElectionRow,
    PollingStationRow,
    ProtocolVersionRow,
    WebcamHeartbeatRow,
    WebcamOutageRow,
    WebcamRow,
)

MAXIMUM_URL = 500
#: the audit action of a derivation of outages; its payload says up to when
OUTAGES_RECORDED = "webcams.outages_recorded"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def register_webcams(
    session: Session, *, principal: Principal, cameras: Sequence[tuple[str, str]]
) -> int:
    """Register (or re-link) cameras: (station code, public viewing URL), all or none."""
    principal.require_commission()
    for _, url in cameras:
        if (
            not url.startswith("https://")
            or len(url) > MAXIMUM_URL
            or any(c in url for c in " \"'<>")
        ):
            raise InvalidInput("invalid_url", f"{url[:60]!r}: an https:// address is expected")
    stations = dict(
        session.execute(
            select(PollingStationRow.code, PollingStationRow.id).where(
                PollingStationRow.election_id == principal.election_id,
                PollingStationRow.code.in_([code for code, _ in cameras]),
            )
        )
        .tuples()
        .all()
    )
    unknown = [code for code, _ in cameras if code not in stations]
    if unknown:
        raise InvalidInput("unknown_station", f"no station {unknown[0]!r}")
    existing = {
        row.station_id: row
        for row in session.scalars(
            select(WebcamRow).where(WebcamRow.station_id.in_(stations.values()))
        )
    }
    moment = datetime.now(UTC)
    for code, url in cameras:
        row = existing.get(stations[code])
        if row is None:
            row = WebcamRow(station_id=stations[code], viewing_url=url, registered_at=moment)
            session.add(row)
            existing[stations[code]] = row
        else:
            row.viewing_url = url
    session.flush()
    audit_log.record(
        session,
        actor=principal.actor,
        action="webcams.registered",
        payload={"cameras": len(cameras)},
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="webcam", keys=[[row.id] for row in existing.values()]
    )
    return len(cameras)


def record_heartbeats(
    session: Session, *, principal: Principal, stations: Sequence[str], at: datetime | None = None
) -> int:
    """The monitor saw these stations' cameras up now (not audited: heartbeats are ephemeral)."""
    principal.require_commission()
    # stored in UTC: SQLite keeps no zone, and every reader takes a bare time as UTC
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    cameras = session.scalars(
        select(WebcamRow.id)
        .join(PollingStationRow, PollingStationRow.id == WebcamRow.station_id)
        .where(
            PollingStationRow.election_id == principal.election_id,
            PollingStationRow.code.in_(list(stations)),
        )
    ).all()
    if len(cameras) != len(set(stations)):
        raise InvalidInput("unknown_camera", "a station in the list has no registered camera")
    if cameras:
        session.execute(
            insert(WebcamHeartbeatRow), [{"webcam_id": c, "seen_at": moment} for c in cameras]
        )
    return len(cameras)


def _window(election: Election) -> tuple[datetime, datetime]:
    """Voting hours, in UTC."""
    zone = ZoneInfo(election.timezone)
    return (
        datetime.combine(election.polling_day, election.voting_hours.opens, tzinfo=zone).astimezone(
            UTC
        ),
        datetime.combine(
            election.polling_day, election.voting_hours.closes, tzinfo=zone
        ).astimezone(UTC),
    )


def derive_outages(session: Session, *, principal: Principal, until: datetime) -> int:
    """Record the outages from where the last run stopped (at first the opening of the polls)
    to `until`, and forget the heartbeats used, all but each camera's latest (the next run
    starts from it)."""
    principal.require_commission()
    election = election_of(session.get_one(ElectionRow, principal.election_id))
    opens, _ = _window(election)
    until = until.astimezone(UTC)
    previous = [
        entry.payload.get("until")
        for entry in audit_log.entries_of(session, [OUTAGES_RECORDED])
        if entry.payload.get("election") == principal.election_id
    ]
    since = max([opens, *(datetime.fromisoformat(p) for p in previous if isinstance(p, str))])
    if until <= since:
        return 0
    beats: dict[int, list[datetime]] = defaultdict(list)
    cameras = session.scalars(
        select(WebcamRow.id)
        .join(PollingStationRow, PollingStationRow.id == WebcamRow.station_id)
        .where(PollingStationRow.election_id == principal.election_id)
    ).all()
    for camera, seen in session.execute(
        select(WebcamHeartbeatRow.webcam_id, WebcamHeartbeatRow.seen_at).where(
            WebcamHeartbeatRow.webcam_id.in_(cameras), WebcamHeartbeatRow.seen_at <= until
        )
    ).tuples():
        beats[camera].append(_aware(seen))
    rows: list[WebcamOutageRow] = []
    for camera in cameras:
        before = [beat for beat in beats[camera] if beat <= since]
        found = outages_between(
            beats[camera], since, until, last_before=max(before) if before else None
        )
        rows.extend(
            WebcamOutageRow(webcam_id=camera, started_at=o.started_at, ended_at=o.ended_at)
            for o in found
        )
        latest = max(beats[camera], default=None)
        if latest is not None:
            session.execute(
                delete(WebcamHeartbeatRow).where(
                    WebcamHeartbeatRow.webcam_id == camera, WebcamHeartbeatRow.seen_at < latest
                )
            )
    session.add_all(rows)
    session.flush()
    audit_log.record(
        session,
        actor=principal.actor,
        action=OUTAGES_RECORDED,
        payload={
            "election": principal.election_id,
            "outages": len(rows),
            "until": until.isoformat(),
        },
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="webcam_outage", keys=[[r.id] for r in rows]
    )
    return len(rows)


@dataclass(frozen=True, slots=True)
class StationOutage:
    """A recorded outage of a station's camera and the complaints that cite it."""

    id: int
    started_at: datetime
    ended_at: datetime
    #: tracking numbers of the complaints citing this outage
    complaints: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StationWebcam:
    viewing_url: str
    outages: tuple[StationOutage, ...]


def station_webcam(session: Session, station_id: int) -> StationWebcam | None:
    camera = session.scalar(select(WebcamRow).where(WebcamRow.station_id == station_id))
    if camera is None:
        return None
    rows = list(
        session.scalars(
            select(WebcamOutageRow)
            .where(WebcamOutageRow.webcam_id == camera.id)
            .order_by(WebcamOutageRow.started_at)
        )
    )
    citing: dict[int, list[str]] = defaultdict(list)
    for outage_id, tracking in session.execute(
        select(ComplaintRow.webcam_outage_id, ComplaintRow.tracking_number)
        .where(ComplaintRow.webcam_outage_id.in_([o.id for o in rows]))
        .order_by(ComplaintRow.id)
    ).tuples():
        if outage_id is not None:
            citing[outage_id].append(tracking)
    return StationWebcam(
        camera.viewing_url,
        tuple(
            StationOutage(
                o.id, _aware(o.started_at), _aware(o.ended_at), tuple(citing.get(o.id, ()))
            )
            for o in rows
        ),
    )


def station_outages(
    session: Session, *, election_id: int, station_code: str
) -> tuple[StationOutage, ...]:
    """The recorded outages of a station's camera (none without a camera)."""
    station_id = session.scalar(
        select(PollingStationRow.id).where(
            PollingStationRow.election_id == election_id, PollingStationRow.code == station_code
        )
    )
    found = station_webcam(session, station_id) if station_id is not None else None
    return found.outages if found is not None else ()


def monitored_station_ids(session: Session, election_id: int) -> set[int] | None:
    """Stations whose camera was up for ≥ 90 % of voting and all of the count (from the close
    to the station's first protocol); None while no camera is registered (the definition's
    webcam flags stand in)."""
    election = election_of(session.get_one(ElectionRow, election_id))
    cameras = dict(
        session.execute(
            select(WebcamRow.id, WebcamRow.station_id)
            .join(PollingStationRow, PollingStationRow.id == WebcamRow.station_id)
            .where(PollingStationRow.election_id == election_id)
        )
        .tuples()
        .all()
    )
    if not cameras:
        return None
    outages: dict[int, list[Outage]] = defaultdict(list)
    for camera, started, ended in session.execute(
        select(
            WebcamOutageRow.webcam_id, WebcamOutageRow.started_at, WebcamOutageRow.ended_at
        ).where(WebcamOutageRow.webcam_id.in_(cameras))
    ).tuples():
        outages[cameras[camera]].append(Outage(_aware(started), _aware(ended)))
    counted_at = dict(
        session.execute(
            select(ProtocolVersionRow.station_id, func.min(ProtocolVersionRow.submitted_at))
            .where(ProtocolVersionRow.station_id.in_(cameras.values()))
            .group_by(ProtocolVersionRow.station_id)
        )
        .tuples()
        .all()
    )
    opens, closes = _window(election)
    return {
        station
        for station in cameras.values()
        if station in counted_at
        and is_monitored(
            outages[station],
            voting=(opens, closes),
            count=(closes, max(closes, _aware(counted_at[station]))),
        )
    }


def stations_with_outages(session: Session, election_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(func.distinct(WebcamRow.station_id)))
            .join(WebcamOutageRow, WebcamOutageRow.webcam_id == WebcamRow.id)
            .join(PollingStationRow, PollingStationRow.id == WebcamRow.station_id)
            .where(PollingStationRow.election_id == election_id)
        )
        or 0
    )
