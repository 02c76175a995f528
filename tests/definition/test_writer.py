from __future__ import annotations

import shutil
from pathlib import Path

from tallyroom.definition.layout import COLUMNS, ELECTION_FILE, RULES_FILE
from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_writing_what_was_read_reproduces_the_files(tmp_path: Path) -> None:
    source = FIXTURES / "small-election"
    write_definition(read_definition(source), tmp_path)
    for name in (ELECTION_FILE, *COLUMNS, RULES_FILE):
        assert (tmp_path / name).read_bytes() == (source / name).read_bytes(), name


def test_names_per_language_are_written_back(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "small-election", source)
    election = source / ELECTION_FILE
    election.write_text(
        election.read_text().replace(
            '  name: "Small test election"\n',
            '  name: "Small test election"\n'
            '  names: {az: "Kiçik seçki", ru: "Малые \\"выборы\\""}\n',
        )
    )
    written = tmp_path / "written"
    write_definition(read_definition(source), written)
    assert (written / ELECTION_FILE).read_bytes() == election.read_bytes()
