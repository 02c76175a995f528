"""The one construction of the national results from constituency counts: the seat tally
takes each contest's seats by its own system, and the parties' votes and list seats add up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from fractions import Fraction

from tallyroom.domain.candidate import Candidate, Nomination
from tallyroom.domain.election import ContestKind, Election, VotingHours
from tallyroom.domain.list_contest import ListContest, ListMethod
from tallyroom.domain.national_results import ConstituencyCount, NationalCount, national_results


def candidate(code: str, constituency: int, party: str | None, position: int = 1) -> Candidate:
    nomination = Nomination.PARTY if party else Nomination.NON_PARTY
    return Candidate(
        code, constituency, f"Name {code}", nomination, party, ballot_position=position
    )


def count(number: int, votes: list[tuple[Candidate, int]], **contest: object) -> ConstituencyCount:
    cast = sum(v for _, v in votes) + 10
    return ConstituencyCount(
        number=number,
        name=f"Constituency {number}",
        kind="territorial",
        stations_total=2,
        stations_reporting=2,
        registered_voters_total=2_000,
        registered_voters_reporting=2_000,
        voters_added=0,
        ballots_cast=cast,
        invalid_ballots=10,
        blank_votes=0,
        stations_annulled=0,
        ballots_annulled=0,
        certified=False,
        votes=votes,
        **({"system": ContestKind.SINGLE_MEMBER_PLURALITY, "seats": 1} | contest),  # type: ignore[arg-type]
    )


def nation(list_contest: ListContest | None, list_votes: dict[str, int]) -> NationalCount:
    election = Election(
        code="test-2024",
        name="Test",
        country="AZ",
        polling_day=date(2024, 2, 7),
        timezone="Asia/Baku",
        voting_hours=VotingHours(time(8), time(19)),
        turnout_report_times=(),
        seats=14,
        too_close_margin_percent=0.5,
        list_contest=list_contest,
    )
    return NationalCount(
        election=election,
        nation_certified=False,
        revision=7,
        as_of=datetime(2024, 2, 7, 20, tzinfo=UTC),
        parties=[("A", "Party A", "#f00"), ("B", "Party B", "#00f")],
        round_two={},
        list_votes=list_votes,
    )


def test_plurality_and_district_list_seats_in_one_tally() -> None:
    single = count(
        1,
        [
            (candidate("C1", 1, "A"), 300),
            (candidate("C2", 1, "B"), 200),
            (candidate("C3", 1, None), 50),
        ],
    )
    district_contest = ListContest("constituency-2", 3, ListMethod.DHONDT, Fraction(0))
    district = count(
        2,
        [
            (candidate("D1", 2, "A", 1), 0),
            (candidate("D2", 2, "A", 2), 0),
            (candidate("D3", 2, "A", 3), 0),
            (candidate("D4", 2, "B", 1), 0),
        ],
        system=ContestKind.DHONDT,
        seats=3,
        district=district_contest,
        district_votes={"A": 700, "B": 300},
    )
    national = ListContest("national", 10, ListMethod.DHONDT, Fraction(0))
    results = national_results(nation(national, {"A": 700, "B": 300}), [single, district])
    assert results.constituencies[0].leaders == ("C1",)
    # D'Hondt, 3 seats of 700 : 300 → quotients 700, 350 (A), 300 (B): two to A, one to B
    seats = {(g.party, g.nomination): g.seats for g in results.seats}
    assert seats == {("A", Nomination.PARTY): 1 + 2, ("B", Nomination.PARTY): 1}
    assert {p.short_name: (p.votes, p.seats) for p in results.parties} == {
        "A": (300, 3),
        "B": (200, 1),
    }
    assert results.votes_non_party == 50
    assert results.ballots_cast == single.ballots_cast + district.ballots_cast
    assert results.list_seats is not None
    assert results.list_seats.seats == {"A": 7, "B": 3}
    assert (results.revision, results.status, results.majority) == (7, "preliminary", 8)
