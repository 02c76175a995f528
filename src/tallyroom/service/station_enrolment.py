"""Enrolment of a station's device: the commission hands out one-time codes (only their
hashes stored); a device that presents its station's valid code binds the public key it made
itself and receives the station's token. A new code revokes the station's key from that
moment, so a lost phone signs nothing more that counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tallyroom.domain.enrolment_code import (
    MistypedCode,
    enrolment_code_hash,
    new_enrolment_code,
)
from tallyroom.domain.key_fingerprint import key_fingerprint
from tallyroom.domain.signature import PUBLIC_KEY_BYTES
from tallyroom.service import audit_log, row_ledger
from tallyroom.service.credentials import (
    DEVICE,
    Principal,
    Role,
    new_station_token,
    token_hash,
)
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound
from tallyroom.store.schema import (
    AccessTokenRow,
    PollingStationRow,
    StationEnrolmentRow,
    StationKeyRow,
)

#: an enrolment's token lasts as long as the code it was enrolled with was valid for
DEFAULT_VALIDITY = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What a device receives: its station token, the key's fingerprint to show."""

    station: str
    token: str
    fingerprint: str
    enrolled_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "token": self.token,
            "fingerprint": self.fingerprint,
            "enrolled_at": self.enrolled_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class PublishedKey:
    """A station key as the public sees it (station page, keys.json)."""

    public_key: str
    fingerprint: str
    made: str
    enrolled_at: datetime
    revoked_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
            "made": self.made,
            "enrolled_at": _aware(self.enrolled_at).isoformat(),
            "revoked_at": None if self.revoked_at is None else _aware(self.revoked_at).isoformat(),
        }


def replace_enrolment_codes(
    session: Session,
    station_ids: list[int],
    *,
    moment: datetime,
    expires: datetime,
) -> dict[int, str]:
    """A fresh code for each station (unused older codes are spent), station id → code. The
    caller revokes the keys and records the rows."""
    if not station_ids:
        return {}
    session.execute(
        update(StationEnrolmentRow)
        .where(
            StationEnrolmentRow.station_id.in_(station_ids),
            StationEnrolmentRow.used_at.is_(None),
        )
        .values(used_at=moment)
    )
    codes = {station_id: new_enrolment_code() for station_id in station_ids}
    rows = [
        {
            "station_id": station_id,
            "code_hash": enrolment_code_hash(code),
            "issued_at": moment,
            "expires_at": expires,
        }
        for station_id, code in codes.items()
    ]
    for start in range(0, len(rows), 10_000):
        session.execute(insert(StationEnrolmentRow), rows[start : start + 10_000])
    return codes


def issue_enrolment_code(
    session: Session,
    *,
    principal: Principal,
    station_code: str,
    valid_for: timedelta = DEFAULT_VALIDITY,
    now: datetime | None = None,
) -> str:
    """A new code for one station (its phone was lost or replaced): the commission or the
    station's constituency commission decides. The station's key and token stop from now."""
    moment = now or datetime.now(UTC)
    station = _station(session, principal.election_id, station_code)
    if principal.role not in (Role.COMMISSION, Role.CONSTITUENCY_COMMISSION) or (
        not principal.may_act_for_station(station)
    ):
        raise Forbidden(
            "out_of_scope", f"this token may not issue an enrolment code for {station.code}"
        )
    revoked_keys = _revoke_station(session, station.id, moment)
    codes = replace_enrolment_codes(
        session, [station.id], moment=moment, expires=moment + valid_for
    )
    audit_log.record(
        session,
        actor=principal.actor,
        action="station.enrolment_code_issued",
        payload={
            "station": station.code,
            "expires_at": (moment + valid_for).isoformat(),
            "revoked_keys": revoked_keys,
        },
    )
    _record_station_rows(session, principal.actor, station.id)
    return codes[station.id]


def enrol_station(
    session: Session,
    *,
    station_code: Any,
    code: Any,
    public_key: Any,
    election_id: int,
    now: datetime | None = None,
) -> Enrolment:
    """Bind a device's public key to its station with the station's one-time code."""
    moment = now or datetime.now(UTC)
    key = _public_key(public_key)
    if not isinstance(code, str):
        raise InvalidInput("enrolment_code_mistyped", "give the enrolment code as text")
    try:
        code_hash = enrolment_code_hash(code)
    except MistypedCode as error:
        raise InvalidInput("enrolment_code_mistyped", str(error)) from None
    if not isinstance(station_code, str):
        raise InvalidInput("invalid_request", "give the station code as text")
    station = _station(session, election_id, station_code)
    enrolment = session.scalars(
        select(StationEnrolmentRow)
        .where(StationEnrolmentRow.code_hash == code_hash)
        .with_for_update()
    ).first()
    if enrolment is None or enrolment.station_id != station.id:
        # The same answer for an unknown code and another station's: a code proves nothing
        # about any station but its own.
        raise Forbidden(
            "enrolment_code_wrong", f"this is not an enrolment code of station {station.code}"
        )
    if enrolment.used_at is not None:
        raise Conflict(
            "enrolment_code_used",
            "this enrolment code has been used already; ask the constituency commission for "
            "a new one",
        )
    if _aware(enrolment.expires_at) <= moment:
        raise Conflict(
            "enrolment_code_expired",
            f"this enrolment code expired at {_aware(enrolment.expires_at):%Y-%m-%d %H:%M} UTC",
        )
    if session.scalars(select(StationKeyRow.id).where(StationKeyRow.public_key == key)).first():
        raise Conflict("key_known", "this public key is enrolled already; make a new key pair")
    # Spent before anything else is written, guarded by used_at: of two devices racing with
    # one code, exactly one changes the row.
    spent = session.execute(
        update(StationEnrolmentRow)
        .where(StationEnrolmentRow.id == enrolment.id, StationEnrolmentRow.used_at.is_(None))
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 1) != 1:
        raise Conflict("enrolment_code_used", "this enrolment code has been used already")
    revoked_keys = _revoke_station(session, station.id, moment)
    key_row = StationKeyRow(station_id=station.id, public_key=key, issued_at=moment, made=DEVICE)
    session.add(key_row)
    session.flush()
    session.execute(
        update(StationEnrolmentRow)
        .where(StationEnrolmentRow.id == enrolment.id)
        .values(station_key_id=key_row.id)
        .execution_options(synchronize_session=False)
    )
    token = new_station_token()
    validity = _aware(enrolment.expires_at) - _aware(enrolment.issued_at)
    session.add(
        AccessTokenRow(
            election_id=election_id,
            token_hash=token_hash(token),
            role=Role.STATION.value,
            constituency_id=station.constituency_id,
            station_id=station.id,
            label=f"station-{station.code}",
            issued_at=moment,
            expires_at=moment + validity,
        )
    )
    fingerprint = key_fingerprint(key)
    actor = f"station:station-{station.code}"
    audit_log.record(
        session,
        actor=actor,
        action="station.enrolled",
        payload={
            "station": station.code,
            "public_key": key,
            "fingerprint": fingerprint,
            "made": DEVICE,
            "revoked_keys": revoked_keys,
        },
    )
    session.expire_all()
    _record_station_rows(session, actor, station.id)
    return Enrolment(station.code, token, fingerprint, moment)


def station_keys(session: Session, station_id: int) -> list[PublishedKey]:
    """Every key the station has had, oldest first."""
    return [
        PublishedKey(
            row.public_key,
            key_fingerprint(row.public_key),
            row.made,
            _aware(row.issued_at),
            None if row.revoked_at is None else _aware(row.revoked_at),
        )
        for row in session.scalars(
            select(StationKeyRow)
            .where(StationKeyRow.station_id == station_id)
            .order_by(StationKeyRow.id)
        )
    ]


def _public_key(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 2 * PUBLIC_KEY_BYTES:
        raise InvalidInput(
            "public_key_invalid", "the public key is 64 hex digits (a raw Ed25519 key)"
        )
    try:
        raw = bytes.fromhex(value)
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise InvalidInput("public_key_invalid", "not an Ed25519 public key") from None
    if raw == bytes(PUBLIC_KEY_BYTES):
        raise InvalidInput("public_key_invalid", "not an Ed25519 public key")
    return raw.hex()


def _station(session: Session, election_id: int, code: str) -> PollingStationRow:
    station = session.scalars(
        select(PollingStationRow).where(
            PollingStationRow.election_id == election_id, PollingStationRow.code == code
        )
    ).first()
    if station is None:
        raise NotFound("unknown_station", f"there is no polling station {code!r}")
    return station


def _revoke_station(session: Session, station_id: int, moment: datetime) -> list[str]:
    """Revokes the station's current keys and station tokens; the fingerprints revoked."""
    current = session.scalars(
        select(StationKeyRow.public_key).where(
            StationKeyRow.station_id == station_id, StationKeyRow.revoked_at.is_(None)
        )
    ).all()
    session.execute(
        update(StationKeyRow)
        .where(StationKeyRow.station_id == station_id, StationKeyRow.revoked_at.is_(None))
        .values(revoked_at=moment)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(AccessTokenRow)
        .where(
            AccessTokenRow.station_id == station_id,
            AccessTokenRow.role == Role.STATION.value,
            AccessTokenRow.revoked_at.is_(None),
        )
        .values(revoked_at=moment)
        .execution_options(synchronize_session=False)
    )
    return [key_fingerprint(key) for key in current]


def _record_station_rows(session: Session, actor: str, station_id: int) -> None:
    for table, row_class in (
        ("station_key", StationKeyRow),
        ("station_enrolment", StationEnrolmentRow),
        ("access_token", AccessTokenRow),
    ):
        ids = session.scalars(select(row_class.id).where(row_class.station_id == station_id))
        row_ledger.record_rows(session, actor=actor, table=table, keys=[[i] for i in ids])


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
