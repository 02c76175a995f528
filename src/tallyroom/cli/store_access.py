"""Opening the configured database for a command, migrated to the newest schema."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.store.database import (
    database_url_from_environment,
    make_engine,
    migrate,
    session_factory,
)

#: the database the last command opened: (url, engine, sessions)
_opened: tuple[str, Engine, sessionmaker[Session]] | None = None


def sessions() -> sessionmaker[Session]:
    """Sessions on the database `TALLYROOM_DATABASE_URL` names (read now, not at import)."""
    return sessions_for(database_url_from_environment())


def sessions_for(url: str) -> sessionmaker[Session]:
    """Sessions on `url`, migrated once. Commands run one after another in one process (the
    tests, the demo) reuse the engine while the URL stays the same; another URL releases the
    previous engine's connections."""
    global _opened
    if _opened is not None and _opened[0] == url:
        return _opened[2]
    if _opened is not None:
        _opened[1].dispose()
    engine = make_engine(url)
    migrate(engine)
    _opened = (url, engine, session_factory(engine))
    return _opened[2]
