"""The national results assembled from each constituency's counted figures: one construction
for the running totals (service/results/results.py) and for a snapshot's re-derivation from
its published protocols (exports/snapshot_tally.py), so the two cannot drift apart."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from tallyroom.domain.candidate import Candidate, Nomination
from tallyroom.domain.election import ContestKind, Election
from tallyroom.domain.electoral_systems.candidate_selection import ListCandidate
from tallyroom.domain.electoral_systems.contest_seats import ContestTies, held_seats
from tallyroom.domain.electoral_systems.district_list_seats import (
    district_leveling,
    district_result,
    party_list,
)
from tallyroom.domain.electoral_systems.list_seats import list_seats
from tallyroom.domain.list_contest import ListContest
from tallyroom.domain.plurality import plurality_outcome
from tallyroom.domain.results import (
    CandidateResult,
    ConstituencyResult,
    NationalResults,
    party_results,
)
from tallyroom.domain.seat_status import SeatStatus
from tallyroom.domain.seat_tally import seat_tally

#: a district list contest's result, its list votes and its parties' lists
_District = tuple[ConstituencyResult, Mapping[str, int], Mapping[str, tuple[ListCandidate, ...]]]


@dataclass(frozen=True, slots=True)
class ConstituencyCount:
    """One constituency's counted figures and its contest, however they were added up."""

    number: int
    name: str
    kind: str
    stations_total: int
    stations_reporting: int
    registered_voters_total: int
    registered_voters_reporting: int
    voters_added: int
    ballots_cast: int
    invalid_ballots: int
    blank_votes: int
    stations_annulled: int
    ballots_annulled: int
    certified: bool
    #: each standing candidate with the votes counted for it
    votes: Sequence[tuple[Candidate, int]]
    system: ContestKind
    seats: int
    #: a district list contest, with its party-list votes (every party, zero included)
    district: ListContest | None = None
    district_votes: Mapping[str, int] | None = None
    #: the candidates' birth dates (None: not given), which an age tie rule reads
    birth_dates: Mapping[str, date | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NationalCount:
    """What the nation's results say beside its constituencies' counts."""

    election: Election
    #: "final" only by the nation's own certification, never by every contest's
    nation_certified: bool
    revision: int
    as_of: datetime
    #: (short name, name, colour) of every party
    parties: Sequence[tuple[str, str, str]]
    #: two-round contests whose round 2 has a leader: constituency number → leader, status
    round_two: Mapping[int, tuple[str, SeatStatus]]
    #: the national party-list contest's votes, where the election has one
    list_votes: Mapping[str, int] | None = None
    #: the lots the commission drew (entered and confirmed), by the seat each was drawn for
    lots: Mapping[str, str] = field(default_factory=dict)


def national_results(
    nation: NationalCount, constituencies: Iterable[ConstituencyCount]
) -> NationalResults:
    """Each constituency's result (winner, margin, seats by its contest's system), the seat
    tally, the parties' votes and seats, and the list seats."""
    results: list[ConstituencyResult] = []
    leaders: list[tuple[Candidate, SeatStatus]] = []
    party_votes: dict[str, int] = defaultdict(int)
    independent_votes = {Nomination.PARTY_MEMBER: 0, Nomination.NON_PARTY: 0}
    # District list contests as counted (result, list votes, party lists), for the leveling
    # seats over them; and their standing candidates, who may take one.
    leveled: list[_District] = []
    standing: dict[int, dict[str, Candidate]] = {}
    for count in constituencies:
        result, held = _constituency_result(nation, count)
        results.append(result)
        leaders.extend(held)
        if count.district is not None and count.district_votes is not None:
            leveled.append((result, count.district_votes, _party_lists(count.votes)))
            standing[count.number] = {candidate.code: candidate for candidate, _ in count.votes}
        for candidate in result.candidates:
            if candidate.nomination is Nomination.PARTY and candidate.party:
                party_votes[candidate.party] += candidate.votes
            else:
                independent_votes[candidate.nomination] += candidate.votes
    election = nation.election
    listed = None
    if election.list_contest is not None and nation.list_votes is not None:
        listed = list_seats(
            election.list_contest,
            nation.list_votes,
            count_complete=all(c.count_complete for c in results),
            lots=nation.lots,
        )
    leveling = None
    if election.leveling is not None and leveled:
        # Each leveling seat taken by its party's next list candidate in the district the
        # geographic step placed it.
        leveling, leveling_held = district_leveling(election.leveling, leveled, nation.lots)
        leaders.extend((standing[number][code], status) for number, code, status in leveling_held)
    seats = seat_tally(leaders)
    return NationalResults(
        election=election.code,
        election_name=election.name,
        status="final" if nation.nation_certified else "preliminary",
        revision=nation.revision,
        as_of=nation.as_of,
        seats_total=election.seats,
        majority=election.majority,
        stations_total=sum(c.stations_total for c in results),
        stations_reporting=sum(c.stations_reporting for c in results),
        registered_voters=sum(c.registered_voters_total for c in results),
        registered_voters_reporting=sum(c.registered_voters_reporting for c in results),
        ballots_cast=sum(c.ballots_cast for c in results),
        invalid_ballots=sum(c.invalid_ballots for c in results),
        seats=tuple(seats),
        parties=party_results(nation.parties, party_votes, seats),
        constituencies=tuple(results),
        votes_party_members=independent_votes[Nomination.PARTY_MEMBER],
        votes_non_party=independent_votes[Nomination.NON_PARTY],
        ties=tuple(c.number for c in results if c.tie and c.stations_reporting),
        stations_annulled=sum(c.stations_annulled for c in results),
        ballots_annulled=sum(c.ballots_annulled for c in results),
        list_seats=listed,
        leveling=leveling,
    )


def _constituency_result(
    nation: NationalCount, count: ConstituencyCount
) -> tuple[ConstituencyResult, list[tuple[Candidate, SeatStatus]]]:
    """The constituency's result and the seats it gives the seat tally (holder, status)."""
    votes = {candidate.code: cast for candidate, cast in count.votes}
    valid_votes = sum(votes.values())
    outcome = plurality_outcome(
        votes, too_close_margin_percent=nation.election.too_close_margin_percent
    )
    standing = {candidate.code: candidate for candidate, _ in count.votes}
    result = ConstituencyResult(
        number=count.number,
        name=count.name,
        kind=count.kind,
        stations_total=count.stations_total,
        stations_reporting=count.stations_reporting,
        registered_voters_total=count.registered_voters_total,
        registered_voters_reporting=count.registered_voters_reporting,
        voters_added=count.voters_added,
        ballots_cast=count.ballots_cast,
        invalid_ballots=count.invalid_ballots,
        blank_votes=count.blank_votes,
        valid_votes=valid_votes,
        candidates=tuple(
            sorted(
                (
                    CandidateResult(
                        code=candidate.code,
                        full_name=candidate.full_name,
                        party=candidate.party,
                        nomination=candidate.nomination,
                        votes=cast,
                        share=100.0 * cast / valid_votes if valid_votes else 0.0,
                    )
                    for candidate, cast in count.votes
                ),
                key=lambda candidate: (-candidate.votes, candidate.full_name),
            )
        ),
        leaders=outcome.leaders,
        margin_votes=outcome.margin_votes,
        margin_percent=outcome.margin_percent,
        too_close=outcome.too_close,
        certified=count.certified,
        stations_annulled=count.stations_annulled,
        ballots_annulled=count.ballots_annulled,
    )
    if count.district is not None and count.district_votes is not None:
        # A district list contest: its list votes shared by the contest's rules, each party's
        # seats taken in its closed list's order.
        with_seats, district_held = district_result(
            result,
            count.district,
            count.district_votes,
            _party_lists(count.votes),
            nation.lots,
        )
        return with_seats, [(standing[code], status) for code, status in district_held]
    if count.system is not ContestKind.SINGLE_MEMBER_PLURALITY or result.tie:
        # Other systems, and a tied single seat: the seat tally follows the contest's own
        # rule, ties by the election's tie rule and the commission's recorded lots.
        held, pending_tie = held_seats(
            count.system,
            result,
            seats=count.seats,
            round_two=nation.round_two.get(count.number),
            ties=ContestTies(nation.election.tie_rule, count.birth_dates, nation.lots),
        )
        with_holders = replace(
            result,
            seat_holders=tuple((holder.code, str(status.value)) for holder, status in held),
            seats=count.seats,
            system=count.system.value,
            pending_tie=pending_tie,
        )
        return with_holders, [(standing[holder.code], status) for holder, status in held]
    status = result.seat_status
    if status is not None and outcome.leader is not None:
        return result, [(standing[outcome.leader], status)]
    return result, []


def _party_lists(
    votes: Sequence[tuple[Candidate, int]],
) -> dict[str, tuple[ListCandidate, ...]]:
    """Each party's closed list in a district: its candidates standing there, in ballot
    position order (the definition's lists)."""
    by_party: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for candidate, _ in votes:
        if candidate.party is not None and candidate.nomination is Nomination.PARTY:
            by_party[candidate.party].append((candidate.code, candidate.ballot_position))
    return {party: party_list(members) for party, members in by_party.items()}
