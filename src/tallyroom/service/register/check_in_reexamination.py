"""Check-ins that reach the server after a station's protocol was judged (a poll book that
was offline syncs late) change `station.check_ins`, so the protocol is judged again: its
status and reasons are recomputed with the election's rules, counted or uncounted to match,
and the change audited. A protocol a person decided on (accepted or rejected by the
commission, or with a decision waiting for its second person), one of a station the
commission ordered a recount of or annulled since, or one of a certified contest is never
touched."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from tallyroom.service.protocols.election_rules import election_rule_set
from tallyroom.service.protocols.reexamination import (
    JUDGED_BY_RULES,
    ReexaminedProtocol,
    reexamine,
)
from tallyroom.store.schema import PollingStationRow, ProtocolVersionRow

_ANY_PROTOCOL = (
    select(ProtocolVersionRow.id)
    .where(ProtocolVersionRow.station_id.in_(bindparam("stations", expanding=True)))
    .limit(1)
)


def reexamine_after_check_ins(
    session: Session, *, station_ids: Collection[int], actor: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Judge again each station's latest protocol version in the light of its check-ins now,
    in the caller's transaction; the changes made (station, version, statuses, reasons)."""
    if not station_ids:
        return []
    wanted = sorted(set(station_ids))
    # the common case on polling day, asked on every check-in: no protocol yet (one cached
    # statement, no join)
    if session.connection().execute(_ANY_PROTOCOL, {"stations": wanted}).first() is None:
        return []
    latest = (
        select(ProtocolVersionRow.station_id, func.max(ProtocolVersionRow.version).label("last"))
        .where(ProtocolVersionRow.station_id.in_(wanted))
        .group_by(ProtocolVersionRow.station_id)
        .subquery()
    )
    versions = session.scalars(
        select(ProtocolVersionRow).join(
            latest,
            (latest.c.station_id == ProtocolVersionRow.station_id)
            & (latest.c.last == ProtocolVersionRow.version),
        )
    ).all()
    # rule-given judgements only; a person's decision is never looked at again
    versions = [v for v in versions if v.status in JUDGED_BY_RULES and v.decided_at is None]
    if not versions:
        return []
    moment = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")

    def logged(item: ReexaminedProtocol) -> dict[str, Any]:
        return {
            "station": item.station,
            "version": item.version,
            "status_before": item.previous_status,
            "status": item.status,
            "reasons": item.reasons,
            "check_ins": item.check_ins,
            "reexamined_at": moment,
        }

    judged = reexamine(
        session,
        versions,
        election_rule_set(session, _election_of(session, versions[0].station_id)),
        actor,
        logged=logged,
        only_changes=True,
    )
    return [logged(item) for item in judged.reexamined]


def _election_of(session: Session, station_id: int) -> int:
    return session.scalars(
        select(PollingStationRow.election_id).where(PollingStationRow.id == station_id)
    ).one()
