"""`tallyroom forensics`: JSON and HTML output, and bad input reported as file:line: field."""

from __future__ import annotations

import json
import pathlib

import typer
from typer.testing import CliRunner

from tallyroom.cli.forensics import forensics

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(forensics)
    return app


def test_json_and_html_on_delaware(data_directory: pathlib.Path, tmp_path: pathlib.Path) -> None:
    html = tmp_path / "report.html"
    outcome = runner.invoke(
        _app(),
        [
            "--csv",
            str(data_directory / "us_delaware_general_2016_precinct.csv"),
            "--preset",
            "openelections",
            "--json",
            "--html",
            str(html),
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    assert document["stations"] == 432
    assert "<svg" in html.read_text(encoding="utf-8")


def test_mapping_file_in_yaml(tmp_path: pathlib.Path) -> None:
    table = tmp_path / "results.csv"
    table.write_text(
        "id,area,electors,cast,bad,Red,Blue\n1,A,100,60,2,40,18\n2,A,200,90,0,50,40\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "station_id: id\nregion: area\nregistered_voters: electors\n"
        "ballots_cast: cast\ninvalid_ballots: bad\nvotes: [Red, Blue]\n",
        encoding="utf-8",
    )
    outcome = runner.invoke(_app(), ["--csv", str(table), "--map", str(mapping), "--json"])
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.stdout)["stations"] == 2


def test_bad_input_exits_2_with_location(tmp_path: pathlib.Path) -> None:
    table = tmp_path / "results.csv"
    table.write_text("id,area,electors,Red\n1,A,100,40\n2,A,lots,50\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "station_id": "id",
                "region": "area",
                "registered_voters": "electors",
                "votes": ["Red"],
            }
        ),
        encoding="utf-8",
    )
    outcome = runner.invoke(_app(), ["--csv", str(table), "--map", str(mapping)])
    assert outcome.exit_code == 2
    assert f"{table}:3: registered_voters: not a whole number: 'lots'" in outcome.output

    mapping.write_text(
        json.dumps({"station_id": "id", "region": "area", "votes": ["Green"]}), encoding="utf-8"
    )
    outcome = runner.invoke(_app(), ["--csv", str(table), "--map", str(mapping)])
    assert outcome.exit_code == 2
    assert f"{table}:1: votes: no column named 'Green' in the header" in outcome.output

    outcome = runner.invoke(
        _app(), ["--csv", str(tmp_path / "missing.csv"), "--preset", "uganda-ec"]
    )
    assert outcome.exit_code == 2
    assert "missing.csv:0: --csv: no such file" in outcome.output

    outcome = runner.invoke(_app(), ["--csv", str(table), "--preset", "atlantis"])
    assert outcome.exit_code == 2
    assert "unknown preset 'atlantis'" in outcome.output
