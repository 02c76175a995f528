"""Shared fixtures: a fresh database per test (SQLite file, or a PostgreSQL schema) and
small elections built by hand."""

from __future__ import annotations

import gc
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


class MigratedSchema:
    """Databases at the newest schema without migrating each one. On SQLite each is a copy of
    a file migrated once per run. On PostgreSQL a schema, once migrated, serves test after
    test: between tests every row is deleted, the migration's own rows and the sequences are
    put back from a template schema migrated once, and the catalogue is compared with the
    template's; a schema that cannot be put back (changed, locked, still connected) is dropped."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite_file: Path | None = None
        self.template: str | None = None
        self.template_catalogue: list[str] = []
        self.free: list[str] = []
        self.admin: Any = None

    @contextmanager
    def database(self, folder: Path) -> Iterator[str]:
        """URL of a database at the newest schema holding only what the migrations store."""
        base = _postgres_base()
        if base is None:
            if self.sqlite_file is None:
                self.sqlite_file = self._migrated_sqlite()
            target = folder / "tallyroom.db"
            shutil.copy(self.sqlite_file, target)  # keeps the template's mode (0600)
            yield f"sqlite:///{target}"
            return
        base = "postgresql+psycopg://" + base.split("://", 1)[1]
        if self.admin is None:
            self.admin = create_engine(base, isolation_level="AUTOCOMMIT")
            self.template = self._migrated_schema(base)
            with self.admin.connect() as connection:
                self.template_catalogue = _catalogue(connection, self.template)
        schema = self.free.pop() if self.free else self._migrated_schema(base)
        try:
            yield _schema_url(base, schema)
        finally:
            if self._put_back(schema):
                self.free.append(schema)
            else:
                with self.admin.connect() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))

    def _migrated_sqlite(self) -> Path:
        path = self.folder / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine)
        engine.dispose()  # the last connection closed: the WAL is checkpointed and removed
        assert not Path(f"{path}-wal").exists()
        return path

    def _migrated_schema(self, base: str) -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine = make_engine(_schema_url(base, schema))
        migrate(engine)
        engine.dispose()
        return schema

    def _put_back(self, schema: str) -> bool:
        """Bring a used schema back to the template's state; False if it cannot be."""
        template = self.template
        with self.admin.connect() as connection:
            connected = _connections(connection, schema)
            for generation in (1, 2):
                if not connected:
                    break
                gc.collect(generation)  # an engine the test let go of closes its connections
                connected = _connections(connection, schema)
            if connected or _catalogue(connection, schema) != self.template_catalogue:
                return False
            tables = connection.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": template},
            ).all()
            sequences = connection.execute(
                text(
                    "SELECT sequencename, coalesce(last_value, start_value),"
                    " last_value IS NOT NULL FROM pg_sequences WHERE schemaname = :schema"
                ),
                {"schema": template},
            ).all()
            statements = [
                "BEGIN",
                "SET LOCAL lock_timeout = '5s'",
                # Foreign keys are triggers: off while rows go, in any order, and come back.
                "SET LOCAL session_replication_role = replica",
                *(f"DELETE FROM {schema}.{table}" for table in tables),
                *(
                    f"INSERT INTO {schema}.{table} SELECT * FROM {template}.{table}"
                    for table in tables
                ),
                *(
                    f"SELECT setval('{schema}.{name}', {value}, {'true' if called else 'false'})"
                    for name, value, called in sequences
                ),
                "COMMIT",
            ]
            try:
                connection.exec_driver_sql("; ".join(statements))
            except Exception:
                connection.exec_driver_sql("ROLLBACK")
                return False
        return True

    def close(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as connection:
            for schema in [*self.free, self.template]:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        self.admin.dispose()


def _schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}&application_name={schema}"


def _connections(connection: Any, schema: str) -> int:
    """How many connections to the schema's URL are still open."""
    return int(
        connection.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :schema"),
            {"schema": schema},
        ).scalar_one()
    )


def _catalogue(connection: Any, schema: str) -> list[str]:
    """A schema's tables, columns, constraints, indexes and sequences, as text to compare."""
    rows = connection.scalars(
        text(
            "SELECT concat_ws(' ', c.relname, c.relkind::text, a.attname,"
            " format_type(a.atttypid, a.atttypmod), a.attnotnull::text)"
            " FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
            " AND NOT a.attisdropped"
            " WHERE c.relnamespace = cast(cast(:schema AS text) AS regnamespace)"
            " UNION ALL SELECT concat_ws(' ', conname, pg_get_constraintdef(oid))"
            " FROM pg_constraint"
            " WHERE connamespace = cast(cast(:schema AS text) AS regnamespace)"
            " UNION ALL SELECT concat_ws(' ', indexname, indexdef) FROM pg_indexes"
            " WHERE schemaname::text = cast(:schema AS text)"
        ),
        {"schema": schema},
    ).all()
    return sorted(row.replace(f"{schema}.", "") for row in rows)


@pytest.fixture(scope="session")
def migrated_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedSchema]:
    migrated = MigratedSchema(tmp_path_factory.mktemp("migrated-schema"))
    yield migrated
    migrated.close()


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database; one at the newest schema if the test takes `sessions`."""
    if "sessions" in request.fixturenames:
        migrated: MigratedSchema = request.getfixturevalue("migrated_schema")
        with migrated.database(tmp_path) as url:
            yield url
        return
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """The test's database, at the newest schema (see `database_url`)."""
    engine = make_engine(database_url)
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
    from tests.station_client import define_small_election

    define_small_election(sessions, small_election)
    return sessions


@pytest.fixture
def credentials(loaded_election: sessionmaker[Session]) -> Any:
    """Keys and tokens for the small election."""
    from tests.station_client import issue_test_credentials

    return issue_test_credentials(loaded_election)
