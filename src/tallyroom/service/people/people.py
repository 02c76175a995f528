"""People with console accounts: created, listed, deactivated (never deleted), their
passwords and second factors reset by another commission member, their sign-in delays
lifted. Every change is audited with the person's row (personal columns as salted hashes)."""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal, Role
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound
from tallyroom.service.people import login_throttle
from tallyroom.store.schema import ConsoleSessionRow, ConstituencyRow, ElectionRow, PersonRow

#: Argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile)
PASSWORD_HASHER = PasswordHasher()
#: a hash to verify against when the login is unknown, so both take the same time
_UNKNOWN_LOGIN_HASH = PASSWORD_HASHER.hash(secrets.token_hex(16))
SHORTEST_PASSWORD = 12
#: longer passwords only cost hashing time (a denial of service), never security
LONGEST_PASSWORD = 256
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,60}$")
TOTP_ISSUER = "tallyroom"


class PersonRole(enum.StrEnum):
    COMMISSION_MEMBER = "commission_member"
    COMMISSION_STAFF = "commission_staff"
    CONSTITUENCY_MEMBER = "constituency_member"

    @property
    def principal_role(self) -> Role:
        """What the person may do, in the terms the service commands check."""
        return {
            PersonRole.COMMISSION_MEMBER: Role.COMMISSION,
            PersonRole.COMMISSION_STAFF: Role.COMMISSION_STAFF,
            PersonRole.CONSTITUENCY_MEMBER: Role.CONSTITUENCY_COMMISSION,
        }[self]

    @property
    def needs_second_factor(self) -> bool:
        return self is PersonRole.COMMISSION_MEMBER


class SecondFactor(enum.StrEnum):
    TOTP = "totp"
    WEBAUTHN = "webauthn"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class PersonView:
    """A person as the console and `tallyroom users list` show her."""

    id: int
    login: str
    full_name: str
    email: str | None
    role: PersonRole
    constituency: int | None
    #: totp, webauthn, webauthn_pending (a key still to enrol) or none
    second_factor: str
    created_at: datetime
    deactivated_at: datetime | None
    delayed_until: datetime | None

    @property
    def active(self) -> bool:
        return self.deactivated_at is None


@dataclass(frozen=True, slots=True)
class IssuedSecret:
    """Handed out once, never stored in the clear: a temporary password, a TOTP secret (with
    its otpauth:// address for an authenticator app) or a code to enrol a security key."""

    password: str | None = None
    totp_secret: str | None = None
    totp_uri: str | None = None
    enrolment_code: str | None = None


def hash_password(password: str) -> str:
    return PASSWORD_HASHER.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether the password is the person's; with no hash (unknown login) the same work is
    done, so the answer's timing does not tell whether the login exists."""
    try:
        return PASSWORD_HASHER.verify(password_hash or _UNKNOWN_LOGIN_HASH, password) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def new_enrolment_code() -> str:
    """Twelve base32 letters in three groups: typed by a person from a sheet of paper."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
    letters = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(letters[start : start + 4] for start in range(0, 12, 4))


def new_password() -> str:
    return secrets.token_urlsafe(15)


def person_view(session: Session, row: PersonRow, now: datetime | None = None) -> PersonView:
    number = (
        session.scalar(
            select(ConstituencyRow.number).where(ConstituencyRow.id == row.constituency_id)
        )
        if row.constituency_id is not None
        else None
    )
    return PersonView(
        id=row.id,
        login=row.login,
        full_name=row.full_name,
        email=row.email,
        role=PersonRole(row.role),
        constituency=number,
        second_factor=second_factor_of(row),
        created_at=_aware(row.created_at),
        deactivated_at=_aware(row.deactivated_at) if row.deactivated_at else None,
        delayed_until=login_throttle.delayed_until(session, row.id, now or datetime.now(UTC)),
    )


def second_factor_of(row: PersonRow) -> str:
    if row.webauthn_credential_id:
        return SecondFactor.WEBAUTHN.value
    if row.enrolment_code_hash:
        return "webauthn_pending"
    if row.totp_secret:
        return SecondFactor.TOTP.value
    return SecondFactor.NONE.value


def principal_of_person(row: PersonRow) -> Principal:
    return Principal(
        token_id=None,
        role=PersonRole(row.role).principal_role,
        election_id=row.election_id,
        constituency_id=row.constituency_id,
        station_id=None,
        label=f"person-{row.id}",
        person_id=row.id,
    )


def _manager_actor(principal: Principal | None, database_holder: str) -> str:
    """Who changes an account: a commission member signed in, or (no principal) whoever
    holds the database, as `tallyroom users` does."""
    if principal is None:
        return database_holder
    if principal.person_id is None or principal.role is not Role.COMMISSION:
        raise Forbidden(
            "commission_member_only", "only a commission member, signed in, manages accounts"
        )
    return principal.actor


def create_person(
    session: Session,
    *,
    principal: Principal | None,
    login: str,
    full_name: str,
    email: str | None,
    role: PersonRole,
    constituency: int | None,
    password: str | None,
    second_factor: SecondFactor,
    election: str | None = None,
    database_holder: str = "cli:users",
    now: datetime | None = None,
) -> tuple[PersonView, IssuedSecret]:
    """A new account; a temporary password is made when none is given. A commission member
    needs a second factor: a TOTP secret, or a code to enrol a security key at first sign-in."""
    actor = _manager_actor(principal, database_holder)
    moment = now or datetime.now(UTC)
    # A member signed in creates accounts in her own election.
    election_record = (
        election_row(session, election)
        if principal is None
        else session.get_one(ElectionRow, principal.election_id)
    )
    problems = _account_problems(login, full_name, email, password)
    if role.needs_second_factor and second_factor is SecondFactor.NONE:
        problems.append(
            {"field": "second_factor", "message": "a commission member needs a second factor"}
        )
    constituency_id: int | None = None
    if role is PersonRole.CONSTITUENCY_MEMBER:
        if constituency is None:
            problems.append(
                {"field": "constituency", "message": "a constituency member needs a constituency"}
            )
        else:
            constituency_id = session.scalar(
                select(ConstituencyRow.id).where(
                    ConstituencyRow.election_id == election_record.id,
                    ConstituencyRow.number == constituency,
                )
            )
            if constituency_id is None:
                problems.append(
                    {"field": "constituency", "message": f"there is no constituency {constituency}"}
                )
    elif constituency is not None:
        problems.append(
            {"field": "constituency", "message": "only a constituency member has a constituency"}
        )
    if problems:
        raise InvalidInput("invalid_account", "the account is not valid", problems=problems)
    if session.scalar(select(PersonRow.id).where(PersonRow.login == login)) is not None:
        raise Conflict("login_taken", f"there is already an account {login!r}")
    issued_password = password or new_password()
    row = PersonRow(
        election_id=election_record.id,
        login=login,
        full_name=_clean(full_name),
        email=email or None,
        role=role.value,
        constituency_id=constituency_id,
        password_hash=hash_password(issued_password),
        webauthn_sign_count=0,
        created_at=moment,
    )
    secret = _issue_second_factor(row, second_factor)
    session.add(row)
    session.flush()
    audit_log.record(
        session,
        actor=actor,
        action="person.created",
        payload={
            "person": row.id,
            "role": role.value,
            "constituency": constituency,
            "second_factor": second_factor.value,
        },
    )
    row_ledger.record_rows(session, actor=actor, table="person", keys=[[row.id]])
    given = IssuedSecret(
        password=None if password else issued_password,
        totp_secret=secret.totp_secret,
        totp_uri=secret.totp_uri,
        enrolment_code=secret.enrolment_code,
    )
    return person_view(session, row, moment), given


def _issue_second_factor(row: PersonRow, kind: SecondFactor) -> IssuedSecret:
    row.totp_secret = None
    row.webauthn_credential_id = None
    row.webauthn_public_key = None
    row.webauthn_sign_count = 0
    row.enrolment_code_hash = None
    if kind is SecondFactor.TOTP:
        row.totp_secret = pyotp.random_base32()
        uri = pyotp.TOTP(row.totp_secret).provisioning_uri(name=row.login, issuer_name=TOTP_ISSUER)
        return IssuedSecret(totp_secret=row.totp_secret, totp_uri=uri)
    if kind is SecondFactor.WEBAUTHN:
        code = new_enrolment_code()
        row.enrolment_code_hash = code_hash(code)
        return IssuedSecret(enrolment_code=code)
    return IssuedSecret()


def _account_problems(
    login: str, full_name: str, email: str | None, password: str | None
) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    if not LOGIN_PATTERN.fullmatch(login):
        problems.append(
            {
                "field": "login",
                "message": "2 to 64 characters: lower-case letters, digits, '.', '_' or '-'",
            }
        )
    name = _clean(full_name)
    if not name or len(name) > 200 or any(unicodedata.category(c)[0] == "C" for c in name):
        problems.append(
            {"field": "full_name", "message": "a name of 1 to 200 printable characters"}
        )
    if email and (len(email) > 254 or not EMAIL_PATTERN.fullmatch(email)):
        problems.append({"field": "email", "message": "not an e-mail address"})
    if password is not None:
        problems.extend(password_problems(password))
    return problems


def password_problems(password: str) -> list[dict[str, str]]:
    if len(password) < SHORTEST_PASSWORD or len(password) > LONGEST_PASSWORD:
        return [
            {
                "field": "password",
                "message": f"{SHORTEST_PASSWORD} to {LONGEST_PASSWORD} characters",
            }
        ]
    return []


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def person_by_login(session: Session, login: str, *, for_update: bool = False) -> PersonRow:
    query = select(PersonRow).where(PersonRow.login == login)
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise NotFound("unknown_person", f"there is no account {login!r}")
    return row


def person_by_id(session: Session, person_id: int) -> PersonRow:
    row = session.get(PersonRow, person_id)
    if row is None:
        raise NotFound("unknown_person", f"there is no account {person_id}")
    return row


def list_people(session: Session, *, principal: Principal | None = None) -> list[PersonView]:
    """Every account, deactivated ones included. Only commission members (or the database's
    holder) see them."""
    _manager_actor(principal, "cli:users")
    now = datetime.now(UTC)
    query = select(PersonRow).order_by(PersonRow.id)
    if principal is not None:
        query = query.where(PersonRow.election_id == principal.election_id)
    return [person_view(session, row, now) for row in session.scalars(query)]


def person_logins(session: Session, principal: Principal) -> dict[int, str]:
    """Person id → login, for the commission's own people reading the audit log (whose
    entries name people by id only); a constituency member gets none."""
    if principal.role not in (Role.COMMISSION, Role.COMMISSION_STAFF):
        return {}
    rows = session.execute(
        select(PersonRow.id, PersonRow.login).where(PersonRow.election_id == principal.election_id)
    ).all()
    return {row.id: row.login for row in rows}


def _changed_by_another(principal: Principal | None, row: PersonRow) -> None:
    if principal is not None and principal.person_id == row.id:
        raise Forbidden(
            "another_member_required",
            "a lost password or second factor is reset by another commission member",
        )


def _end_sessions(session: Session, person_id: int, now: datetime) -> None:
    session.execute(
        update(ConsoleSessionRow)
        .where(ConsoleSessionRow.person_id == person_id, ConsoleSessionRow.ended_at.is_(None))
        .values(ended_at=now)
    )


def deactivate_person(
    session: Session,
    *,
    principal: Principal | None,
    login: str,
    database_holder: str = "cli:users",
    now: datetime | None = None,
) -> PersonView:
    """Deactivated, never deleted: the audit log goes on naming her. Her sessions end. The
    last active commission member is kept, or nobody could manage accounts again."""
    actor = _manager_actor(principal, database_holder)
    moment = now or datetime.now(UTC)
    row = person_by_login(session, login)
    if row.role == PersonRole.COMMISSION_MEMBER.value:
        # Every commission member's row locked, in one order, before counting: two members
        # deactivating each other at once cannot both succeed, nor deadlock.
        members = session.scalars(
            select(PersonRow)
            .where(
                PersonRow.election_id == row.election_id,
                PersonRow.role == PersonRole.COMMISSION_MEMBER.value,
            )
            .order_by(PersonRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        if row.deactivated_at is None and not any(
            member.id != row.id and member.deactivated_at is None for member in members
        ):
            raise Conflict(
                "last_commission_member",
                "this is the last active commission member; create another before deactivating",
            )
    else:
        row = person_by_login(session, login, for_update=True)
    if row.deactivated_at is not None:
        raise Conflict("already_deactivated", f"the account {login!r} is already deactivated")
    row.deactivated_at = moment
    _end_sessions(session, row.id, moment)
    audit_log.record(session, actor=actor, action="person.deactivated", payload={"person": row.id})
    row_ledger.record_rows(session, actor=actor, table="person", keys=[[row.id]])
    return person_view(session, row, moment)


def reset_password(
    session: Session,
    *,
    principal: Principal | None,
    login: str,
    database_holder: str = "cli:users",
    now: datetime | None = None,
) -> IssuedSecret:
    """A new temporary password, shown once; her sessions end."""
    actor = _manager_actor(principal, database_holder)
    moment = now or datetime.now(UTC)
    row = person_by_login(session, login, for_update=True)
    _changed_by_another(principal, row)
    password = new_password()
    row.password_hash = hash_password(password)
    _end_sessions(session, row.id, moment)
    audit_log.record(
        session, actor=actor, action="person.password_reset", payload={"person": row.id}
    )
    row_ledger.record_rows(session, actor=actor, table="person", keys=[[row.id]])
    return IssuedSecret(password=password)


def reset_second_factor(
    session: Session,
    *,
    principal: Principal | None,
    login: str,
    second_factor: SecondFactor,
    database_holder: str = "cli:users",
    now: datetime | None = None,
) -> IssuedSecret:
    """A lost phone or key: a new TOTP secret or enrolment code, the old one forgotten."""
    actor = _manager_actor(principal, database_holder)
    moment = now or datetime.now(UTC)
    row = person_by_login(session, login, for_update=True)
    _changed_by_another(principal, row)
    if PersonRole(row.role).needs_second_factor and second_factor is SecondFactor.NONE:
        raise InvalidInput(
            "second_factor_required",
            "a commission member needs a second factor",
            problems=[{"field": "second_factor", "message": "totp or webauthn"}],
        )
    secret = _issue_second_factor(row, second_factor)
    _end_sessions(session, row.id, moment)
    audit_log.record(
        session,
        actor=actor,
        action="person.second_factor_reset",
        payload={"person": row.id, "second_factor": second_factor.value},
    )
    row_ledger.record_rows(session, actor=actor, table="person", keys=[[row.id]])
    return secret


def lift_delay(
    session: Session,
    *,
    principal: Principal | None,
    login: str,
    database_holder: str = "cli:users",
) -> bool:
    """The commission lifts an account's sign-in delay; whether there was one."""
    actor = _manager_actor(principal, database_holder)
    row = person_by_login(session, login)
    lifted = login_throttle.lift_account_delay(session, row.id)
    audit_log.record(
        session,
        actor=actor,
        action="person.delay_lifted",
        payload={"person": row.id, "was_delayed": lifted},
    )
    return lifted


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
