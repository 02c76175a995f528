"""Engine creation for SQLite (default, durable WAL) and PostgreSQL, and schema migration."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///./tallyroom.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url_from_environment() -> str:
    """The database the commands use: `TALLYROOM_DATABASE_URL`, or ./tallyroom.db."""
    return with_driver(os.environ.get("TALLYROOM_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL)


def with_driver(url: str) -> str:
    """Accept the usual libpq-style URL and pick the psycopg 3 driver for it."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run during ingest; synchronous=FULL makes an acknowledged commit durable.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str | None = None, *, writer: bool = True) -> Engine:
    """An engine for the URL. On SQLite a writer engine takes the write lock when its
    transaction begins (BEGIN IMMEDIATE), so read-modify-write commands never deadlock;
    a reader engine begins deferred and reads its WAL snapshot without waiting for writers."""
    url = with_driver(url) if url else database_url_from_environment()
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    _create_private(engine.url.database)
    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's begin event below (pysqlite's own is lazy).
        dbapi_connection.isolation_level = None
        _configure_sqlite(dbapi_connection, _record)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def _create_private(database: str | None) -> None:
    """Creates a new SQLite file readable by its owner only (0600): it holds token hashes
    and the audit chain. SQLite gives its -wal and -shm files the database file's mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists() or not path.parent.is_dir():
        return
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    # ConfigParser interpolates %; a URL may carry %-escapes (search_path options).
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    with sessions() as session, session.begin():
        yield session
