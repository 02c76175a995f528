"""Shared fixtures: a fresh database per test (SQLite file, or a PostgreSQL schema) and
small elections built by hand."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.store.database import make_engine, migrate, session_factory

FIXTURES = Path(__file__).parent / "fixtures"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"

pytest_plugins = ["tests.station_client", "tests.console_people"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="write the browser tests' screenshots to docs/screenshots/ (make screenshots)",
    )


@pytest.fixture(scope="session")
def screenshot_folder(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Where screenshots go: docs/screenshots/ with --screenshots, else a temporary folder."""
    if request.config.getoption("--screenshots"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


def _postgres_base() -> str | None:
    url = os.environ.get("TALLYROOM_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """URL of an empty database of the kind the suite runs on: a SQLite file in `folder`,
    or a new schema in the PostgreSQL database TALLYROOM_DATABASE_URL names."""
    base = _postgres_base()
    if base is None:
        yield f"sqlite:///{folder / 'tallyroom.db'}"
        return
    base = "postgresql+psycopg://" + base.split("://", 1)[1]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def use_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI at the test's database."""
    monkeypatch.setenv("TALLYROOM_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    """A copy of the hand-built two-constituency election, safe to edit."""
    folder = tmp_path / "small-election"
    shutil.copytree(FIXTURES / "small-election", folder)
    return folder


@pytest.fixture
def loaded_election(sessions: sessionmaker[Session], small_election: Path) -> sessionmaker[Session]:
    """The small election, loaded."""
    from tallyroom.definition.reader import read_definition
    from tallyroom.service.election_setup import define_election
    from tallyroom.store.database import transaction

    with transaction(sessions) as session:
        define_election(
            session, definition=read_definition(small_election), digest="0" * 64, actor="test"
        )
    return sessions


@pytest.fixture
def credentials(loaded_election: sessionmaker[Session]) -> Any:
    """Keys and tokens for the small election."""
    from tallyroom.service.credentials import issue_credentials
    from tallyroom.store.database import transaction

    with transaction(loaded_election) as session:
        return issue_credentials(session, actor="test")
