"""Opening the configured database for a command, migrated to the newest schema."""

from __future__ import annotations

from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from tallyroom.store.database import (
    database_url_from_environment,
    make_engine,
    migrate,
    session_factory,
)


def sessions() -> sessionmaker[Session]:
    """Sessions on the database `TALLYROOM_DATABASE_URL` names (read now, not at import)."""
    return sessions_for(database_url_from_environment())


@cache
def sessions_for(url: str) -> sessionmaker[Session]:
    engine = make_engine(url)
    migrate(engine)
    return session_factory(engine)
