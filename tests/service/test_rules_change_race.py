"""A rule-set change racing a submission on PostgreSQL, with two real connections in two
threads: whichever takes the election row first, the protocol ends judged by the new rules
(stored under them, or judged again by the change). Submissions read the rules holding the
row for share, the change updates it (protocols/election_rules.py). SQLite serialises writers
already, so these run on PostgreSQL only (TALLYROOM_DATABASE_URL=postgresql://...)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.rule_set import REFERENCE_RULE_SET, RuleSet
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.definition.credentials import (
    IssuedCredentials,
    Principal,
    Role,
    authenticate,
)
from tallyroom.service.protocols.bulk_submission import submit_protocols
from tallyroom.service.protocols.protocols import submit_protocol
from tallyroom.service.protocols.rule_changes import RuleSetChange, change_rule_set
from tallyroom.store.schema import ElectionRow, PollingStationRow, ProtocolVersionRow
from tests.commission_console import flagged_protocol

LOCK_WAIT_SECONDS = 20.0


@pytest.fixture(autouse=True)
def _postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")


def loosened() -> RuleSet:
    """The reference rules without the check 001-0001's protocol fails."""
    failing = _failed_checks()
    assert failing, "the flagged protocol must fail a reference check"
    return RuleSet(tuple(rule for rule in REFERENCE_RULE_SET.rules if rule.id not in failing))


def _failed_checks() -> set[str]:
    from tallyroom.domain.control_checks import control_check_failures
    from tallyroom.domain.protocol_document import parse_protocol_document

    figures = parse_protocol_document(flagged_protocol()).figures
    failures = control_check_failures(
        figures,
        standing_candidates=["C001", "C002", "C003"],
        registered_on_register=1200,
        rule_set=REFERENCE_RULE_SET,
    )
    return {failure.rule for failure in failures}


def commission(session: Session) -> Principal:
    election_id = session.scalars(select(ElectionRow.id)).one()
    return Principal(0, Role.COMMISSION, election_id, None, None, "commission")


def envelope(credentials: IssuedCredentials) -> tuple[dict[str, Any], str]:
    document = flagged_protocol()
    return document, sign_document(document, load_private_key(credentials.stations["001-0001"][2]))


def submit_one(session: Session, credentials: IssuedCredentials) -> str:
    document, signature = envelope(credentials)
    principal = authenticate(session, credentials.stations["001-0001"][1])
    return submit_protocol(
        session, principal=principal, document=document, signature=signature
    ).status.value


def submit_bulk(session: Session, credentials: IssuedCredentials) -> str:
    outcome = submit_protocols(
        session, principal=commission(session), envelopes=[envelope(credentials)]
    )
    (result,) = outcome.outcomes
    return str(result.status.value)  # type: ignore[union-attr]


SUBMITTERS: dict[str, Callable[[Session, IssuedCredentials], str]] = {
    "one_by_one": submit_one,
    "bulk": submit_bulk,
}


class Held:
    """A transaction run in its own thread on its own connection, held open after `work`
    until `release()`; `pid` is its PostgreSQL backend."""

    def __init__(self, sessions: sessionmaker[Session], work: Callable[[Session], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.pid: int | None = None
        self.done_work = threading.Event()
        self._release = threading.Event()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(sessions, work), daemon=True)
        self._thread.start()
        assert self._started.wait(LOCK_WAIT_SECONDS)

    def _run(self, sessions: sessionmaker[Session], work: Callable[[Session], Any]) -> None:
        try:
            with sessions() as session, session.begin():
                self.pid = int(session.scalar(text("SELECT pg_backend_pid()")) or 0)
                self._started.set()
                self.result = work(session)
                self.done_work.set()
                assert self._release.wait(LOCK_WAIT_SECONDS)
        except BaseException as error:  # reported by join()
            self.error = error
        finally:
            self._started.set()
            self.done_work.set()

    def release(self) -> None:
        self._release.set()

    def join(self) -> Any:
        self._release.set()
        self._thread.join(LOCK_WAIT_SECONDS)
        assert not self._thread.is_alive()
        if self.error is not None:
            raise self.error
        return self.result


def wait_until_blocked(sessions: sessionmaker[Session], held: Held) -> None:
    """Until `held`'s backend waits for a lock (it cannot go on before the other commits)."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    with sessions() as session:
        while time.monotonic() < deadline:
            waiting = session.scalar(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": held.pid},
            )
            session.rollback()
            if waiting == "Lock":
                return
            assert not held.done_work.is_set(), "it went on without waiting for the other"
            time.sleep(0.02)
    raise AssertionError("the second transaction never waited for the first")


def stored(sessions: sessionmaker[Session]) -> tuple[str, list[str], str | None]:
    with sessions() as session:
        row = session.scalars(
            select(ProtocolVersionRow)
            .join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
            .where(PollingStationRow.code == "001-0001")
            .order_by(ProtocolVersionRow.version.desc())
        ).first()
        assert row is not None
        return (
            row.status,
            [reason["code"] for reason in json.loads(row.reasons)],
            row.rule_set_version,
        )


def change(session: Session, rule_set: RuleSet) -> RuleSetChange:
    return change_rule_set(
        session, principal=commission(session), rule_set=rule_set, reason="resolution 12/2024"
    )


@pytest.mark.parametrize("path", sorted(SUBMITTERS))
def test_a_submission_during_a_change_waits_and_is_judged_by_the_new_rules(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, path: str
) -> None:
    new_rules = loosened()
    # The change has updated the row and judged everything again, but not committed.
    changing = Held(loaded_election, lambda session: change(session, new_rules))
    assert changing.done_work.wait(LOCK_WAIT_SECONDS)
    submitting = Held(loaded_election, lambda session: SUBMITTERS[path](session, credentials))
    wait_until_blocked(loaded_election, submitting)
    changing.release()
    assert changing.join().changed
    assert submitting.join() == "accepted"
    assert stored(loaded_election) == ("accepted", [], new_rules.version)


@pytest.mark.parametrize("path", sorted(SUBMITTERS))
def test_a_change_during_a_submission_waits_and_judges_it_again(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, path: str
) -> None:
    new_rules = loosened()
    # The protocol is stored, judged by the rules in force (flagged), but not committed.
    submitting = Held(loaded_election, lambda session: SUBMITTERS[path](session, credentials))
    assert submitting.done_work.wait(LOCK_WAIT_SECONDS)
    assert submitting.result == "flagged"
    changing = Held(loaded_election, lambda session: change(session, new_rules))
    wait_until_blocked(loaded_election, changing)
    submitting.release()
    assert submitting.join() == "flagged"
    outcome = changing.join()
    assert [(item.station, item.previous_status, item.status) for item in outcome.reexamined] == [
        ("001-0001", "flagged", "accepted")
    ]
    assert stored(loaded_election) == ("accepted", [], new_rules.version)
