from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tallyroom.cli.app import app

runner = CliRunner()
CASES = Path(__file__).parents[1] / "domain" / "electoral_systems" / "cases"


@pytest.mark.parametrize("name", ["spain-1989", "poland-2019", "norway-2017", "nz-1999", "nz-2005"])
def test_json_output_matches_the_official_outcome(name: str) -> None:
    result = runner.invoke(app, ["apportion", str(CASES / f"{name}.json"), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    expected = json.loads((CASES / f"{name}.expected.json").read_text(encoding="utf-8"))
    for key, value in expected.items():
        assert document[key] == value
    assert document["quotient_tables"]


def test_table_output_names_seats_districts_and_leveling() -> None:
    result = runner.invoke(app, ["apportion", str(CASES / "norway-2017.json")])
    assert result.exit_code == 0, result.output
    assert "169 seats" in result.stdout
    assert "leveling" in result.stdout
    assert "Finnmark Finnmárku" in result.stdout


def _problem(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "problem.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_json_is_located(tmp_path: Path) -> None:
    path = _problem(tmp_path, '{\n "name": "x",\n "method": dhondt\n}')
    result = runner.invoke(app, ["apportion", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3:" in result.stderr


def test_problems_are_named_with_their_line(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "name": "bad",
            "method": "dhondt",
            "colour": "red",
            "threshold": {"percent": 150},
            "districts": [
                {"id": "a", "seats": 3, "votes": {"X": 10}},
                {"id": "b", "seats": -1, "votes": {"X": "ten"}},
            ],
        },
        indent=1,
    )
    lines = text.splitlines()
    path = _problem(tmp_path, text)
    result = runner.invoke(app, ["apportion", str(path), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    errors = result.stderr

    def line_of(fragment: str, after: int = 0) -> int:
        return next(i for i, line in enumerate(lines, 1) if i > after and fragment in line)

    assert f":{line_of('colour')}: colour: unknown key" in errors
    assert f":{line_of('percent')}: threshold.percent:" in errors
    second = line_of('"b"')
    assert f":{line_of('seats', second)}: districts[1].seats:" in errors
    assert f":{line_of('ten')}: districts[1].votes.X:" in errors


def test_tie_without_a_lot_is_refused_and_a_seeded_lot_is_listed(tmp_path: Path) -> None:
    problem = {
        "name": "tie",
        "method": "dhondt",
        "districts": [{"id": "only", "seats": 1, "votes": {"A": 50, "B": 50}}],
    }
    path = _problem(tmp_path, json.dumps(problem))
    result = runner.invoke(app, ["apportion", str(path)])
    assert result.exit_code == 2
    assert "needs a drawn lot" in result.stderr
    problem["lot_seed"] = "00112233445566778899aabbccddeeff"
    path = _problem(tmp_path, json.dumps(problem))
    first = runner.invoke(app, ["apportion", str(path), "--json"])
    assert first.exit_code == 0, first.output
    document = json.loads(first.stdout)
    assert document["lots"][0]["between"] == ["A", "B"]
    assert document["seats"] == {document["lots"][0]["won_by"]: 1}
    again = runner.invoke(app, ["apportion", str(path), "--json"])
    assert json.loads(again.stdout)["lots"] == document["lots"]


def test_missing_file_and_wrong_shape(tmp_path: Path) -> None:
    result = runner.invoke(app, ["apportion", str(tmp_path / "absent.json")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
    path = _problem(tmp_path, "[1, 2]")
    result = runner.invoke(app, ["apportion", str(path)])
    assert result.exit_code == 2
    assert "must be an object" in result.stderr


def test_hostile_sizes_are_refused(tmp_path: Path) -> None:
    path = _problem(tmp_path, "[" * 100_000 + "]" * 100_000)
    result = runner.invoke(app, ["apportion", str(path)])
    assert result.exit_code == 2
    huge = {
        "name": "huge",
        "method": "dhondt",
        "districts": [{"id": str(n), "seats": 90_000, "votes": {"A": 1}} for n in range(3)],
    }
    path = _problem(tmp_path, json.dumps(huge))
    result = runner.invoke(app, ["apportion", str(path)])
    assert result.exit_code == 2
    assert "more than 100000 seats" in result.stderr
