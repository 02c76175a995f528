from __future__ import annotations

from pathlib import Path

from tallyroom.definition.layout import COLUMNS, ELECTION_FILE
from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_writing_what_was_read_reproduces_the_files(tmp_path: Path) -> None:
    source = FIXTURES / "small-election"
    write_definition(read_definition(source), tmp_path)
    for name in (ELECTION_FILE, *COLUMNS):
        assert (tmp_path / name).read_bytes() == (source / name).read_bytes(), name
