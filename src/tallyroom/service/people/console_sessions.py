"""Signing in to the commission's console: a password, then a second factor (TOTP or a
WebAuthn security key, enrolled at first sign-in with a one-time code), a session that ends
after 15 idle minutes, a CSRF token for every change, and the principal of the person
signed in, so that service commands accept a person as they accept a machine token."""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal, authenticate
from tallyroom.service.errors import Forbidden, ServiceError, Unauthorised
from tallyroom.service.people import login_throttle
from tallyroom.service.people.people import (
    PersonRole,
    PersonView,
    code_hash,
    password_matches,
    person_view,
    principal_of_person,
)
from tallyroom.service.people.security_keys import (
    RegisteredKey,
    RelyingParty,
    authenticated_sign_count,
    authentication_ceremony,
    registered_key,
    registration_ceremony,
)
from tallyroom.store.schema import ConsoleSessionRow, PersonRow

#: the session cookie (Secure, HttpOnly, SameSite=Strict)
SESSION_COOKIE = "tallyroom_session"
#: the header a session's changes carry their CSRF token in (forms: the field csrf_token)
CSRF_HEADER = "X-CSRF-Token"
IDLE_LIMIT = timedelta(minutes=15)
#: a session ends after this however busy, so a stolen cookie does not live for ever
LONGEST_SESSION = timedelta(hours=12)
#: the second factor must follow the password within this
SIGN_IN_LIMIT = timedelta(minutes=5)
TOTP_PATTERN = re.compile(r"^[0-9]{6}$")
TOTP_STEP_SECONDS = 30


class Stage(enum.StrEnum):
    SECOND_FACTOR = "second_factor"
    ENROLMENT = "enrolment"
    ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class SignInStep:
    """Where a sign-in stands: the (new) session cookie, its CSRF token, what comes next."""

    token: str
    csrf_token: str
    stage: Stage
    #: the second factors the person may use next: totp, webauthn
    second_factors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConsoleCredential:
    """A console session as a request presents it: the cookie and, for a change (any method
    but GET/HEAD), the CSRF token it must carry."""

    token: str
    csrf_token: str | None = None
    changes: bool = False


@dataclass(frozen=True, slots=True)
class SignedIn:
    principal: Principal
    person: PersonView
    csrf_token: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _session_of(session: Session, token: str) -> ConsoleSessionRow | None:
    return session.scalars(
        select(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == _token_hash(token))
    ).first()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _refused_sign_in() -> Unauthorised:
    return Unauthorised("sign_in_refused", "the login or the password is wrong")


def sign_in_with_password(
    session: Session, *, login: str, password: str, address: str, now: datetime | None = None
) -> SignInStep | ServiceError:
    """The first step. A refusal is returned, not raised, so that the caller commits the
    failure it counts (rate limit, account delay) before answering."""
    moment = now or datetime.now(UTC)
    busy = login_throttle.busy_address_refusal(session, address, moment)
    if busy is not None:
        return busy
    row = session.scalars(
        select(PersonRow).where(PersonRow.login == login, PersonRow.deactivated_at.is_(None))
    ).first()
    if row is not None:
        delayed = login_throttle.delayed_account_refusal(session, row.id, moment)
        if delayed is not None:
            return delayed
    if row is None or not password_matches(row.password_hash if row else None, password):
        login_throttle.note_failure(
            session, address=address, person_id=row.id if row else None, now=moment
        )
        return _refused_sign_in()
    factors = _second_factors(row)
    if factors:
        stage = Stage.SECOND_FACTOR
    elif row.enrolment_code_hash:
        stage = Stage.ENROLMENT
    elif PersonRole(row.role).needs_second_factor:
        return Forbidden(
            "second_factor_missing",
            "a commission member needs a second factor: ask another member to reset it",
        )
    else:
        stage = Stage.ACTIVE
    _forget_old_sessions(session, moment)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        ConsoleSessionRow(
            token_hash=_token_hash(token),
            person_id=row.id,
            csrf_token=csrf,
            stage=stage.value,
            created_at=moment,
            last_seen_at=moment,
        )
    )
    session.flush()
    if stage is Stage.ACTIVE:
        _signed_in(session, row, "none")
    return SignInStep(token, csrf, stage, factors)


def _forget_old_sessions(session: Session, moment: datetime) -> None:
    """Sessions that can no longer be used are forgotten as new ones begin (the table is
    ephemeral: sign-ins are in the audit log)."""
    session.execute(
        delete(ConsoleSessionRow).where(ConsoleSessionRow.created_at < moment - LONGEST_SESSION)
    )


def sign_in_progress(
    session: Session, token: str, *, now: datetime | None = None
) -> tuple[Stage, str, tuple[str, ...]]:
    """A sign-in under way: its step, CSRF token and the second factors it may use."""
    moment = now or datetime.now(UTC)
    found = _session_of(session, token)
    if found is None or found.ended_at is not None or found.stage == Stage.ACTIVE.value:
        raise Unauthorised("sign_in_unknown", "sign in with your password first")
    if _aware(found.created_at) + SIGN_IN_LIMIT <= moment:
        raise Unauthorised("sign_in_expired", "too slow: sign in with your password again")
    person = session.get_one(PersonRow, found.person_id)
    return Stage(found.stage), found.csrf_token, _second_factors(person)


def _second_factors(row: PersonRow) -> tuple[str, ...]:
    factors: list[str] = []
    if row.totp_secret:
        factors.append("totp")
    if row.webauthn_credential_id:
        factors.append("webauthn")
    return tuple(factors)


def _signed_in(session: Session, row: PersonRow, second_factor: str) -> None:
    login_throttle.clear_account(session, row.id)
    principal = principal_of_person(row)
    audit_log.record(
        session,
        actor=principal.actor,
        action="person.signed_in",
        payload={"person": row.id, "second_factor": second_factor},
    )


def _pending(
    session: Session, token: str, csrf_token: str | None, stage: Stage, moment: datetime
) -> tuple[ConsoleSessionRow, PersonRow]:
    found = _session_of(session, token)
    if found is None or found.ended_at is not None:
        raise Unauthorised("sign_in_unknown", "sign in with your password first")
    if found.stage != stage.value:
        raise Unauthorised("sign_in_wrong_step", f"this sign-in is not at the step {stage.value}")
    if _aware(found.created_at) + SIGN_IN_LIMIT <= moment:
        raise Unauthorised("sign_in_expired", "too slow: sign in with your password again")
    if not csrf_token or not hmac.compare_digest(csrf_token, found.csrf_token):
        raise Forbidden("csrf_token_invalid", "the form's CSRF token is missing or wrong")
    person = session.get_one(PersonRow, found.person_id)
    if person.deactivated_at is not None:
        raise Unauthorised("person_deactivated", "this account is deactivated")
    return found, person


@dataclass(frozen=True, slots=True)
class _Attempt:
    """A step after the password, let through to try its factor or code."""

    found: ConsoleSessionRow
    person: PersonRow
    address: str
    moment: datetime

    def failed(self, session: Session, refusal: ServiceError) -> ServiceError:
        """The factor or code was wrong: counted against the address and the account."""
        login_throttle.note_failure(
            session, address=self.address, person_id=self.person.id, now=self.moment
        )
        return refusal


def _second_step(
    session: Session,
    token: str,
    csrf_token: str | None,
    stage: Stage,
    address: str,
    now: datetime | None,
) -> _Attempt | ServiceError:
    """The sign-in under way at `stage` (else raised), or the refusal a busy address or a
    delayed account gets before any code is tried."""
    moment = now or datetime.now(UTC)
    found, person = _pending(session, token, csrf_token, stage, moment)
    refusal = login_throttle.busy_address_refusal(
        session, address, moment
    ) or login_throttle.delayed_account_refusal(session, person.id, moment)
    return refusal if refusal is not None else _Attempt(found, person, address, moment)


def _complete(
    session: Session, found: ConsoleSessionRow, person: PersonRow, moment: datetime, factor: str
) -> SignInStep:
    """The sign-in is complete: a new cookie and CSRF token (never the ones handed out before
    the second factor, so a planted cookie gains nothing)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    found.token_hash = _token_hash(token)
    found.csrf_token = csrf
    found.stage = Stage.ACTIVE.value
    found.challenge = None
    found.last_seen_at = moment
    _signed_in(session, person, factor)
    return SignInStep(token, csrf, Stage.ACTIVE, ())


def sign_in_with_totp(
    session: Session,
    *,
    token: str,
    csrf_token: str | None,
    code: str,
    address: str,
    now: datetime | None = None,
) -> SignInStep | ServiceError:
    """The second step with an authenticator app's code; a code is accepted once only."""
    attempt = _second_step(session, token, csrf_token, Stage.SECOND_FACTOR, address, now)
    if isinstance(attempt, ServiceError):
        return attempt
    person = attempt.person
    if not person.totp_secret:
        return Unauthorised("totp_not_set_up", "this account has no authenticator app")
    step = _matching_totp_step(person.totp_secret, code.strip(), attempt.moment)
    delay = login_throttle.account_row(session, person.id)
    if step is None or (delay.last_totp_step is not None and step <= delay.last_totp_step):
        return attempt.failed(
            session, Unauthorised("second_factor_refused", "the code is wrong or already used")
        )
    delay.last_totp_step = step
    return _complete(session, attempt.found, person, attempt.moment, "totp")


def _matching_totp_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step whose code this is, allowing one step of clock drift either way."""
    if not TOTP_PATTERN.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(moment.timestamp()) // TOTP_STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def security_key_options(
    session: Session,
    *,
    token: str,
    csrf_token: str | None,
    party: RelyingParty,
    now: datetime | None = None,
) -> str:
    """navigator.credentials.get() options for the second step; the challenge is kept."""
    moment = now or datetime.now(UTC)
    found, person = _pending(session, token, csrf_token, Stage.SECOND_FACTOR, moment)
    if not person.webauthn_credential_id:
        raise Unauthorised("security_key_not_set_up", "this account has no security key")
    ceremony = authentication_ceremony(party, credential_id=person.webauthn_credential_id)
    found.challenge = ceremony.challenge
    return ceremony.options_json


def sign_in_with_security_key(
    session: Session,
    *,
    token: str,
    csrf_token: str | None,
    credential: Any,
    party: RelyingParty,
    address: str,
    now: datetime | None = None,
) -> SignInStep | ServiceError:
    attempt = _second_step(session, token, csrf_token, Stage.SECOND_FACTOR, address, now)
    if isinstance(attempt, ServiceError):
        return attempt
    found, person = attempt.found, attempt.person
    challenge, found.challenge = found.challenge, None  # a challenge answers once
    if not challenge or not person.webauthn_credential_id or not person.webauthn_public_key:
        return Unauthorised("no_challenge", "ask for the security key's options first")
    key = RegisteredKey(
        person.webauthn_credential_id, person.webauthn_public_key, person.webauthn_sign_count
    )
    try:
        count = authenticated_sign_count(party, challenge, credential, key)
    except Unauthorised as refused:
        return attempt.failed(session, refused)
    person.webauthn_sign_count = count
    step = _complete(session, found, person, attempt.moment, "webauthn")
    row_ledger.record_rows(
        session, actor=principal_of_person(person).actor, table="person", keys=[[person.id]]
    )
    return step


def enrolment_options(
    session: Session,
    *,
    token: str,
    csrf_token: str | None,
    enrolment_code: str,
    party: RelyingParty,
    address: str,
    now: datetime | None = None,
) -> str | ServiceError:
    """navigator.credentials.create() options, once the one-time enrolment code is right."""
    attempt = _second_step(session, token, csrf_token, Stage.ENROLMENT, address, now)
    if isinstance(attempt, ServiceError):
        return attempt
    person = attempt.person
    expected = person.enrolment_code_hash or ""
    if not expected or not hmac.compare_digest(code_hash(enrolment_code[:64]), expected):
        return attempt.failed(
            session, Unauthorised("enrolment_code_refused", "the enrolment code is wrong")
        )
    ceremony = registration_ceremony(party, person_id=person.id, login=person.login)
    attempt.found.challenge = ceremony.challenge
    return ceremony.options_json


def enrol_security_key(
    session: Session,
    *,
    token: str,
    csrf_token: str | None,
    credential: Any,
    party: RelyingParty,
    now: datetime | None = None,
) -> SignInStep | ServiceError:
    moment = now or datetime.now(UTC)
    found, person = _pending(session, token, csrf_token, Stage.ENROLMENT, moment)
    challenge, found.challenge = found.challenge, None
    if not challenge:
        return Unauthorised("no_challenge", "give the enrolment code first")
    try:
        key = registered_key(party, challenge, credential)
    except Unauthorised as refused:
        return refused
    person.webauthn_credential_id = key.credential_id
    person.webauthn_public_key = key.public_key
    person.webauthn_sign_count = key.sign_count
    person.enrolment_code_hash = None
    actor = principal_of_person(person).actor
    audit_log.record(
        session,
        actor=actor,
        action="person.security_key_enrolled",
        payload={"person": person.id},
    )
    row_ledger.record_rows(session, actor=actor, table="person", keys=[[person.id]])
    return _complete(session, found, person, moment, "webauthn")


def signed_in(
    session: Session, credential: ConsoleCredential, *, now: datetime | None = None
) -> SignedIn:
    """The person a session cookie belongs to, or Unauthorised; a change must carry the
    session's CSRF token (Forbidden). Each use keeps the session from going idle."""
    moment = now or datetime.now(UTC)
    found, person = _active(session, credential, moment)
    return SignedIn(
        principal_of_person(person), person_view(session, person, moment), found.csrf_token
    )


def _active(
    session: Session, credential: ConsoleCredential, moment: datetime
) -> tuple[ConsoleSessionRow, PersonRow]:
    found = _session_of(session, credential.token)
    if found is None:
        raise Unauthorised("session_unknown", "sign in to the console")
    if found.ended_at is not None:
        raise Unauthorised("session_ended", "this session has ended: sign in again")
    if found.stage != Stage.ACTIVE.value:
        raise Unauthorised("sign_in_incomplete", "finish signing in with your second factor")
    if (
        _aware(found.last_seen_at) + IDLE_LIMIT <= moment
        or _aware(found.created_at) + LONGEST_SESSION <= moment
    ):
        raise Unauthorised("session_expired", "the session expired: sign in again")
    person = session.get_one(PersonRow, found.person_id)
    if person.deactivated_at is not None:
        raise Unauthorised("person_deactivated", "this account is deactivated")
    if credential.changes and not (
        credential.csrf_token and hmac.compare_digest(credential.csrf_token, found.csrf_token)
    ):
        raise Forbidden("csrf_token_invalid", "the request's CSRF token is missing or wrong")
    found.last_seen_at = moment
    return found, person


def sign_out(
    session: Session, credential: ConsoleCredential, *, now: datetime | None = None
) -> None:
    """Ends the session: its cookie is refused from now on, even replayed."""
    moment = now or datetime.now(UTC)
    found, person = _active(session, credential, moment)
    found.ended_at = moment
    audit_log.record(
        session,
        actor=principal_of_person(person).actor,
        action="person.signed_out",
        payload={"person": person.id},
    )


def authenticate_caller(
    session: Session, credential: str | ConsoleCredential | None, *, now: datetime | None = None
) -> Principal:
    """The principal of a machine token or of a person's console session."""
    if isinstance(credential, ConsoleCredential):
        return signed_in(session, credential, now=now).principal
    return authenticate(session, credential, now=now)
