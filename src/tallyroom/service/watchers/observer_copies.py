"""Observers' copies of protocols: submitted by an accredited observer at a station they are
assigned to, set beside the station's counted version now and the one counted when the copy
was made, published per station and as a national count; never counted in any total."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.idempotency_key import is_idempotency_key
from tallyroom.domain.protocol_copy import FieldDifference, differences
from tallyroom.domain.uploaded_file import CheckedFile
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import Forbidden, InvalidInput
from tallyroom.service.results.tally import bump_revision
from tallyroom.service.watchers.observer_accreditation import ObserverPrincipal
from tallyroom.service.watchers.stored_files import store_file
from tallyroom.store.schema import (
    CandidateRow,
    ObserverAccreditationRow,
    ObserverProtocolCopyRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationResultRow,
)


def submit_copy(
    session: Session,
    *,
    observer: ObserverPrincipal,
    station_code: str,
    figures: Mapping[str, Any],
    photo: CheckedFile | None = None,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> ObserverProtocolCopyRow:
    """Store the copy as the observer read it (figures already validated by the caller).

    `idempotency_key`: the phone's key for this copy; a copy the observer already sent with it
    is answered as it is (sent again from the phone's outbox after a lost answer)."""
    if idempotency_key is not None:
        if not is_idempotency_key(idempotency_key):
            raise InvalidInput("invalid_idempotency_key", "16 to 64 letters, digits, - or _")
        earlier = session.scalar(
            select(ObserverProtocolCopyRow).where(
                ObserverProtocolCopyRow.accreditation_id == observer.accreditation_id,
                ObserverProtocolCopyRow.idempotency_key == idempotency_key,
            )
        )
        if earlier is not None:
            return earlier
    station = session.scalar(
        select(PollingStationRow).where(
            PollingStationRow.election_id == observer.election_id,
            PollingStationRow.code == station_code,
        )
    )
    if station is None:
        raise InvalidInput("unknown_station", f"no station {station_code!r}")
    if not observer.may_observe(station):
        raise Forbidden("not_assigned", f"you are not accredited to station {station_code}")
    if photo is not None and not photo.media_type.is_photo:
        raise InvalidInput("unsupported_type", "the copy's photo is a JPEG or PNG")
    counted = session.scalar(
        select(StationResultRow.protocol_version_id).where(
            StationResultRow.station_id == station.id
        )
    )
    digest = store_file(session, photo, actor=observer.actor) if photo is not None else None
    row = ObserverProtocolCopyRow(
        accreditation_id=observer.accreditation_id,
        station_id=station.id,
        figures=canonical_json(dict(figures)).decode(),
        counted_version_id=counted,
        photo_sha256=digest,
        submitted_at=now or datetime.now(UTC),
        idempotency_key=idempotency_key,
    )
    session.add(row)
    session.flush()
    # published on the station's page: a new revision shows it
    bump_revision(session, observer.election_id)
    audit_log.record(
        session,
        actor=observer.actor,
        action="observer_copy.submitted",
        payload={"station": station_code, "copy": row.id, "photo": digest},
    )
    row_ledger.record_rows(
        session, actor=observer.actor, table="observer_protocol_copy", keys=[[row.id]]
    )
    return row


@dataclass(frozen=True, slots=True)
class CopyComparison:
    """One observer's copy beside the station's versions (the observer named by badge only)."""

    badge_number: str
    submitted_at: datetime
    #: the station's version counted now (None: nothing counted)
    counted_version: int | None
    against_counted: tuple[FieldDifference, ...]
    #: the version counted when the copy was submitted, and how the copy differs from it
    version_at_copy: int | None
    against_version_at_copy: tuple[FieldDifference, ...]
    has_photo: bool

    @property
    def matches(self) -> bool:
        return self.counted_version is not None and not self.against_counted


def _figures(body: str) -> dict[str, Any]:
    figures = json.loads(body).get("figures", {})
    return figures if isinstance(figures, dict) else {}


def station_copies(
    session: Session, *, station_code: str, election_code: str | None = None
) -> list[CopyComparison]:
    election = election_row(session, election_code)
    station = session.scalar(
        select(PollingStationRow).where(
            PollingStationRow.election_id == election.id, PollingStationRow.code == station_code
        )
    )
    if station is None:
        return []
    return _comparisons(session, [station.id])[station.id]


def _comparisons(session: Session, station_ids: list[int]) -> dict[int, list[CopyComparison]]:
    result: dict[int, list[CopyComparison]] = {sid: [] for sid in station_ids}
    copies = (
        session.execute(
            select(ObserverProtocolCopyRow, ObserverAccreditationRow.badge_number)
            .join(
                ObserverAccreditationRow,
                ObserverAccreditationRow.id == ObserverProtocolCopyRow.accreditation_id,
            )
            .where(ObserverProtocolCopyRow.station_id.in_(station_ids))
            .order_by(ObserverProtocolCopyRow.id)
        )
        .tuples()
        .all()
    )
    if not copies:
        return result
    counted = dict(
        session.execute(
            select(StationResultRow.station_id, StationResultRow.protocol_version_id).where(
                StationResultRow.station_id.in_(station_ids)
            )
        )
        .tuples()
        .all()
    )
    wanted = set(counted.values()) | {
        c.counted_version_id for c, _ in copies if c.counted_version_id
    }
    versions = {
        row.id: (row.version, _figures(row.body))
        for row in session.scalars(
            select(ProtocolVersionRow).where(ProtocolVersionRow.id.in_(wanted))
        )
    }
    for copy, badge in copies:
        figures = json.loads(copy.figures)
        now_id = counted.get(copy.station_id)
        now_version = versions.get(now_id) if now_id else None
        then_version = versions.get(copy.counted_version_id) if copy.counted_version_id else None
        result[copy.station_id].append(
            CopyComparison(
                badge_number=badge,
                submitted_at=copy.submitted_at
                if copy.submitted_at.tzinfo
                else copy.submitted_at.replace(tzinfo=UTC),
                counted_version=now_version[0] if now_version else None,
                against_counted=tuple(differences(figures, now_version[1])) if now_version else (),
                version_at_copy=then_version[0] if then_version else None,
                against_version_at_copy=tuple(differences(figures, then_version[1]))
                if then_version
                else (),
                has_photo=copy.photo_sha256 is not None,
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class CopyCounts:
    """The national count of observers' copies against the counted protocols."""

    copies: int
    matching: int
    mismatching: int
    #: copies of stations with nothing counted
    not_comparable: int
    stations_with_mismatch: tuple[str, ...]


def national_copy_counts(session: Session, *, election_code: str | None = None) -> CopyCounts:
    election = election_row(session, election_code)
    stations = dict(
        session.execute(
            select(PollingStationRow.id, PollingStationRow.code).where(
                PollingStationRow.election_id == election.id,
                PollingStationRow.id.in_(select(ObserverProtocolCopyRow.station_id)),
            )
        )
        .tuples()
        .all()
    )
    comparisons = _comparisons(session, list(stations))
    flat = [c for copies in comparisons.values() for c in copies]
    return CopyCounts(
        copies=len(flat),
        matching=sum(1 for c in flat if c.matches),
        mismatching=sum(1 for c in flat if c.counted_version is not None and c.against_counted),
        not_comparable=sum(1 for c in flat if c.counted_version is None),
        stations_with_mismatch=tuple(
            sorted(
                stations[sid]
                for sid, copies in comparisons.items()
                if any(c.against_counted for c in copies)
            )
        ),
    )


@dataclass(frozen=True, slots=True)
class CopyFormStation:
    """A station an observer may submit a copy for, with the candidates on its protocol."""

    code: str
    name: str
    #: (candidate code, name) in code order
    candidates: tuple[tuple[str, str], ...]


def stations_for_copies(
    session: Session, *, observer: ObserverPrincipal, limit: int = 50
) -> list[CopyFormStation]:
    """The observer's stations (assigned ones, else those of their constituency)."""
    query = select(PollingStationRow).where(PollingStationRow.election_id == observer.election_id)
    if observer.station_ids:
        query = query.where(PollingStationRow.id.in_(observer.station_ids))
    elif observer.constituency_id is not None:
        query = query.where(PollingStationRow.constituency_id == observer.constituency_id)
    stations = session.scalars(query.order_by(PollingStationRow.code).limit(limit)).all()
    candidates: dict[int, list[tuple[str, str]]] = {}
    for constituency_id, code, name in session.execute(
        select(CandidateRow.constituency_id, CandidateRow.code, CandidateRow.full_name)
        .where(CandidateRow.constituency_id.in_({s.constituency_id for s in stations}))
        .order_by(CandidateRow.code)
    ).tuples():
        candidates.setdefault(constituency_id, []).append((code, name))
    return [
        CopyFormStation(s.code, s.name, tuple(candidates.get(s.constituency_id, ())))
        for s in stations
    ]
