"""The store: tables, migrations, engine and transactions (SQLite by default, PostgreSQL)."""
