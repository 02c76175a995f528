from __future__ import annotations

from pathlib import Path

import pytest

from tallyroom.definition.problems import MAXIMUM_PROBLEMS_PER_FILE, DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.domain.candidate import Nomination
from tallyroom.domain.polling_station import StationTag


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        read_definition(folder)
    return [str(problem) for problem in caught.value.problems]


def replace_line(path: Path, line: int, content: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = content
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def append(path: Path, content: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(content + "\n")


def test_reads_the_small_election(small_election: Path) -> None:
    definition = read_definition(small_election)
    assert definition.election.code == "small-2024"
    assert definition.election.majority == 2
    assert [s.code for s in definition.stations] == ["001-0001", "001-0002", "001-0003", "002-0001"]
    assert definition.stations[3].tags == {StationTag.IDP, StationTag.SPECIAL_TERRITORY}
    assert definition.candidates[3].nomination is Nomination.PARTY_MEMBER
    assert definition.observers[1].stations == ("001-0001", "001-0002")
    assert definition.organisations[3].partner == "ep-firm"


def test_missing_column(small_election: Path) -> None:
    replace_line(
        small_election / "stations.csv",
        1,
        "code,constituency,name,kind,tags,webcam,registered_voters",
    )
    assert problems_of(small_election) == ["stations.csv:1: turning_18: missing column"]


def test_unknown_constituency(small_election: Path) -> None:
    append(small_election / "stations.csv", "009-0001,9,Klub,permanent,,no,300,0")
    assert problems_of(small_election) == ["stations.csv:6: constituency: unknown constituency 9"]


def test_duplicate_station_code(small_election: Path) -> None:
    append(small_election / "stations.csv", "001-0002,1,Klub,permanent,,no,300,0")
    assert problems_of(small_election) == [
        "stations.csv:6: code: duplicate '001-0002' (first on line 3)"
    ]


def test_duplicate_candidate(small_election: Path) -> None:
    append(small_election / "candidates.csv", "C003,1,Rəşad Quliyev,non_party,,registered")
    assert problems_of(small_election) == [
        "candidates.csv:8: code: duplicate 'C003' (first on line 4)"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "-5 is negative"),
        ("many", "'many' is not a whole number"),
        ("12.5", "'12.5' is not a whole number"),
        ("", "must not be empty"),
    ],
)
def test_bad_voter_count(small_election: Path, value: str, message: str) -> None:
    replace_line(
        small_election / "stations.csv", 3, f"001-0002,1,Məktəb № 14,permanent,,no,{value},0"
    )
    assert problems_of(small_election) == [f"stations.csv:3: registered_voters: {message}"]


def test_more_turning_18_than_registered(small_election: Path) -> None:
    replace_line(small_election / "stations.csv", 3, "001-0002,1,Məktəb № 14,permanent,,no,10,11")
    assert problems_of(small_election) == [
        "stations.csv:3: turning_18: 11 voters turning 18 but only 10 registered"
    ]


def test_party_nominating_twice_in_a_constituency(small_election: Path) -> None:
    append(small_election / "candidates.csv", "C007,1,Vüsal Nəsirov,party,YAP,registered")
    assert problems_of(small_election) == [
        "candidates.csv:8: party: YAP already nominates a candidate in constituency 1 (line 2)"
    ]


def test_a_withdrawn_nominee_can_be_replaced(small_election: Path) -> None:
    append(small_election / "candidates.csv", "C007,1,Vüsal Nəsirov,party,YAP,withdrawn")
    assert len(read_definition(small_election).candidates) == 7


def test_file_that_is_not_utf8(small_election: Path) -> None:
    path = small_election / "constituencies.csv"
    path.write_bytes(
        "number,name,kind\n1,N\u0259simi,regular\n2,Şuşa,idp\n".encode("cp1254", "replace").replace(
            b"?", b"\xe6"
        )
    )
    assert problems_of(small_election) == [
        "constituencies.csv:2: -: not UTF-8: byte 0xe6 cannot be decoded"
    ]


def test_all_problems_of_a_file_are_reported_at_once(small_election: Path) -> None:
    replace_line(small_election / "stations.csv", 2, "001-0001,7,Məktəb № 12,permanent,,yes,-1,0")
    replace_line(small_election / "stations.csv", 4, "001-0003,1,Xəstəxana,tent,,maybe,150,0")
    assert problems_of(small_election) == [
        "stations.csv:2: registered_voters: -1 is negative",
        "stations.csv:2: constituency: unknown constituency 7",
        "stations.csv:4: kind: 'tent' is not one of: permanent, temporary",
        "stations.csv:4: webcam: 'maybe' is not yes or no",
    ]


def test_problems_are_capped_per_file(small_election: Path) -> None:
    path = small_election / "stations.csv"
    for number in range(MAXIMUM_PROBLEMS_PER_FILE + 10):
        append(path, f"X{number},1,Klub,permanent,,no,-1,0")
    problems = problems_of(small_election)
    assert len(problems) == MAXIMUM_PROBLEMS_PER_FILE + 1
    assert problems[-1].endswith(f"more than {MAXIMUM_PROBLEMS_PER_FILE} problems; stopped")


def test_problems_across_files_and_references(small_election: Path) -> None:
    append(small_election / "observers.csv", "O0006,Test,local_ngo,nobody,AZ,,001-0001;999")
    append(small_election / "exit_poll_samples.csv", "osce-odihr,001-0001")
    append(small_election / "candidates.csv", "C007,2,Test,party_member,,registered")
    assert problems_of(small_election) == [
        "candidates.csv:8: party: required for nomination party_member",
        "observers.csv:7: organisation: unknown organisation 'nobody'",
        "observers.csv:7: stations: unknown station '999'",
        "exit_poll_samples.csv:4: organisation: "
        "'osce-odihr' is not an organisation with role exit_poll",
    ]


def test_seats_must_match_constituencies(small_election: Path) -> None:
    path = small_election / "election.yaml"
    path.write_text(path.read_text().replace("seats: 2", "seats: 3"))
    assert problems_of(small_election) == [
        "election.yaml:10: election.seats: 3 seats, but 2 constituencies elect 2"
    ]


def test_missing_file(small_election: Path) -> None:
    (small_election / "parties.csv").unlink()
    problems = problems_of(small_election)
    # References into the missing file are not reported one by one: one cause, one line.
    assert len(problems) == 1
    assert problems[0].startswith("parties.csv:0: -: missing:")


def test_columns_may_come_in_any_order(small_election: Path) -> None:
    expected = read_definition(small_election)
    path = small_election / "stations.csv"
    lines = [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text(
        "\n".join(",".join(reversed(cells)) for cells in lines) + "\n", encoding="utf-8"
    )
    assert read_definition(small_election).stations == expected.stations


def test_a_repeated_bad_cell_is_reported_on_every_line(small_election: Path) -> None:
    # Parsers remember the cells they accepted; a refused cell must be refused each time.
    for line in (2, 3):
        path = small_election / "stations.csv"
        cells = path.read_text(encoding="utf-8").splitlines()[line - 1].split(",")
        cells[3] = "tent"
        replace_line(path, line, ",".join(cells))
    assert problems_of(small_election) == [
        "stations.csv:2: kind: 'tent' is not one of: permanent, temporary",
        "stations.csv:3: kind: 'tent' is not one of: permanent, temporary",
    ]


def test_the_name_per_language(small_election: Path) -> None:
    election = small_election / "election.yaml"
    assert read_definition(small_election).election.names == ()  # without names: as before
    replace_line(
        election,
        4,
        '  name: "Small test election"\n  names: {az: "Kiçik seçki", ru: "Малые выборы"}',
    )
    read = read_definition(small_election).election
    assert read.names == (("az", "Kiçik seçki"), ("ru", "Малые выборы"))
    assert (read.name_in("az"), read.name_in("ru"), read.name_in("en")) == (
        "Kiçik seçki",
        "Малые выборы",
        "Small test election",
    )


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ('"Kiçik seçki"', "must be a mapping"),
        ('{AZ: "Kiçik seçki"}', "'AZ' is not a language code"),
        ('{az: ""}', "must not be empty"),
    ],
)
def test_bad_names(small_election: Path, names: str, message: str) -> None:
    replace_line(small_election / "election.yaml", 4, f'  name: "Small"\n  names: {names}')
    [problem] = problems_of(small_election)
    assert problem.startswith("election.yaml:5: election.names:")
    assert message in problem
