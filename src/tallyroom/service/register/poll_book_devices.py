"""Poll-book devices: a station may have several check-in desks, each a device with its own
token issued by the commission (or the station's constituency commission). A poll-book token
authorises poll-book calls for its own station only: never a protocol, a turnout report, the
station's set-up or another station's full voter records. Issuing one revokes nothing (the
station's signing device and the other desks keep working); a lost desk's token is revoked
alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import (
    Principal,
    Role,
    new_poll_book_token,
    token_hash,
)
from tallyroom.service.errors import Conflict, Forbidden, NotFound
from tallyroom.store.schema import AccessTokenRow, PollingStationRow

#: a desk's token lasts the polling week, as an enrolled station device's does
DEFAULT_VALIDITY = timedelta(days=7)
#: desks a station may have (a station has a few; a hundred is a mistake or an attack)
MAXIMUM_DEVICES = 20
ISSUED = "pollbook.device_issued"


@dataclass(frozen=True, slots=True)
class PollBookDevice:
    station: str
    #: the desk's name in the audit log and on its check-ins: station-<code>/pollbook-<n>
    device: str
    token: str
    expires_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "device": self.device,
            "token": self.token,
            "expires_at": self.expires_at.isoformat(),
        }


def device_label(station_code: str, number: int) -> str:
    return f"station-{station_code}/pollbook-{number}"


def issue_poll_book_device(
    session: Session,
    *,
    principal: Principal,
    station_code: str,
    valid_for: timedelta = DEFAULT_VALIDITY,
    now: datetime | None = None,
) -> PollBookDevice:
    """A token for one more poll-book desk at the station, in the caller's transaction."""
    if principal.role not in (Role.COMMISSION, Role.CONSTITUENCY_COMMISSION):
        raise Forbidden("commission_only", "only a commission issues poll-book devices")
    station = session.scalars(
        select(PollingStationRow).where(
            PollingStationRow.election_id == principal.election_id,
            PollingStationRow.code == station_code,
        )
    ).first()
    if station is None:
        raise NotFound("unknown_station", f"there is no polling station {station_code!r}")
    if not principal.may_act_for_station(station):
        raise Forbidden("other_constituency", f"station {station.code} is not in your constituency")
    moment = now or datetime.now(UTC)
    issued = session.scalar(
        select(func.count()).where(
            AccessTokenRow.station_id == station.id, AccessTokenRow.role == Role.POLL_BOOK.value
        )
    )
    if (issued or 0) >= MAXIMUM_DEVICES:
        raise Conflict(
            "too_many_devices", f"station {station.code} has {MAXIMUM_DEVICES} poll-book devices"
        )
    label = device_label(station.code, (issued or 0) + 1)
    token = new_poll_book_token()
    row = AccessTokenRow(
        election_id=principal.election_id,
        token_hash=token_hash(token),
        role=Role.POLL_BOOK.value,
        constituency_id=station.constituency_id,
        station_id=station.id,
        label=label,
        issued_at=moment,
        expires_at=moment + valid_for,
    )
    session.add(row)
    session.flush()
    audit_log.record(
        session,
        actor=principal.actor,
        action=ISSUED,
        payload={
            "station": station.code,
            "device": label,
            "expires_at": (moment + valid_for).isoformat(),
        },
    )
    row_ledger.record_rows(session, actor=principal.actor, table="access_token", keys=[[row.id]])
    return PollBookDevice(station.code, label, token, moment + valid_for)
