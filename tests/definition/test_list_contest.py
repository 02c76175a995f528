"""election.yaml's party-list contest: read, refused with its line when wrong, and counted in
the house's seats."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from tallyroom.definition.problems import DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.domain.list_contest import ListContest, ListMethod


def _with_list(folder: Path, block: str, seats: int) -> None:
    path = folder / "election.yaml"
    text = path.read_text(encoding="utf-8").replace("seats: 2\n", f"seats: {seats}\n")
    path.write_text(text + block, encoding="utf-8")


def _problems(folder: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        read_definition(folder)
    return [str(problem) for problem in caught.value.problems]


def test_a_list_contest_is_read(small_election: Path) -> None:
    _with_list(
        small_election,
        "  list_contest: {seats: 3, method: sainte-lague, threshold_percent: 6.5}\n",
        5,
    )
    election = read_definition(small_election).election
    assert election.list_contest == ListContest(
        "national-list", 3, ListMethod.SAINTE_LAGUE, Fraction(13, 2)
    )


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("  list_contest: {seats: 3, method: imperiali}\n", "method must be one of"),
        ("  list_contest: {seats: -3}\n", "seats must be a whole number"),
        ("  list_contest: {seats: 3, threshold_percent: abc}\n", "threshold_percent must be"),
        ("  list_contest: {seats: 3, colour: red}\n", "unknown field 'colour'"),
        ("  list_contest: 3\n", "must be a mapping"),
    ],
)
def test_a_bad_list_contest_is_refused_with_its_line(
    small_election: Path, block: str, message: str
) -> None:
    _with_list(small_election, block, 5)
    problems = _problems(small_election)
    assert len(problems) == 1
    assert problems[0].startswith("election.yaml:15: election.list_contest: ")
    assert message in problems[0]


def test_the_list_seats_count_in_the_house(small_election: Path) -> None:
    _with_list(small_election, "  list_contest: {seats: 3}\n", 4)
    problems = _problems(small_election)
    assert problems == [
        "election.yaml:10: election.seats: 4 seats, but 2 constituencies elect 2 "
        "and the list contest 3"
    ]
