"""A new SQLite database and its WAL files are readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from tallyroom.store.database import make_engine, migrate


def test_new_sqlite_database_is_created_0600(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        migrate(engine)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            files = sorted(tmp_path.glob("fresh.db*"))
            assert {file.name for file in files} >= {"fresh.db", "fresh.db-wal", "fresh.db-shm"}
            for file in files:
                assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        engine.dispose()
    finally:
        os.umask(previous)
