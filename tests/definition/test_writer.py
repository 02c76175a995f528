from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tallyroom.definition.layout import COLUMNS, ELECTION_FILE, RULES_FILE
from tallyroom.definition.problems import DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.domain.tree_head import key_fingerprint

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


KEY = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"


def test_tree_head_keys_are_written_with_their_fingerprints_and_read_back(tmp_path: Path) -> None:
    definition = read_definition(FIXTURES / "small-election")
    definition.tree_head_keys = [KEY]
    write_definition(definition, tmp_path)
    text = (tmp_path / ELECTION_FILE).read_text()
    assert text.endswith(
        f'audit:\n  tree_head_keys:\n    - "{KEY}"  # fingerprint {key_fingerprint(KEY)}\n'
    )
    assert read_definition(tmp_path).tree_head_keys == [KEY]


def test_a_malformed_tree_head_key_is_refused(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "small-election", tmp_path, dirs_exist_ok=True)
    with (tmp_path / ELECTION_FILE).open("a", encoding="utf-8") as handle:
        handle.write('audit:\n  tree_head_keys: ["not-a-key", 7]\n')
    with pytest.raises(DefinitionError) as refused:
        read_definition(tmp_path)
    assert "audit.tree_head_keys" in str(refused.value)
    assert "'not-a-key': not an Ed25519 public key" in str(refused.value)
