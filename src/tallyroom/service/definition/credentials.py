"""Station signing keys and role tokens: issued, authenticated, revoked. Tokens are random
and stored only as SHA-256 hashes; a re-issued station key revokes the previous one."""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from tallyroom.domain.signature import new_private_key, private_key_pem, public_key_hex
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import Conflict, Forbidden, NotFound, Unauthorised
from tallyroom.store.schema import (
    AccessTokenRow,
    ConstituencyRow,
    PollBookDeviceRow,
    PollingStationRow,
    StationKeyRow,
)


class Role(enum.StrEnum):
    COMMISSION = "commission"
    #: the commission's staff (a person's role, never a token's): works the queues of every
    #: constituency, takes none of the commission's own decisions
    COMMISSION_STAFF = "commission_staff"
    CONSTITUENCY_COMMISSION = "constituency_commission"
    STATION = "station"
    #: a poll-book device of one station (several a station): poll-book calls only
    POLL_BOOK = "poll_book"
    OBSERVER = "observer"


class KeyMaking(enum.StrEnum):
    """Where station key pairs are made (station_key.made)."""

    #: on each station's device, after enrolment with a one-time code (the default)
    DEVICE = "device"
    #: by the commission, every private key in its hands: drills and benchmarks only
    CENTRAL = "central"


DEVICE = KeyMaking.DEVICE.value
CENTRAL = KeyMaking.CENTRAL.value


class StationScope(Protocol):
    """What the scope rule reads of a station: a stored row or a lighter record."""

    @property
    def id(self) -> int: ...

    @property
    def election_id(self) -> int: ...

    @property
    def constituency_id(self) -> int: ...

    @property
    def code(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a machine token (a station, an integration) or a person signed in to
    the console (service/people/console_sessions.py), then `person_id` names her and `token_id` is
    None."""

    token_id: int | None
    role: Role
    election_id: int
    constituency_id: int | None
    station_id: int | None
    label: str
    person_id: int | None = None

    @property
    def actor(self) -> str:
        """As the audit log names the caller: a person by her id (never her name, which is
        personal data), a token by its label."""
        if self.person_id is not None:
            return person_actor(self.role, self.person_id)
        return f"{self.role.value}:{self.label}"

    def may_act_for_station(self, station: StationScope) -> bool:
        if station.election_id != self.election_id:
            return False
        if self.role in (Role.COMMISSION, Role.COMMISSION_STAFF):
            return True
        if self.role is Role.CONSTITUENCY_COMMISSION:
            return station.constituency_id == self.constituency_id
        if self.role is Role.STATION:
            return station.id == self.station_id
        return False

    def require_commission(self) -> None:
        if self.role is not Role.COMMISSION:
            raise Forbidden("commission_only", "only the commission may take this decision")


#: how an audit entry's actor names a person: "<role>:person-<id>"
PERSON_ACTOR_MARK = ":person-"


def person_actor(role: Role, person_id: int) -> str:
    return f"{role.value}{PERSON_ACTOR_MARK}{person_id}"


@dataclass(slots=True)
class IssuedCredentials:
    """Secrets handed out once; only hashes and public keys stay in the database."""

    commission_token: str = ""
    observer_token: str = ""
    #: constituency number → token
    constituency_tokens: dict[int, str] = field(default_factory=dict)
    #: station code → (constituency number, token, private key PEM): central keys only
    stations: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    #: station code → (constituency number, one-time enrolment code): keys made on devices
    enrolment_codes: dict[str, tuple[int, str]] = field(default_factory=dict)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def new_station_token() -> str:
    return _new_token(Role.STATION.value[:4])


def new_poll_book_token() -> str:
    return _new_token("pbk")


def issue_credentials(
    session: Session,
    *,
    actor: str,
    valid_for: timedelta = timedelta(days=7),
    now: datetime | None = None,
    election: str | None = None,
    key_making: KeyMaking = KeyMaking.CENTRAL,
) -> IssuedCredentials:
    """A token per constituency commission, one for the commission and one for observers,
    and for every station either a one-time enrolment code (`KeyMaking.DEVICE`: the device
    makes its key and receives its token when it enrols) or a key pair and token made here
    (`KeyMaking.CENTRAL`, drills). Earlier station keys and station tokens are revoked."""
    moment = now or datetime.now(UTC)
    expires = moment + valid_for
    election_record = election_row(session, election)
    eid = election_record.id
    issued = IssuedCredentials()
    session.execute(
        update(StationKeyRow)
        .where(
            StationKeyRow.revoked_at.is_(None),
            StationKeyRow.station_id.in_(
                select(PollingStationRow.id).where(PollingStationRow.election_id == eid)
            ),
        )
        .values(revoked_at=moment)
    )
    # A station token of an earlier issue belongs to a device whose key was just revoked.
    session.execute(
        update(AccessTokenRow)
        .where(
            AccessTokenRow.election_id == eid,
            AccessTokenRow.role == Role.STATION.value,
            AccessTokenRow.revoked_at.is_(None),
        )
        .values(revoked_at=moment)
    )
    token_rows: list[dict[str, object]] = []

    def add_token(
        role: Role, label: str, constituency_id: int | None = None, station_id: int | None = None
    ) -> str:
        token = _new_token(role.value[:4])
        token_rows.append(
            {
                "election_id": eid,
                "token_hash": token_hash(token),
                "role": role.value,
                "constituency_id": constituency_id,
                "station_id": station_id,
                "label": label,
                "issued_at": moment,
                "expires_at": expires,
            }
        )
        return token

    issued.commission_token = add_token(Role.COMMISSION, "commission")
    issued.observer_token = add_token(Role.OBSERVER, "observers")
    numbers: dict[int, int] = {}
    for constituency in session.scalars(
        select(ConstituencyRow)
        .where(ConstituencyRow.election_id == eid)
        .order_by(ConstituencyRow.number)
    ):
        numbers[constituency.id] = constituency.number
        issued.constituency_tokens[constituency.number] = add_token(
            Role.CONSTITUENCY_COMMISSION, f"constituency-{constituency.number}", constituency.id
        )
    key_rows: list[dict[str, object]] = []
    stations = (
        session.execute(
            select(PollingStationRow.id, PollingStationRow.code, PollingStationRow.constituency_id)
            .where(PollingStationRow.election_id == eid)
            .order_by(PollingStationRow.id)
        )
        .tuples()
        .all()
    )
    if key_making is KeyMaking.DEVICE:
        from tallyroom.service.definition.station_enrolment import replace_enrolment_codes

        codes = replace_enrolment_codes(
            session, [station_id for station_id, _, _ in stations], moment=moment, expires=expires
        )
        for station_id, code, constituency_id in stations:
            issued.enrolment_codes[code] = (numbers[constituency_id], codes[station_id])
    for station_id, code, constituency_id in stations if key_making is KeyMaking.CENTRAL else ():
        private_key = new_private_key()
        key_rows.append(
            {
                "station_id": station_id,
                "public_key": public_key_hex(private_key),
                "issued_at": moment,
                "made": CENTRAL,
            }
        )
        token = add_token(Role.STATION, f"station-{code}", constituency_id, station_id)
        issued.stations[code] = (numbers[constituency_id], token, private_key_pem(private_key))

    for start in range(0, len(key_rows), 10_000):
        session.execute(insert(StationKeyRow), key_rows[start : start + 10_000])
    for start in range(0, len(token_rows), 10_000):
        session.execute(insert(AccessTokenRow), token_rows[start : start + 10_000])
    audit_log.record(
        session,
        actor=actor,
        action="credentials.issued",
        payload={
            "election": election_record.code,
            "station_keys": len(key_rows),
            "enrolment_codes": len(issued.enrolment_codes),
            "key_making": key_making.value,
            "tokens": len(token_rows),
            "expires_at": expires.isoformat(),
        },
    )
    # Every key and token as stored (the revoked keys too), so verify can tell a swapped
    # key, a promoted role or an un-revoked token.
    row_ledger.record_rows(session, actor=actor, table="station_key")
    row_ledger.record_rows(session, actor=actor, table="access_token")
    row_ledger.record_rows(session, actor=actor, table="station_enrolment")
    return issued


def issue_commission_token(
    session: Session,
    *,
    actor: str,
    label: str,
    valid_for: timedelta = timedelta(days=7),
    now: datetime | None = None,
    election: str | None = None,
) -> str:
    """One more commission token under its own label: a second person, so that a decision
    under four-eyes can be confirmed until staff accounts name people."""
    moment = now or datetime.now(UTC)
    election_record = election_row(session, election)
    if not label.strip() or len(label) > 200:
        raise Conflict("invalid_label", "a token's label is 1 to 200 characters")
    token = _new_token(Role.COMMISSION.value[:4])
    row = AccessTokenRow(
        election_id=election_record.id,
        token_hash=token_hash(token),
        role=Role.COMMISSION.value,
        label=label.strip(),
        issued_at=moment,
        expires_at=moment + valid_for,
    )
    session.add(row)
    session.flush()
    audit_log.record(
        session,
        actor=actor,
        action="token.issued",
        payload={"token_sha256": row.token_hash, "role": row.role, "label": row.label},
    )
    row_ledger.record_rows(session, actor=actor, table="access_token", keys=[[row.id]])
    return token


def authenticate(session: Session, token: str | None, *, now: datetime | None = None) -> Principal:
    found = authenticate_many(session, [token], now=now)[0]
    if isinstance(found, Unauthorised):
        raise found
    return found


#: Built once: every protocol group the server commits authenticates its callers.
_TOKENS_BY_HASH = select(
    AccessTokenRow.id,
    AccessTokenRow.token_hash,
    AccessTokenRow.role,
    AccessTokenRow.election_id,
    AccessTokenRow.constituency_id,
    AccessTokenRow.station_id,
    AccessTokenRow.label,
    AccessTokenRow.revoked_at,
    AccessTokenRow.expires_at,
).where(AccessTokenRow.token_hash.in_(bindparam("hashes", expanding=True)))


def authenticate_many(
    session: Session, tokens: Sequence[str | None], *, now: datetime | None = None
) -> list[Principal | Unauthorised]:
    """Each token's principal, or why it is refused, with one query for all of them."""
    hashes = {token_hash(token) for token in tokens if token}
    rows = (
        {
            row.token_hash: row
            # Columns, not ORM objects: a group of callers is authenticated per commit.
            for row in session.connection().execute(_TOKENS_BY_HASH, {"hashes": sorted(hashes)})
        }
        if hashes
        else {}
    )
    moment = now or datetime.now(UTC)
    return [
        _principal_of(rows.get(token_hash(token)) if token else None, token, moment)
        for token in tokens
    ]


def _principal_of(
    row: Row[Any] | None, token: str | None, moment: datetime
) -> Principal | Unauthorised:
    if not token:
        return Unauthorised("token_missing", "send a token: Authorization: Bearer <token>")
    if row is None:
        return Unauthorised("token_unknown", "this token is not known")
    if row.revoked_at is not None:
        return Unauthorised("token_revoked", "this token has been revoked")
    if _aware(row.expires_at) <= moment:
        return Unauthorised(
            "token_expired", f"this token expired at {_aware(row.expires_at):%Y-%m-%d %H:%M} UTC"
        )
    return Principal(
        token_id=row.id,
        role=Role(row.role),
        election_id=row.election_id,
        constituency_id=row.constituency_id,
        station_id=row.station_id,
        label=row.label,
    )


def revoke_token(session: Session, *, principal: Principal, token: str) -> None:
    principal.require_commission()
    row = session.scalars(
        select(AccessTokenRow).where(AccessTokenRow.token_hash == token_hash(token))
    ).first()
    if row is None:
        raise NotFound("token_unknown", "this token is not known")
    now = datetime.now(UTC)
    if row.role == Role.COMMISSION.value and row.revoked_at is None:
        _keep_a_commission_token(session, row, now)
    row.revoked_at = now
    audit_log.record(
        session,
        actor=principal.actor,
        action="token.revoked",
        payload={"token_sha256": row.token_hash, "label": row.label},
    )
    row_ledger.record_rows(session, actor=principal.actor, table="access_token", keys=[[row.id]])
    if row.role == Role.POLL_BOOK.value:
        # a desk's token revoked this way revokes its desk too: keys.json and the station
        # page must not show a working desk that can no longer check anyone in
        desks = session.scalars(
            select(PollBookDeviceRow.id).where(
                PollBookDeviceRow.access_token_id == row.id, PollBookDeviceRow.revoked_at.is_(None)
            )
        ).all()
        if desks:
            session.execute(
                update(PollBookDeviceRow)
                .where(PollBookDeviceRow.id.in_(desks))
                .values(revoked_at=now)
                .execution_options(synchronize_session=False)
            )
            row_ledger.record_rows(
                session,
                actor=principal.actor,
                table="poll_book_device",
                keys=[[desk] for desk in desks],
            )


def _keep_a_commission_token(session: Session, revoked: AccessTokenRow, now: datetime) -> None:
    """Refuses to revoke the last valid commission token: nobody could then revoke, annul,
    recount or certify again. The rows are locked so two revocations cannot each leave the
    other's token as the last."""
    others = session.scalars(
        select(AccessTokenRow)
        .where(
            AccessTokenRow.election_id == revoked.election_id,
            AccessTokenRow.role == Role.COMMISSION.value,
            AccessTokenRow.revoked_at.is_(None),
        )
        .order_by(AccessTokenRow.id)
        .with_for_update()
    ).all()
    if not any(other.id != revoked.id and _aware(other.expires_at) > now for other in others):
        raise Conflict(
            "last_commission_token",
            "this is the last valid commission token; issue credentials again before revoking it",
        )


def current_station_key(session: Session, station_id: int) -> StationKeyRow | None:
    return session.scalars(
        select(StationKeyRow).where(
            StationKeyRow.station_id == station_id, StationKeyRow.revoked_at.is_(None)
        )
    ).first()


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
