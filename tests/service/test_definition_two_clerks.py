"""election.yaml's `two_clerk_entry`: read, stored in the election's column (what the station
app's set-up answers), exported back byte for byte; refused with its line when not a boolean."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.definition.problems import DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.definition.election_setup import define_election
from tallyroom.store.database import transaction
from tallyroom.store.schema import ElectionRow


def _set(folder: Path, line: str) -> None:
    path = folder / "election.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "  too_close_margin_percent:"
    assert anchor in text
    start = text.index(anchor)
    end = text.index("\n", start) + 1
    path.write_text(text[:end] + line + text[end:], encoding="utf-8")


@pytest.mark.parametrize(("line", "stored"), [("  two_clerk_entry: true\n", True), ("", False)])
def test_the_setting_is_loaded_and_exported_as_it_was(
    sessions: sessionmaker[Session], small_election: Path, tmp_path: Path, line: str, stored: bool
) -> None:
    _set(small_election, line)
    definition = read_definition(small_election)
    assert definition.election.two_clerk_entry is stored
    with transaction(sessions) as session:
        define_election(session, definition=definition, digest="0" * 64, actor="t")
    with transaction(sessions) as session:
        assert session.scalars(select(ElectionRow.two_clerk_entry)).one() is stored
        exported = stored_definition(session)
    write_definition(exported, tmp_path / "exported")
    written = (tmp_path / "exported" / "election.yaml").read_bytes()
    assert written == (small_election / "election.yaml").read_bytes()
    assert read_definition(tmp_path / "exported").election.two_clerk_entry is stored


def test_false_is_the_same_as_absent_and_exported_as_absent(
    sessions: sessionmaker[Session], small_election: Path, tmp_path: Path
) -> None:
    original = (small_election / "election.yaml").read_bytes()
    _set(small_election, "  two_clerk_entry: false\n")
    definition = read_definition(small_election)
    assert definition.election.two_clerk_entry is False
    write_definition(definition, tmp_path / "exported")
    assert (tmp_path / "exported" / "election.yaml").read_bytes() == original


@pytest.mark.parametrize("value", ["2", '"true"', "[true]", "null"])
def test_anything_but_true_or_false_is_refused_with_its_line(
    small_election: Path, value: str
) -> None:
    _set(small_election, f"  two_clerk_entry: {value}\n")
    with pytest.raises(DefinitionError) as caught:
        read_definition(small_election)
    (problem,) = [str(p) for p in caught.value.problems]
    assert "election.yaml:" in problem
    assert "election.two_clerk_entry: must be true or false" in problem
    line = next(
        number
        for number, text in enumerate(
            (small_election / "election.yaml").read_text(encoding="utf-8").splitlines(), 1
        )
        if text.startswith("  two_clerk_entry")
    )
    assert problem.startswith(f"election.yaml:{line}: ")
