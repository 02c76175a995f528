"""Single check-ins gathered into one commit: each desk answered as a check-in alone would
be (a second check-in of one voter refused naming the station, a wrong role or an unknown
token refused), a group the service refuses taken again one by one, the log intact."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.check_in_gathering import CheckInGathering
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import IssuedCredentials, Principal, authenticate
from tallyroom.service.errors import Forbidden, InvalidInput, Unauthorised
from tallyroom.service.register.poll_book import CheckInOutcome, CheckInRequest
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, CheckInRow, PollingStationRow, VoterRow
from tests.register_fixture import load_small_register


def _gathering(
    sessions: sessionmaker[Session], lock: threading.Lock
) -> tuple[CheckInGathering, list[str]]:
    alone: list[str] = []

    def run_alone(
        token: str, action: Callable[[Session, Principal], CheckInOutcome]
    ) -> CheckInOutcome:
        with lock, transaction(sessions) as session:
            principal = authenticate(session, token)
            alone.append(principal.actor)
            return action(session, principal)

    gathering = CheckInGathering(
        sessions, write_lock=lock, run_alone=run_alone, mark_drilled=lambda _s, _e: lambda: None
    )
    return gathering, alone


def _voters(sessions: sessionmaker[Session], station: str, count: int) -> list[str]:
    with transaction(sessions) as session:
        return list(
            session.scalars(
                select(VoterRow.voter_number)
                .join(PollingStationRow, PollingStationRow.id == VoterRow.station_id)
                .where(PollingStationRow.code == station)
                .order_by(VoterRow.id)
                .offset(10)
                .limit(count)
            )
        )


def test_a_group_answers_each_desk_as_alone(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    load_small_register(loaded_election)
    first, second = _voters(loaded_election, "001-0001", 2)
    away = _voters(loaded_election, "001-0002", 1)[0]
    lock = threading.Lock()
    gathering, alone = _gathering(loaded_election, lock)
    desk = credentials.stations["001-0001"][1]
    with lock:  # the writer waits: what arrives meanwhile is committed as one group
        answers = [gathering.check_in(desk, CheckInRequest(voter=first, client_reference="a"))]
        time.sleep(0.2)
        answers += [
            gathering.check_in(desk, CheckInRequest(voter=first, client_reference="b")),
            gathering.check_in(
                credentials.observer_token, CheckInRequest(voter=second, client_reference="c")
            ),
            gathering.check_in("not-a-token", CheckInRequest(voter=second, client_reference="d")),
            gathering.check_in(desk, CheckInRequest(voter=away, client_reference="e")),
            gathering.check_in(desk, CheckInRequest(voter=second, client_reference="f")),
        ]
    recorded, again, observer, stranger, elsewhere, other = answers
    assert recorded.result(10).status == "recorded"
    refusal = again.result(10)
    assert (refusal.status, refusal.code, refusal.station) == (
        "refused",
        "already_checked_in",
        "001-0001",
    )
    with pytest.raises(Forbidden):
        observer.result(10)
    with pytest.raises(Unauthorised):
        stranger.result(10)
    assert (elsewhere.result(10).code, elsewhere.result(10).station) == (
        "not_on_this_station",
        "001-0002",
    )
    assert other.result(10).status == "recorded"
    assert alone == []
    gathering.close()
    with transaction(loaded_election) as session:
        assert session.scalar(select(func.count()).select_from(CheckInRow)) == 2
        assert session.scalar(
            select(func.count()).where(AuditEntryRow.action == "pollbook.refused")
        )
        assert audit_discrepancies(session) == []


def test_a_group_the_service_refuses_is_taken_again_one_by_one(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    load_small_register(loaded_election)
    first, second = _voters(loaded_election, "001-0001", 2)
    lock = threading.Lock()
    gathering, alone = _gathering(loaded_election, lock)
    desk = credentials.stations["001-0001"][1]
    with lock:
        answers = [
            gathering.check_in(desk, CheckInRequest(voter=first, client_reference="a")),
            gathering.check_in(
                desk, CheckInRequest(voter=second, client_reference="b", contest="nowhere")
            ),
        ]
    assert answers[0].result(10).status == "recorded"
    with pytest.raises(InvalidInput) as refused:
        answers[1].result(10)
    assert refused.value.code == "wrong_contest"
    gathering.close()
    assert len(alone) >= 1  # the group failed whole and its members were judged alone
    with transaction(loaded_election) as session:
        assert session.scalar(select(func.count()).select_from(CheckInRow)) == 1
        assert audit_discrepancies(session) == []
