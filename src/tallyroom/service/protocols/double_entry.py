"""The record that a stored protocol version was entered twice, by two clerks in turn, and
signed only once both entries agreed (the station app's two-clerk entry): an audit entry
naming the version and its hash."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.service.audit import audit_log
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import Conflict, NotFound
from tallyroom.service.protocols.protocols import require_scope, station_in_election
from tallyroom.store.schema import ProtocolVersionRow

DOUBLE_ENTERED = "protocol.double_entered"


def record_double_entry(
    session: Session, *, principal: Principal, station_code: str, version: int, body_sha256: str
) -> None:
    station = station_in_election(session, principal.election_id, station_code)
    require_scope(principal, station)
    stored = session.scalars(
        select(ProtocolVersionRow).where(
            ProtocolVersionRow.station_id == station.id, ProtocolVersionRow.version == version
        )
    ).first()
    if stored is None:
        raise NotFound("unknown_version", f"station {station.code} has no version {version}")
    if stored.body_sha256 != body_sha256:
        raise Conflict("different_protocol", "this is not the stored version's protocol")
    audit_log.record(
        session,
        actor=principal.actor,
        action=DOUBLE_ENTERED,
        payload={"station": station.code, "version": version, "body_sha256": body_sha256},
    )
