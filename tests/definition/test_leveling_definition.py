"""election.yaml's leveling seats: read over the district list contests, counted in the
house's seats, refused without district lists or with a bad field (with its line), and
written back as read."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from tallyroom.definition.problems import DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tests.leveling_election import LEVELING_YAML, leveling_election_folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        read_definition(folder)
    return [str(problem) for problem in caught.value.problems]


def test_leveling_seats_are_read_and_written_back(tmp_path: Path) -> None:
    folder = leveling_election_folder(tmp_path)
    definition = read_definition(folder)
    rule = definition.election.leveling
    assert rule is not None
    assert (rule.rule, rule.seats_per_district, rule.seats) == ("norway", 1, None)
    assert rule.total(2) == 2
    written = tmp_path / "written"
    write_definition(definition, written)
    assert read_definition(written).election == definition.election


def test_the_leveling_seats_count_in_the_house(tmp_path: Path) -> None:
    folder = leveling_election_folder(tmp_path)
    path = folder / "election.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("seats: 7\n", "seats: 5\n"), encoding="utf-8"
    )
    problems = _problems(folder)
    assert len(problems) == 1
    assert "5 seats, but 2 constituencies elect 5 and 2 leveling seats" in problems[0]


def test_a_total_replaces_the_seats_per_district(tmp_path: Path) -> None:
    folder = leveling_election_folder(tmp_path)
    path = folder / "election.yaml"
    text = path.read_text(encoding="utf-8").replace("seats: 7\n", "seats: 8\n")
    path.write_text(text.replace("seats_per_district: 1", "seats: 3"), encoding="utf-8")
    rule = read_definition(folder).election.leveling
    assert rule is not None
    assert rule.total(2) == 3


def test_leveling_seats_need_district_list_contests(small_election: Path) -> None:
    path = small_election / "election.yaml"
    path.write_text(path.read_text(encoding="utf-8") + LEVELING_YAML, encoding="utf-8")
    problems = _problems(small_election)
    assert len(problems) == 1
    assert "leveling seats need district list contests" in problems[0]


def test_a_bad_leveling_field_is_refused_with_its_line(tmp_path: Path) -> None:
    folder = leveling_election_folder(tmp_path)
    path = folder / "election.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("method: sainte-lague", "method: hare"),
        encoding="utf-8",
    )
    problems = _problems(folder)
    assert len(problems) == 1
    assert problems[0].startswith("election.yaml:15: election.leveling: ")
    assert "divisor method" in problems[0]


def test_a_first_divisor_is_read_written_back_and_refused_without_divisors(
    tmp_path: Path,
) -> None:
    folder = leveling_election_folder(tmp_path)
    (folder / "contests.csv").write_text(
        "constituency,kind,seats,threshold_percent,threshold_counts_blank,first_divisor\n"
        "1,sainte-lague,3,0,no,1.4\n"
        "2,sainte-lague,2,0,no,\n",
        encoding="utf-8",
    )
    definition = read_definition(folder)
    first, second = definition.contests
    assert (first.first_divisor, second.first_divisor) == (Fraction(7, 5), None)
    contest = first.list_contest()
    assert contest is not None
    assert contest.first_divisor == Fraction(7, 5)
    written = tmp_path / "written"
    write_definition(definition, written)
    assert read_definition(written).contests == definition.contests
    (folder / "contests.csv").write_text(
        "constituency,kind,seats,threshold_percent,threshold_counts_blank,first_divisor\n"
        "1,hare,3,0,no,1.4\n"
        "2,sainte-lague,2,0,no,abc\n",
        encoding="utf-8",
    )
    problems = _problems(folder)
    assert any(
        p.startswith("contests.csv:2: first_divisor: hare has no divisors") for p in problems
    )
    assert any(p.startswith("contests.csv:3: first_divisor:") for p in problems)
