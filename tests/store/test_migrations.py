from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.store.database import alembic_config
from tallyroom.store.schema import Base


def test_one_head() -> None:
    from sqlalchemy import create_engine

    config = alembic_config(create_engine("sqlite://"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migrated_schema_matches_the_models(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        connection = session.connection()
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []
