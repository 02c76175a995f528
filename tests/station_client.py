"""A running API over the small election, and a station client that signs like real ones."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.app import create_app
from tallyroom.api.runtime import Runtime
from tallyroom.definition.reader import read_definition
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import document_of
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.definition.credentials import IssuedCredentials, issue_credentials
from tallyroom.service.definition.election_setup import define_election
from tallyroom.store.database import make_engine, migrate, session_factory, transaction


@dataclass
class Api:
    client: TestClient
    credentials: IssuedCredentials
    sessions: sessionmaker[Session]

    def station_token(self, code: str) -> str:
        return self.credentials.stations[code][1]

    def headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def signed(self, document: dict[str, Any], station: str | None = None) -> dict[str, Any]:
        code = station or document["station"]
        key = load_private_key(self.credentials.stations[code][2])
        return {"protocol": document, "signature": sign_document(document, key)}

    def submit(
        self, document: dict[str, Any], *, token: str | None = None, signer: str | None = None
    ) -> Any:
        return self.client.post(
            "/api/v1/protocols",
            json=self.signed(document, signer),
            headers=self.headers(token or self.station_token(document["station"])),
        )

    @property
    def commission(self) -> dict[str, str]:
        return self.headers(self.credentials.commission_token)


def good_figures(votes: dict[str, int] | None = None, **changes: int) -> ProtocolFigures:
    """A consistent protocol for station 001-0001 (1,200 registered)."""
    votes = votes if votes is not None else {"C001": 400, "C002": 250, "C003": 100}
    values = {
        "registered_voters": 1200,
        "voters_added": 0,
        "ballots_received": 1200,
        "ballots_issued_in_station": 740,
        "ballots_issued_portable": 20,
        "ballots_cast": sum(votes.values()) + 10,
        "invalid_ballots": 10,
        "unused_ballots": 440,
    }
    values.update(changes)
    return ProtocolFigures(**values, votes=votes)


def zero_figures(candidates: tuple[str, ...] = ("C001", "C002", "C003")) -> ProtocolFigures:
    """An empty form sent by mistake: every figure zero."""
    return ProtocolFigures(
        **dict.fromkeys(
            (
                "registered_voters",
                "voters_added",
                "ballots_received",
                "ballots_issued_in_station",
                "ballots_issued_portable",
                "ballots_cast",
                "invalid_ballots",
                "unused_ballots",
            ),
            0,
        ),
        votes=dict.fromkeys(candidates, 0),
    )


def protocol(
    station: str = "001-0001",
    version: int = 1,
    figures: ProtocolFigures | None = None,
    amendment_reason: str | None = None,
) -> dict[str, Any]:
    return document_of(
        election="small-2024",
        station=station,
        version=version,
        figures=figures or good_figures(),
        amendment_reason=amendment_reason,
    )


def define_small_election(sessions: sessionmaker[Session], folder: Path) -> None:
    """Load the election defined in `folder` (a copy of the small election)."""
    with transaction(sessions) as session:
        define_election(session, definition=read_definition(folder), digest="0" * 64, actor="test")


def issue_test_credentials(sessions: sessionmaker[Session]) -> IssuedCredentials:
    """Keys and tokens for the loaded election."""
    with transaction(sessions) as session:
        return issue_credentials(session, actor="test")


@contextmanager
def serving(
    database_url: str, sessions: sessionmaker[Session], credentials: IssuedCredentials
) -> Iterator[Api]:
    """The API over a loaded election's database, as the `api` fixture serves it."""
    # The database is at the newest schema already (`sessions`): no migration run again.
    runtime = Runtime.for_database(database_url, migrate_schema=False)
    runtime.results.freshness = 0.0
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        yield Api(client, credentials, sessions)


@contextmanager
def small_election_api(folder: Path) -> Iterator[Api]:
    """The small election in a database of its own under `folder`, served: for a fixture
    of module scope that builds an expensive state once (the `api` fixture's twin)."""
    from tests.conftest import FIXTURES, fresh_database

    election = folder / "small-election"
    shutil.copytree(FIXTURES / "small-election", election)
    with fresh_database(folder) as database_url:
        engine = make_engine(database_url)
        try:
            migrate(engine)
            sessions = session_factory(engine)
            define_small_election(sessions, election)
            with serving(database_url, sessions, issue_test_credentials(sessions)) as api:
                yield api
        finally:
            engine.dispose()


@pytest.fixture
def api(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[Api]:
    with serving(database_url, loaded_election, credentials) as api:
        yield api


@pytest.fixture
def real_api(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[Api]:
    """The API judging times by real time, as `tallyroom serve` without --drill does."""
    runtime = Runtime.for_database(database_url, migrate_schema=False, clock=ElectionClock.real())
    runtime.results.freshness = 0.0
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        yield Api(client, credentials, loaded_election)
