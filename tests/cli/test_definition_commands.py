from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.definition.layout import COLUMNS, ELECTION_FILE, RULES_FILE
from tallyroom.domain.tree_head import key_fingerprint

runner = CliRunner()


def test_load_then_stats_json(use_database: str, small_election: Path) -> None:
    loaded = runner.invoke(app, ["load", str(small_election)])
    assert loaded.exit_code == 0, loaded.output
    result = runner.invoke(app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["stations"] == 4
    assert figures["registered_voters"] == 2750


def test_bad_definition_exits_non_zero_with_places_and_stores_nothing(
    use_database: str, small_election: Path
) -> None:
    with (small_election / "stations.csv").open("a", encoding="utf-8") as handle:
        handle.write("001-0001,1,Klub,permanent,,no,abc,0\n")
    result = runner.invoke(app, ["load", str(small_election)])
    assert result.exit_code == 2
    assert "stations.csv:6: registered_voters: 'abc' is not a whole number" in result.stderr
    assert "stations.csv:6: code: duplicate '001-0001' (first on line 2)" in result.stderr
    stats = runner.invoke(app, ["stats", "--json"])
    assert stats.exit_code == 2
    assert "no election is loaded" in stats.stderr


def test_export_reproduces_the_files(
    use_database: str, small_election: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["load", str(small_election)]).exit_code == 0
    out = tmp_path / "exported"
    result = runner.invoke(app, ["export", str(out)])
    assert result.exit_code == 0, result.output
    for name in (ELECTION_FILE, *COLUMNS, RULES_FILE):
        assert (out / name).read_bytes() == (small_election / name).read_bytes(), name


def test_unknown_scenario(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scenario", "atlantis-1999", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown scenario" in result.stderr


def test_export_announces_the_tree_head_keys(
    use_database: str, small_election: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["load", str(small_election)]).exit_code == 0
    made = runner.invoke(app, ["audit", "keygen", "--out", str(tmp_path / "head.pem")])
    assert made.exit_code == 0, made.output
    key = made.output.split()[2]
    out = tmp_path / "exported"
    assert runner.invoke(app, ["export", str(out)]).exit_code == 0
    text = (out / ELECTION_FILE).read_text()
    assert f'    - "{key}"  # fingerprint {key_fingerprint(key)}\n' in text
    # The rest of the folder is the loaded one, unchanged.
    assert text.startswith((small_election / ELECTION_FILE).read_text())
    for name in COLUMNS:
        assert (out / name).read_bytes() == (small_election / name).read_bytes(), name
