"""Enrolment of a station's device: the commission hands out one-time codes (only their
hashes stored); a device that presents its station's valid code binds the public key it made
itself and receives the station's token. A new code revokes the station's key from that
moment, so a lost phone signs nothing more that counts. A code has a purpose: a signing
device's code never enrols a poll-book desk (service/register/poll_book_devices.py), nor the
reverse."""

from __future__ import annotations

import enum
from collections.abc import Sequence
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
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import (
    DEVICE,
    Principal,
    Role,
    new_station_token,
    token_hash,
)
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound
from tallyroom.store.schema import (
    AccessTokenRow,
    PollBookDeviceRow,
    PollingStationRow,
    StationEnrolmentRow,
    StationKeyRow,
)

#: an enrolment's token lasts as long as the code it was enrolled with was valid for
DEFAULT_VALIDITY = timedelta(days=7)


class EnrolmentPurpose(enum.StrEnum):
    """What an enrolment code enrols (station_enrolment.purpose)."""

    #: the station's protocol-signing device (one a station; a new code revokes the old key)
    SIGNING_DEVICE = "signing_device"
    #: one more check-in desk (several a station; its key signs no protocol)
    POLL_BOOK = "poll_book"


def wrong_purpose(purpose: str) -> Forbidden:
    """The refusal of a code presented for the other kind of device (the code is not spent)."""
    if purpose == EnrolmentPurpose.POLL_BOOK:
        return Forbidden(
            "enrolment_code_wrong_purpose",
            "this is a poll-book desk's code: enrol it on the poll-book screen; it cannot "
            "enrol a device that signs protocols",
        )
    return Forbidden(
        "enrolment_code_wrong_purpose",
        "this is the signing device's code: it cannot enrol a poll-book desk",
    )


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
    #: what the key's device does: signs the station's protocols, or checks voters in
    purpose: str = EnrolmentPurpose.SIGNING_DEVICE.value
    #: a poll-book desk's name (station-<code>/pollbook-<n>); None for the signing device
    device: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
            "made": self.made,
            "purpose": self.purpose,
            **({} if self.device is None else {"device": self.device}),
            "enrolled_at": aware(self.enrolled_at).isoformat(),
            "revoked_at": None if self.revoked_at is None else aware(self.revoked_at).isoformat(),
        }


def replace_enrolment_codes(
    session: Session,
    station_ids: list[int],
    *,
    moment: datetime,
    expires: datetime,
) -> dict[int, str]:
    """A fresh signing-device code for each station (unused older ones are spent; poll-book
    desks' codes are left alone), station id → code. The caller revokes the keys and records
    the rows."""
    if not station_ids:
        return {}
    session.execute(
        update(StationEnrolmentRow)
        .where(
            StationEnrolmentRow.station_id.in_(station_ids),
            StationEnrolmentRow.used_at.is_(None),
            StationEnrolmentRow.purpose == EnrolmentPurpose.SIGNING_DEVICE.value,
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
            "purpose": EnrolmentPurpose.SIGNING_DEVICE.value,
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
    station = station_row(session, principal.election_id, station_code)
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
    return enrol_stations(
        session, requests=[(station_code, code, public_key)], election_id=election_id, now=now
    )[0]


def enrol_stations(
    session: Session,
    *,
    requests: Sequence[tuple[Any, Any, Any]],
    election_id: int,
    now: datetime | None = None,
) -> list[Enrolment]:
    """Enrol devices, each (station code, enrolment code, public key), all or none: the one
    rule for a phone at `/station` and for the simulator's thousands of devices at once."""
    moment = now or datetime.now(UTC)
    checked = [checked_request(station, code, key) for station, code, key in requests]
    codes = sorted({station for station, _, _ in checked})
    stations = {
        row.code: row
        for row in session.scalars(
            select(PollingStationRow).where(
                PollingStationRow.election_id == election_id, PollingStationRow.code.in_(codes)
            )
        )
    }
    enrolments = {
        row.code_hash: row
        for row in session.scalars(
            select(StationEnrolmentRow)
            .where(StationEnrolmentRow.code_hash.in_(sorted({h for _, h, _ in checked})))
            .with_for_update()
        )
    }
    refuse_known_keys(session, [key for _, _, key in checked])
    pairs: list[tuple[PollingStationRow, StationEnrolmentRow, str]] = []
    for station_code, code_hash, key in checked:
        station = stations.get(station_code)
        if station is None:
            raise NotFound("unknown_station", f"there is no polling station {station_code!r}")
        enrolment = enrolment_of_station(station, enrolments.get(code_hash))
        check_usable(enrolment, EnrolmentPurpose.SIGNING_DEVICE, moment)
        pairs.append((station, enrolment, key))
    if len({station.id for station, _, _ in pairs}) != len(pairs):
        raise Conflict("enrolment_code_used", "one station, one device per enrolment")
    spend_codes(session, [enrolment.id for _, enrolment, _ in pairs], moment)
    station_ids = [station.id for station, _, _ in pairs]
    revoked = _revoke_stations(session, station_ids, moment)
    key_rows = [
        StationKeyRow(station_id=station.id, public_key=key, issued_at=moment, made=DEVICE)
        for station, _, key in pairs
    ]
    session.add_all(key_rows)
    session.flush()
    tokens: list[str] = []
    commands: list[tuple[str, str, dict[str, Any]]] = []
    for (station, enrolment, key), key_row in zip(pairs, key_rows, strict=True):
        enrolment.used_at = moment
        enrolment.station_key_id = key_row.id
        token = new_station_token()
        tokens.append(token)
        validity = aware(enrolment.expires_at) - aware(enrolment.issued_at)
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
        commands.append(
            (
                f"station:station-{station.code}",
                "station.enrolled",
                {
                    "station": station.code,
                    "public_key": key,
                    "fingerprint": key_fingerprint(key),
                    "made": DEVICE,
                    "revoked_keys": revoked.get(station.id, []),
                },
            )
        )
    session.flush()
    audit_log.record_many(session, commands, returning=False)
    actor = commands[0][0] if len(commands) == 1 else "stations:enrolment"
    _record_stations_rows(session, actor, station_ids)
    return [
        Enrolment(station.code, token, key_fingerprint(key), moment)
        for (station, _, key), token in zip(pairs, tokens, strict=True)
    ]


def enrolment_of_station(
    station: PollingStationRow, enrolment: StationEnrolmentRow | None
) -> StationEnrolmentRow:
    """The enrolment code found, if it is `station`'s. The same answer for an unknown code
    and another station's: a code proves nothing about any station but its own."""
    if enrolment is None or enrolment.station_id != station.id:
        raise Forbidden(
            "enrolment_code_wrong", f"this is not an enrolment code of station {station.code}"
        )
    return enrolment


def spend_codes(session: Session, enrolment_ids: list[int], moment: datetime) -> None:
    """Spends the codes before anything else is written, guarded by used_at: of two devices
    racing with one code, exactly one changes the row."""
    spent = session.execute(
        update(StationEnrolmentRow)
        .where(StationEnrolmentRow.id.in_(enrolment_ids), StationEnrolmentRow.used_at.is_(None))
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", len(enrolment_ids)) != len(enrolment_ids):
        raise Conflict("enrolment_code_used", "this enrolment code has been used already")


def check_usable(
    enrolment: StationEnrolmentRow, purpose: EnrolmentPurpose, moment: datetime
) -> None:
    """Refuses a code of the other purpose, a spent code and an expired one (in that order:
    a wrong-purpose code says so whatever its state, and is not spent by the attempt)."""
    if enrolment.purpose != purpose.value:
        raise wrong_purpose(enrolment.purpose)
    if enrolment.used_at is not None:
        raise Conflict(
            "enrolment_code_used",
            "this enrolment code has been used already; ask the constituency commission "
            "for a new one",
        )
    if aware(enrolment.expires_at) <= moment:
        raise Conflict(
            "enrolment_code_expired",
            f"this enrolment code expired at {aware(enrolment.expires_at):%Y-%m-%d %H:%M} UTC",
        )


def refuse_known_keys(session: Session, keys: list[str]) -> None:
    """One key, one device: a key enrolled already (as a station's or a desk's) is refused."""
    known = (
        session.scalars(
            select(StationKeyRow.id).where(StationKeyRow.public_key.in_(keys)).limit(1)
        ).first()
        or session.scalars(
            select(PollBookDeviceRow.id).where(PollBookDeviceRow.public_key.in_(keys)).limit(1)
        ).first()
    )
    if len(set(keys)) != len(keys) or known:
        raise Conflict("key_known", "this public key is enrolled already; make a new key pair")


def checked_request(station_code: Any, code: Any, public_key: Any) -> tuple[str, str, str]:
    key = public_key_of(public_key)
    if not isinstance(code, str):
        raise InvalidInput("enrolment_code_mistyped", "give the enrolment code as text")
    try:
        code_hash = enrolment_code_hash(code)
    except MistypedCode as error:
        raise InvalidInput("enrolment_code_mistyped", str(error)) from None
    if not isinstance(station_code, str):
        raise InvalidInput("invalid_request", "give the station code as text")
    return station_code, code_hash, key


def station_keys(session: Session, station_id: int) -> list[PublishedKey]:
    """Every key the station has had, oldest first."""
    return [
        PublishedKey(
            row.public_key,
            key_fingerprint(row.public_key),
            row.made,
            aware(row.issued_at),
            None if row.revoked_at is None else aware(row.revoked_at),
        )
        for row in session.scalars(
            select(StationKeyRow)
            .where(StationKeyRow.station_id == station_id)
            .order_by(StationKeyRow.id)
        )
    ]


def public_key_of(value: Any) -> str:
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


def station_row(session: Session, election_id: int, code: str) -> PollingStationRow:
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
    return _revoke_stations(session, [station_id], moment).get(station_id, [])


def _revoke_stations(
    session: Session, station_ids: list[int], moment: datetime
) -> dict[int, list[str]]:
    """Revokes the stations' current keys and station tokens; station → fingerprints."""
    revoked: dict[int, list[str]] = {}
    for station_id, key in session.execute(
        select(StationKeyRow.station_id, StationKeyRow.public_key).where(
            StationKeyRow.station_id.in_(station_ids), StationKeyRow.revoked_at.is_(None)
        )
    ).tuples():
        revoked.setdefault(station_id, []).append(key_fingerprint(key))
    session.execute(
        update(StationKeyRow)
        .where(StationKeyRow.station_id.in_(station_ids), StationKeyRow.revoked_at.is_(None))
        .values(revoked_at=moment)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(AccessTokenRow)
        .where(
            AccessTokenRow.station_id.in_(station_ids),
            AccessTokenRow.role == Role.STATION.value,
            AccessTokenRow.revoked_at.is_(None),
        )
        .values(revoked_at=moment)
        .execution_options(synchronize_session=False)
    )
    return revoked


def _record_station_rows(session: Session, actor: str, station_id: int) -> None:
    _record_stations_rows(session, actor, [station_id])


def _record_stations_rows(session: Session, actor: str, station_ids: list[int]) -> None:
    session.expire_all()
    for table, row_class in (
        ("station_key", StationKeyRow),
        ("station_enrolment", StationEnrolmentRow),
        ("access_token", AccessTokenRow),
    ):
        ids = session.scalars(select(row_class.id).where(row_class.station_id.in_(station_ids)))
        row_ledger.record_rows(session, actor=actor, table=table, keys=[[i] for i in ids])


def aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
