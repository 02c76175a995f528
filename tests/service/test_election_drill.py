"""A database that served under a drill clock is marked as a drill's, durably and audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.runtime import Runtime
from tallyroom.domain.election_clock import ClockKind
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.service.definition.election_drill import ELECTION_DRILLED, clock_of
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, ElectionRow
from tests.station_client import Api, protocol


def drill_entries(sessions: sessionmaker[Session]) -> list[AuditEntryRow]:
    with transaction(sessions) as session:
        return list(
            session.scalars(select(AuditEntryRow).where(AuditEntryRow.action == ELECTION_DRILLED))
        )


def test_a_drill_server_marks_the_election_once_and_logs_it(api: Api, database_url: str) -> None:
    with transaction(api.sessions) as session:
        assert session.scalars(select(ElectionRow.drill)).all() == [True]
        assert clock_of(session, "small-2024") is ClockKind.DRILL
    [entry] = drill_entries(api.sessions)
    assert entry.actor == "server"
    assert '"election":"small-2024"' in entry.payload
    assert api.submit(protocol()).status_code == 201
    # A second drill server over the same database marks nothing again.
    second = Runtime.for_database(database_url)
    second.start()
    second.close()
    assert len(drill_entries(api.sessions)) == 1
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_a_real_time_server_leaves_the_election_real(real_api: Api) -> None:
    assert real_api.submit(protocol()).status_code == 201
    with transaction(real_api.sessions) as session:
        assert clock_of(session, "small-2024") is ClockKind.REAL
        assert audit_discrepancies(session) == []
    assert drill_entries(real_api.sessions) == []


def test_an_election_loaded_after_the_drill_server_started_is_marked_by_its_first_command(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> None:
    runtime = Runtime.for_database(database_url)  # not started: no election marked yet
    with transaction(loaded_election) as session:
        assert clock_of(session, "small-2024") is ClockKind.REAL
    runtime.command(credentials.commission_token, lambda session, principal: None)
    runtime.command(credentials.commission_token, lambda session, principal: None)
    runtime.close()
    with transaction(loaded_election) as session:
        assert clock_of(session, "small-2024") is ClockKind.DRILL
        assert audit_discrepancies(session) == []
    assert len(drill_entries(loaded_election)) == 1
