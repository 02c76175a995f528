"""Protocols arriving together over HTTP are committed together (api/protocol_intake.py), yet
each is answered as if it had been submitted alone: with the intake as a thread of the server
and as a process of its own (api/intake_process.py, what `tallyroom serve` runs)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.app import create_app
from tallyroom.api.intake_process import ProtocolIntakeProcess
from tallyroom.api.runtime import Runtime
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, ProtocolVersionRow
from tests.station_client import Api, good_figures, protocol


@pytest.fixture(params=["thread", "process"])
def api(
    request: pytest.FixtureRequest,
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
    database_url: str,
) -> Iterator[Api]:
    runtime = Runtime.for_database(database_url, intake_process=request.param == "process")
    runtime.results.freshness = 0.0
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        yield Api(client, credentials, loaded_election)


def _post_together(api: Api, requests: list[tuple[dict[str, Any], str]]) -> list[Any]:
    """POST every (envelope, token) at once from as many threads."""
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(
            pool.map(
                lambda request: api.client.post(
                    "/api/v1/protocols", json=request[0], headers=api.headers(request[1])
                ),
                requests,
            )
        )


def test_two_amendments_at_once_one_wins_one_conflicts(api: Api) -> None:
    assert api.submit(protocol()).status_code == 201
    token = api.station_token("001-0001")
    amendments = [
        protocol(
            version=2,
            figures=good_figures(votes={"C001": 300, "C002": 350, "C003": 100}),
            amendment_reason=f"recount {name}",
        )
        for name in "AB"
    ]
    answers = _post_together(api, [(api.signed(document), token) for document in amendments])
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert refused.json()["error"]["code"] == "version_conflict"
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count()).select_from(ProtocolVersionRow)) == 2
        assert audit_discrepancies(session) == []


def test_bad_and_good_protocols_together_get_their_own_answers(api: Api) -> None:
    good = api.signed(protocol())
    malformed = api.signed(protocol(station="001-0002") | {"ballots_cast": -1})
    stranger = api.signed(protocol(station="001-0002", figures=good_figures(votes={"C009": 5})))
    answers = _post_together(
        api,
        [
            (good, api.station_token("001-0001")),
            (malformed, api.station_token("001-0002")),
            (stranger, api.station_token("001-0002")),
            (good, "not-a-token"),
        ],
    )
    assert [answer.status_code for answer in answers] == [201, 422, 422, 401]
    errors = [answer.json()["error"] for answer in answers[1:]]
    assert errors[0]["code"] == "malformed_protocol"
    assert errors[0]["details"]["problems"], "the problems of a malformed protocol are listed"
    assert errors[1]["code"] == "unknown_candidate"
    assert errors[1]["details"]["candidates"] == ["C009"]
    assert errors[2]["code"] == "token_unknown"
    with transaction(api.sessions) as session:
        stored = session.scalars(select(ProtocolVersionRow.station_id)).all()
        assert len(stored) == 1
        submitted = session.scalar(
            select(func.count())
            .select_from(AuditEntryRow)
            .where(AuditEntryRow.action == "protocol.submitted")
        )
        assert submitted == 1
        assert audit_discrepancies(session) == []


def test_a_killed_intake_process_is_started_again(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> None:
    runtime = Runtime.for_database(database_url, intake_process=True)
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        api = Api(client, credentials, loaded_election)
        assert api.submit(protocol()).status_code == 201
        intake = runtime.intake
        assert isinstance(intake, ProtocolIntakeProcess)
        first = intake.process_id
        assert first is not None
        assert first != os.getpid()
        os.kill(first, signal.SIGKILL)
        answer = api.submit(protocol(station="001-0002"))
        assert answer.status_code in (201, 503), answer.text
        if answer.status_code == 503:
            # Refused while the dead child was noticed: never stored, so sent again.
            assert answer.json()["error"]["code"] == "intake_unavailable"
            answer = api.submit(protocol(station="001-0002"))
        assert answer.status_code == 201, answer.text
        assert intake.process_id not in (None, first)
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count()).select_from(ProtocolVersionRow)) == 2
        assert audit_discrepancies(session) == []
