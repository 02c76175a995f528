"""The incremental feed: which stations' counted results changed after a results revision,
so media and mirrors fetch only those instead of the whole nation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.service.results.results import results_revision
from tallyroom.store.schema import (
    ConstituencyRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationResultChangeRow,
    StationResultRow,
)


def changes_since(session: Session, *, election_id: int, since: int) -> dict[str, Any]:
    """Stations whose counted result changed after revision `since` and up to the current
    one, each with the last revision that changed it and the version it counts now (None
    when it counts none: annulled, or taken out for a recount). Ask again with `since` set
    to the `revision` answered to get only what changed after it."""
    revision, changed_at = results_revision(session, election_id)
    last_change = func.max(StationResultChangeRow.revision).label("last_change")
    changed = (
        select(StationResultChangeRow.station_id, last_change)
        .where(
            StationResultChangeRow.election_id == election_id,
            StationResultChangeRow.revision > since,
            # Changes committed after the revision was read belong to the next answer.
            StationResultChangeRow.revision <= revision,
        )
        .group_by(StationResultChangeRow.station_id)
        .subquery()
    )
    rows = session.execute(
        select(
            PollingStationRow.code,
            ConstituencyRow.number,
            changed.c.last_change,
            ProtocolVersionRow.version,
        )
        .join(changed, changed.c.station_id == PollingStationRow.id)
        .join(ConstituencyRow, ConstituencyRow.id == PollingStationRow.constituency_id)
        .outerjoin(StationResultRow, StationResultRow.station_id == PollingStationRow.id)
        .outerjoin(
            ProtocolVersionRow, ProtocolVersionRow.id == StationResultRow.protocol_version_id
        )
        .order_by(changed.c.last_change, PollingStationRow.code)
    ).tuples()
    return {
        "since": since,
        "revision": revision,
        "as_of": changed_at.isoformat(),
        "stations": [
            {
                "station": code,
                "constituency": number,
                "revision": int(last),
                "counted_version": version,
            }
            for code, number, last, version in rows
        ],
    }
