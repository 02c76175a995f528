"""Every table is declared once as authoritative, derived or ephemeral."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.store.schema import TABLE_KINDS, Base


def test_every_table_is_declared_and_nothing_else() -> None:
    tables = set(Base.metadata.tables)
    assert sorted(tables - set(TABLE_KINDS)) == [], "declare these in store/schema.py"
    assert sorted(set(TABLE_KINDS) - tables) == [], "declared, but not tables"
    assert set(TABLE_KINDS.values()) <= {"authoritative", "derived", "ephemeral"}


def test_audit_tables_prints_the_declaration_as_json() -> None:
    result = CliRunner().invoke(app, ["audit", "tables", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert set(printed) == {"authoritative", "derived", "ephemeral"}
    assert "protocol_version" in printed["authoritative"]
    assert "constituency_total" in printed["derived"]
    assert "results_revision" in printed["ephemeral"]
    assert sorted(name for names in printed.values() for name in names) == sorted(TABLE_KINDS)
