"""The contest's electoral system named in election.yaml, and the seat tally that follows it."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from tallyroom.definition.problems import DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.domain.election import ContestKind
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.exports.snapshot_tally import derive_national_results


def _contest(folder: Path, kind: str, seats_per_constituency: int, seats: int) -> None:
    path = folder / "election.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("kind: single_member_plurality", f"kind: {kind}")
    text = text.replace(
        "seats_per_constituency: 1", f"seats_per_constituency: {seats_per_constituency}"
    )
    text = text.replace("seats: 2\n", f"seats: {seats}\n")
    path.write_text(text, encoding="utf-8")


def _problems(folder: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        read_definition(folder)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("kind", "per_constituency", "message"),
    [
        ("single_member_plurality", 2, "single_member_plurality elects one member"),
        ("two_round_majority", 2, "two_round_majority elects one member"),
        ("multi_member_plurality", 1, "needs seats_per_constituency of 2 or more"),
        ("borda_count", 1, "'borda_count' is not a valid ContestKind"),
    ],
)
def test_a_system_that_cannot_fill_the_seats_is_refused(
    small_election: Path, kind: str, per_constituency: int, message: str
) -> None:
    _contest(small_election, kind, per_constituency, 2 * per_constituency)
    problems = _problems(small_election)
    assert len(problems) == 1
    assert problems[0].startswith("election.yaml:11: election.contest: ")
    assert message in problems[0]


def _figures(registered: int, votes: dict[str, int]) -> ProtocolFigures:
    cast = sum(votes.values())
    return ProtocolFigures(
        registered_voters=registered,
        voters_added=0,
        ballots_received=registered,
        ballots_issued_in_station=cast,
        ballots_issued_portable=0,
        ballots_cast=cast,
        invalid_ballots=0,
        unused_ballots=registered - cast,
        votes=votes,
    )


def _seats(
    definition_folder: Path, protocols: dict[str, ProtocolFigures]
) -> dict[str, tuple[int, int]]:
    definition = read_definition(definition_folder)
    results = derive_national_results(
        definition, protocols, revision=1, as_of=datetime(2024, 9, 1, 20, tzinfo=UTC)
    )
    return {
        f"{group.party}/{group.nomination.value}": (group.seats, group.won)
        for group in results.seats
    }


ALL_STATIONS = {
    "001-0001": _figures(1200, {"C001": 300, "C002": 250, "C003": 100}),
    "001-0002": _figures(800, {"C001": 100, "C002": 120, "C003": 90}),
    "001-0003": _figures(150, {"C001": 10, "C002": 20, "C003": 5}),
    "002-0001": _figures(600, {"C004": 200}),
}


def test_the_small_election_still_tallies_by_plurality(small_election: Path) -> None:
    assert (
        read_definition(small_election).election.contest_kind is ContestKind.SINGLE_MEMBER_PLURALITY
    )
    assert _seats(small_election, ALL_STATIONS) == {
        "YAP/party": (1, 1),
        "YAP/party_member": (1, 1),
    }


def test_multi_member_plurality_seats_the_most_voted(small_election: Path) -> None:
    _contest(small_election, "multi_member_plurality", 2, 4)
    # Constituency 1: C001 410 and C002 390 take its two seats; constituency 2 has one
    # candidate, so one of its two seats stays open.
    assert _seats(small_election, ALL_STATIONS) == {
        "YAP/party": (1, 1),
        "REAL/party": (1, 1),
        "YAP/party_member": (1, 1),
    }


def test_two_round_majority_seats_only_round_one_winners(small_election: Path) -> None:
    _contest(small_election, "two_round_majority", 1, 2)
    # Constituency 1: C001 has 410 of 995 valid votes, no majority: round 2, no seat yet.
    # Constituency 2: C004 has all 200, a third of its 600 registered: elected.
    assert _seats(small_election, ALL_STATIONS) == {"YAP/party_member": (1, 1)}
    partial = {code: figures for code, figures in ALL_STATIONS.items() if code != "001-0003"}
    partial["001-0001"] = _figures(1200, {"C001": 700, "C002": 50, "C003": 10})
    # C001 now leads with a majority and over 25 % of 2,150 registered, but a station is
    # still out: leading, not won.
    assert _seats(small_election, partial) == {
        "YAP/party": (1, 0),
        "YAP/party_member": (1, 1),
    }


def _contests_file(folder: Path, rows: str, seats: int) -> None:
    (folder / "contests.csv").write_text("constituency,kind,seats\n" + rows, encoding="utf-8")
    path = folder / "election.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("seats: 2\n", f"seats: {seats}\n"),
        encoding="utf-8",
    )


def test_contests_file_names_a_system_per_constituency(
    small_election: Path, tmp_path: Path
) -> None:
    _contests_file(small_election, "2,multi_member_plurality,3\n", 4)
    definition = read_definition(small_election)
    assert definition.contest_systems() == {
        1: (ContestKind.SINGLE_MEMBER_PLURALITY, 1),
        2: (ContestKind.MULTI_MEMBER_PLURALITY, 3),
    }
    # Written back byte for byte, and absent when no contest differs.
    written = tmp_path / "written"
    write_definition(definition, written)
    assert (written / "contests.csv").read_bytes() == (small_election / "contests.csv").read_bytes()
    assert read_definition(written).contests == definition.contests
    (small_election / "contests.csv").unlink()
    _contest(small_election, "single_member_plurality", 1, 2)
    path = small_election / "election.yaml"
    path.write_text(path.read_text().replace("seats: 4\n", "seats: 2\n"))
    plain = tmp_path / "plain"
    write_definition(read_definition(small_election), plain)
    assert not (plain / "contests.csv").exists()


def test_contests_file_problems(small_election: Path) -> None:
    _contests_file(
        small_election,
        "2,multi_member_plurality,1\n9,two_round_majority,1\n1,borda,1\n2,two_round_majority,1\n",
        2,
    )
    assert _problems(small_election) == [
        "contests.csv:2: seats: multi_member_plurality needs seats_per_constituency of 2 or more",
        "contests.csv:3: constituency: unknown constituency 9",
        "contests.csv:4: kind: 'borda' is not one of: single_member_plurality, "
        "multi_member_plurality, two_round_majority, dhondt, sainte-lague, hare, droop",
        "contests.csv:5: constituency: duplicate 2 (first on line 2)",
    ]


def test_seats_count_the_contests(small_election: Path) -> None:
    _contests_file(small_election, "2,multi_member_plurality,3\n", 2)
    assert _problems(small_election) == [
        "election.yaml:10: election.seats: 2 seats, but 2 constituencies elect 4"
    ]


def _district_lists(folder: Path, rows: str, seats: int) -> None:
    (folder / "contests.csv").write_text(
        "constituency,kind,seats,threshold_percent,threshold_counts_blank\n" + rows,
        encoding="utf-8",
    )
    path = folder / "election.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("seats: 2\n", f"seats: {seats}\n"),
        encoding="utf-8",
    )


def test_district_list_contests_are_read_and_written_back(
    small_election: Path, tmp_path: Path
) -> None:
    _district_lists(small_election, "1,dhondt,3,3,yes\n2,sainte_lague,2,13/2,\n", 5)
    definition = read_definition(small_election)
    first, second = definition.contests
    assert (first.kind, first.seats, first.threshold_percent, first.threshold_counts_blank) == (
        ContestKind.DHONDT,
        3,
        Fraction(3),
        True,
    )
    assert (second.kind, second.threshold_percent, second.threshold_counts_blank) == (
        ContestKind.SAINTE_LAGUE,
        Fraction(13, 2),
        False,
    )
    written = tmp_path / "written"
    write_definition(definition, written)
    assert read_definition(written).contests == definition.contests


def test_a_threshold_needs_a_district_list_contest(small_election: Path) -> None:
    _district_lists(small_election, "1,multi_member_plurality,2,5,\n2,hare,2,100,\n", 4)
    assert _problems(small_election) == [
        "contests.csv:2: threshold_percent: multi_member_plurality has no threshold (only a "
        "district list contest has)",
        "contests.csv:3: threshold_percent: threshold_percent must be from 0 to under 100",
    ]


def test_a_list_method_as_the_default_contest_lets_parties_file_lists(
    small_election: Path,
) -> None:
    _contest(small_election, "hare", 3, 6)
    with (small_election / "candidates.csv").open("a", encoding="utf-8") as handle:
        handle.write("C007,1,Kamran Rzayev,party,YAP,registered\n")
    definition = read_definition(small_election)
    contest = definition.contest_of(1).list_contest()
    assert contest is not None
    assert (contest.code, contest.seats, contest.threshold_percent) == (
        "constituency-1",
        3,
        Fraction(0),
    )
    assert {c.code for c in definition.candidates if c.party == "YAP"} >= {"C001", "C007"}
