"""Throttling console sign-ins: at most five failures a minute from one address, and a
delay per account that grows with its failures in a row (never a lock-out; the commission
lifts it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tallyroom.service.errors import TooManyRequests
from tallyroom.store.schema import AccountDelayRow, LoginAttemptRow

#: failed sign-ins one address may make in `ADDRESS_WINDOW`; the next is refused unread
ADDRESS_FAILURES = 5
ADDRESS_WINDOW = timedelta(minutes=1)
#: failures in a row an account takes without delay (a person's own typos)
FREE_FAILURES = 5
#: the longest delay: long enough to make guessing hopeless, short enough that nobody can
#: keep a member out of the console on polling night
LONGEST_DELAY = timedelta(minutes=5)


def account_delay(failures: int) -> timedelta:
    """1 s after the sixth failure in a row, doubling with each further one, at most 5 min."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_FAILURES - 1)), LONGEST_DELAY)


def busy_address_refusal(session: Session, address: str, now: datetime) -> TooManyRequests | None:
    """Why a sign-in from this address is refused before its password is even read."""
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttemptRow)
        .where(
            LoginAttemptRow.address == address[:64],
            LoginAttemptRow.attempted_at > now - ADDRESS_WINDOW,
        )
    )
    if (failures or 0) >= ADDRESS_FAILURES:
        return TooManyRequests(
            "too_many_sign_ins",
            f"{ADDRESS_FAILURES} failed sign-ins from this address in the last minute; "
            "wait a minute and try again",
            retry_after=int(ADDRESS_WINDOW.total_seconds()),
        )
    return None


def delayed_account_refusal(
    session: Session, person_id: int, now: datetime
) -> TooManyRequests | None:
    row = session.get(AccountDelayRow, person_id)
    if row is None or row.not_before is None or _aware(row.not_before) <= now:
        return None
    wait = int((_aware(row.not_before) - now).total_seconds()) + 1
    return TooManyRequests(
        "account_delayed",
        f"too many failed sign-ins on this account: try again in {wait} s, or ask another "
        "commission member to lift the delay",
        retry_after=wait,
    )


def note_failure(session: Session, *, address: str, person_id: int | None, now: datetime) -> None:
    """A failed sign-in: counted against the address and, when known, the account."""
    session.execute(
        delete(LoginAttemptRow).where(LoginAttemptRow.attempted_at <= now - ADDRESS_WINDOW)
    )
    session.add(LoginAttemptRow(address=address[:64], attempted_at=now))
    if person_id is None:
        return
    row = account_row(session, person_id)
    row.failures += 1
    delay = account_delay(row.failures)
    row.not_before = now + delay if delay else None
    session.flush()


def clear_account(session: Session, person_id: int) -> None:
    """A complete sign-in: the account's failures are forgotten."""
    row = session.get(AccountDelayRow, person_id)
    if row is not None:
        row.failures = 0
        row.not_before = None


def lift_account_delay(session: Session, person_id: int) -> bool:
    """The commission lifts a delay; whether there was one."""
    row = session.get(AccountDelayRow, person_id)
    if row is None or row.failures == 0:
        return False
    row.failures = 0
    row.not_before = None
    return True


def account_row(session: Session, person_id: int) -> AccountDelayRow:
    row = session.get(AccountDelayRow, person_id)
    if row is None:
        row = AccountDelayRow(person_id=person_id, failures=0)
        session.add(row)
        session.flush()
    return row


def delayed_until(session: Session, person_id: int, now: datetime) -> datetime | None:
    row = session.get(AccountDelayRow, person_id)
    if row is None or row.not_before is None or _aware(row.not_before) <= now:
        return None
    return _aware(row.not_before)


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
