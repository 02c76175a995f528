"""Poll-book desks: a station may have several check-in desks, each enrolled as the station's
signing device is (service/definition/station_enrolment.py): a commission (or the station's
constituency commission) issues a one-time poll-book code, only its hash kept; the desk makes
its own key pair, sends the public key with the code and receives its poll-book token. A
poll-book token authorises poll-book calls for its own station only. Issuing a desk's code
revokes nothing; a lost desk is revoked alone, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tallyroom.domain.enrolment_code import enrolment_code_hash, new_enrolment_code
from tallyroom.domain.key_fingerprint import key_fingerprint
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import (
    DEVICE,
    Principal,
    Role,
    new_poll_book_token,
    token_hash,
)
from tallyroom.service.definition.station_enrolment import (
    DEFAULT_VALIDITY,
    EnrolmentPurpose,
    PublishedKey,
    aware,
    check_usable,
    checked_request,
    enrolment_of_station,
    refuse_known_keys,
    spend_codes,
    station_row,
)
from tallyroom.service.errors import Conflict, Forbidden, NotFound
from tallyroom.store.schema import (
    AccessTokenRow,
    PollBookDeviceRow,
    PollingStationRow,
    StationEnrolmentRow,
)

#: desks a station may have (a station has a few; a hundred is a mistake or an attack):
#: working desks and codes still waiting for theirs count alike
MAXIMUM_DEVICES = 20
CODE_ISSUED = "pollbook.code_issued"
ENROLLED = "pollbook.device_enrolled"
REVOKED = "pollbook.device_revoked"


@dataclass(frozen=True, slots=True)
class PollBookCode:
    """A desk's one-time code as the commission hands it over (shown once)."""

    station: str
    code: str
    expires_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "code": self.code,
            "expires_at": self.expires_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class PollBookEnrolment:
    """What an enrolled desk receives: its name, its poll-book token, its key's fingerprint."""

    station: str
    #: the desk's name in the audit log and on its check-ins: station-<code>/pollbook-<n>
    device: str
    token: str
    fingerprint: str
    enrolled_at: datetime
    expires_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "device": self.device,
            "token": self.token,
            "fingerprint": self.fingerprint,
            "enrolled_at": self.enrolled_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }


def device_label(station_code: str, number: int) -> str:
    return f"station-{station_code}/pollbook-{number}"


def _commission_station(session: Session, principal: Principal, code: str) -> PollingStationRow:
    if principal.role not in (Role.COMMISSION, Role.CONSTITUENCY_COMMISSION):
        raise Forbidden("commission_only", "only a commission enrols poll-book desks")
    station = station_row(session, principal.election_id, code)
    if not principal.may_act_for_station(station):
        raise Forbidden("other_constituency", f"station {station.code} is not in your constituency")
    return station


def issue_poll_book_code(
    session: Session,
    *,
    principal: Principal,
    station_code: str,
    valid_for: timedelta = DEFAULT_VALIDITY,
    now: datetime | None = None,
) -> PollBookCode:
    """A one-time code for one more desk at the station, in the caller's transaction. The
    station's signing key, its token and its other desks are untouched."""
    station = _commission_station(session, principal, station_code)
    moment = now or datetime.now(UTC)
    waiting = session.scalar(
        select(func.count()).where(
            StationEnrolmentRow.station_id == station.id,
            StationEnrolmentRow.purpose == EnrolmentPurpose.POLL_BOOK.value,
            StationEnrolmentRow.used_at.is_(None),
            StationEnrolmentRow.expires_at > moment,
        )
    )
    working = session.scalar(
        select(func.count()).where(
            PollBookDeviceRow.station_id == station.id, PollBookDeviceRow.revoked_at.is_(None)
        )
    )
    # a revoked desk frees its place: a lost tablet is replaced
    taken = (waiting or 0) + (working or 0)
    if taken >= MAXIMUM_DEVICES:
        raise Conflict(
            "too_many_devices", f"station {station.code} has {MAXIMUM_DEVICES} poll-book desks"
        )
    code = new_enrolment_code()
    row = StationEnrolmentRow(
        station_id=station.id,
        code_hash=enrolment_code_hash(code),
        issued_at=moment,
        expires_at=moment + valid_for,
        purpose=EnrolmentPurpose.POLL_BOOK.value,
    )
    session.add(row)
    session.flush()
    audit_log.record(
        session,
        actor=principal.actor,
        action=CODE_ISSUED,
        payload={"station": station.code, "expires_at": (moment + valid_for).isoformat()},
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="station_enrolment", keys=[[row.id]]
    )
    return PollBookCode(station.code, code, moment + valid_for)


def enrol_poll_book_device(
    session: Session,
    *,
    station_code: Any,
    code: Any,
    public_key: Any,
    election_id: int,
    now: datetime | None = None,
) -> PollBookEnrolment:
    """Bind a desk's public key to its station with a poll-book code: the code is spent, the
    desk gets the next number and a poll-book token lasting as long as the code was valid."""
    moment = now or datetime.now(UTC)
    station_code, code_hash, key = checked_request(station_code, code, public_key)
    station = station_row(session, election_id, station_code)
    enrolment = enrolment_of_station(
        station,
        session.scalars(
            select(StationEnrolmentRow)
            .where(StationEnrolmentRow.code_hash == code_hash)
            .with_for_update()
        ).first(),
    )
    check_usable(enrolment, EnrolmentPurpose.POLL_BOOK, moment)
    refuse_known_keys(session, [key])
    spend_codes(session, [enrolment.id], moment)
    number = (
        session.scalar(
            select(func.max(PollBookDeviceRow.number)).where(
                PollBookDeviceRow.station_id == station.id
            )
        )
        or 0
    ) + 1
    label = device_label(station.code, number)
    expires = moment + (aware(enrolment.expires_at) - aware(enrolment.issued_at))
    token = new_poll_book_token()
    token_row = AccessTokenRow(
        election_id=election_id,
        token_hash=token_hash(token),
        role=Role.POLL_BOOK.value,
        constituency_id=station.constituency_id,
        station_id=station.id,
        label=label,
        issued_at=moment,
        expires_at=expires,
    )
    session.add(token_row)
    session.flush()
    device = PollBookDeviceRow(
        station_id=station.id,
        number=number,
        public_key=key,
        enrolment_id=enrolment.id,
        access_token_id=token_row.id,
        enrolled_at=moment,
    )
    session.add(device)
    session.flush()
    actor = f"{Role.POLL_BOOK.value}:{label}"
    audit_log.record(
        session,
        actor=actor,
        action=ENROLLED,
        payload={
            "station": station.code,
            "device": label,
            "public_key": key,
            "fingerprint": key_fingerprint(key),
            "made": DEVICE,
        },
    )
    session.expire_all()
    row_ledger.record_rows(session, actor=actor, table="station_enrolment", keys=[[enrolment.id]])
    row_ledger.record_rows(session, actor=actor, table="access_token", keys=[[token_row.id]])
    row_ledger.record_rows(session, actor=actor, table="poll_book_device", keys=[[device.id]])
    return PollBookEnrolment(station.code, label, token, key_fingerprint(key), moment, expires)


def revoke_poll_book_device(
    session: Session,
    *,
    principal: Principal,
    station_code: str,
    number: int,
    reason: str,
    now: datetime | None = None,
) -> PublishedKey:
    """A lost or replaced desk: its key and token stop from now, alone; audited with the
    reason. What it checked in before stays."""
    station = _commission_station(session, principal, station_code)
    moment = now or datetime.now(UTC)
    device = session.scalars(
        select(PollBookDeviceRow).where(
            PollBookDeviceRow.station_id == station.id, PollBookDeviceRow.number == number
        )
    ).first()
    label = device_label(station.code, number)
    if device is None:
        raise NotFound("unknown_device", f"station {station.code} has no desk {label}")
    if device.revoked_at is not None:
        raise Conflict("device_revoked", f"{label} was revoked already")
    device.revoked_at = moment
    session.execute(
        update(AccessTokenRow)
        .where(AccessTokenRow.id == device.access_token_id, AccessTokenRow.revoked_at.is_(None))
        .values(revoked_at=moment)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    audit_log.record(
        session,
        actor=principal.actor,
        action=REVOKED,
        payload={
            "station": station.code,
            "device": label,
            "fingerprint": key_fingerprint(device.public_key),
            "reason": reason,
        },
    )
    session.expire_all()
    row_ledger.record_rows(
        session, actor=principal.actor, table="poll_book_device", keys=[[device.id]]
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="access_token", keys=[[device.access_token_id]]
    )
    return _published(station.code, device)


def _published(station_code: str, row: PollBookDeviceRow) -> PublishedKey:
    return PublishedKey(
        row.public_key,
        key_fingerprint(row.public_key),
        DEVICE,
        aware(row.enrolled_at),
        None if row.revoked_at is None else aware(row.revoked_at),
        purpose=EnrolmentPurpose.POLL_BOOK.value,
        device=device_label(station_code, row.number),
    )


def poll_book_keys(session: Session, station_id: int) -> list[PublishedKey]:
    """The station's desks' keys, in the order they enrolled (station page)."""
    code = session.scalar(select(PollingStationRow.code).where(PollingStationRow.id == station_id))
    return [
        _published(str(code), row)
        for row in session.scalars(
            select(PollBookDeviceRow)
            .where(PollBookDeviceRow.station_id == station_id)
            .order_by(PollBookDeviceRow.number)
        )
    ]


def published_desk_keys(session: Session, election_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every desk key of the election's stations, station code → keys as published
    (keys.json's `poll_book_desks`), in station and desk order."""
    desks: dict[str, list[dict[str, Any]]] = {}
    for code, row in session.execute(
        select(PollingStationRow.code, PollBookDeviceRow)
        .join(PollBookDeviceRow, PollBookDeviceRow.station_id == PollingStationRow.id)
        .where(PollingStationRow.election_id == election_id)
        .order_by(PollingStationRow.code, PollBookDeviceRow.number)
    ).tuples():
        desks.setdefault(code, []).append(_published(code, row).as_dict())
    return desks
