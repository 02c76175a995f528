"""A district list contest's seats: the constituency's list votes shared among the parties
above the district threshold (`list_seats`, the national list contest's rules), and the
candidates who take each party's seats in closed list order (`candidate_selection`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.candidate_selection import ListCandidate, closed_list
from tallyroom.domain.electoral_systems.election_leveling import (
    ElectionLeveling,
    election_leveling,
)
from tallyroom.domain.electoral_systems.list_seats import ListSeats, list_seats
from tallyroom.domain.leveling_rule import LevelingRule
from tallyroom.domain.list_contest import ListContest
from tallyroom.domain.results import ConstituencyResult
from tallyroom.domain.seat_status import SeatStatus


@dataclass(frozen=True, slots=True)
class DistrictListSeats:
    allocation: ListSeats
    #: (party, candidate code) of every seat a candidate takes, party by party, list order
    seat_holders: tuple[tuple[str, str], ...]
    #: seats a party won beyond the length of its list (nobody to take them)
    unfilled: Mapping[str, int]

    @property
    def status(self) -> SeatStatus | None:
        return self.allocation.status


def district_list_seats(
    contest: ListContest,
    votes: Mapping[str, int],
    *,
    lists: Mapping[str, Sequence[ListCandidate]],
    blank_votes: int = 0,
    count_complete: bool,
    lots: Mapping[str, str] | None = None,
) -> DistrictListSeats:
    """The district's seats as the count stands (won once the district's count is complete
    or its contest certified, leading before: `count_complete` says which), each party's
    seats taken by the first candidates of its list."""
    allocation = list_seats(
        contest, votes, count_complete=count_complete, blank_votes=blank_votes, lots=lots
    )
    holders: list[tuple[str, str]] = []
    unfilled: dict[str, int] = {}
    if allocation.status is not None:
        for row in allocation.rows:
            if row.seats == 0:
                continue
            elected = closed_list(lists.get(row.party, ()), row.seats).elected
            holders.extend((row.party, code) for code in elected)
            if len(elected) < row.seats:
                unfilled[row.party] = row.seats - len(elected)
    return DistrictListSeats(allocation, tuple(holders), unfilled)


def party_list(candidates: Sequence[tuple[str, int | None]]) -> tuple[ListCandidate, ...]:
    """A party's list in a district from its candidates (code, ballot position): the filed
    ballot positions, candidates without one after them in code order."""
    placed = sorted(candidates, key=lambda c: (c[1] is None, c[1] or 0, c[0]))
    return tuple(ListCandidate(code, place) for place, (code, _) in enumerate(placed, 1))


def district_result(
    result: ConstituencyResult,
    contest: ListContest,
    votes: Mapping[str, int],
    lists: Mapping[str, Sequence[ListCandidate]],
    lots: Mapping[str, str] | None = None,
) -> tuple[ConstituencyResult, tuple[tuple[str, SeatStatus], ...]]:
    """A district list constituency's result with its seats (the quotient table, each seat's
    holder and status) and the seat holders (candidate code, status) for the seat tally; the
    same for the running results and for `tallyroom verify`'s re-derivation. The seats are
    won once the district's count is complete or its contest certified."""
    district = district_list_seats(
        contest,
        votes,
        lists=lists,
        blank_votes=result.blank_votes,
        count_complete=result.count_complete or result.certified,
        lots=lots,
    )
    status = district.status
    held = tuple((code, status) for _, code in district.seat_holders) if status is not None else ()
    return (
        replace(
            result,
            seat_holders=tuple((code, str(held_status.value)) for code, held_status in held),
            seats=contest.seats,
            system=ContestKind(contest.method.value).value,
            district_list=district.allocation,
        ),
        held,
    )


def district_leveling(
    rule: LevelingRule,
    districts: Sequence[
        tuple[ConstituencyResult, Mapping[str, int], Mapping[str, Sequence[ListCandidate]]]
    ],
    lots: Mapping[str, str] | None = None,
) -> tuple[ElectionLeveling, tuple[tuple[int, str, SeatStatus], ...]]:
    """The election's leveling seats over its district list contests (each the constituency's
    result as `district_result` made it, its list votes and its party lists), and the holders
    (constituency number, candidate code, status) for the seat tally: won once every district
    list contest's count is complete or certified, leading before; the same for the running
    results and for `tallyroom verify`. A leveling tie is decided by the commission's recorded
    lot (`lots`, by seat) or left open."""
    leveling = election_leveling(
        rule,
        {str(result.number): votes for result, votes, _ in districts},
        {
            str(result.number): result.district_list.seats
            if result.district_list is not None and result.district_list.status is not None
            else {}
            for result, _, _ in districts
        },
        {str(result.number): result.seats for result, _, _ in districts},
        lists={str(result.number): lists for result, _, lists in districts},
        blank_votes=sum(result.blank_votes for result, _, _ in districts),
        count_complete=all(result.count_complete or result.certified for result, _, _ in districts),
        lots=lots,
    )
    status = leveling.status
    held = tuple(
        (int(seat.district), seat.candidate, status)
        for seat in leveling.placed
        if seat.candidate is not None and status is not None
    )
    return leveling, held
