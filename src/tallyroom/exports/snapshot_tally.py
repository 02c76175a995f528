"""The results re-derived from published protocols alone: the same read model the service
builds from its running totals, but added up station by station from the definition and the
protocols, so anyone holding a snapshot can recompute every total, winner and seat."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime

from tallyroom.domain.candidate import Candidate, Nomination
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.contest_seats import ContestTies, held_seats
from tallyroom.domain.electoral_systems.district_list_seats import district_result, party_list
from tallyroom.domain.electoral_systems.list_seats import list_seats
from tallyroom.domain.plurality import plurality_outcome
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.results import (
    CandidateResult,
    ConstituencyResult,
    NationalResults,
    party_results,
)
from tallyroom.domain.seat_status import SeatStatus
from tallyroom.domain.seat_tally import seat_tally


def derive_national_results(
    definition: ElectionDefinition,
    protocols: Mapping[str, ProtocolFigures],
    *,
    revision: int,
    as_of: datetime,
    certified: Collection[int] = (),
    annulled: Mapping[str, ProtocolFigures | None] | None = None,
    nation_certified: bool = False,
    round_two: Mapping[int, tuple[str, SeatStatus]] | None = None,
    lots: Mapping[str, str] | None = None,
) -> NationalResults:
    """National results from the stations' counted protocols (station code → figures).
    `annulled` are the stations annulled by decision (code → their latest protocol's figures,
    None when none came in): counted as annulled, their figures in no total.

    `revision`, `as_of` and the certified constituencies are the commission's acts, not
    arithmetic: they are taken as published and only checked for consistency elsewhere (the
    annulments against their audit entries). `lots` are the confirmed lots (seat → winner,
    lots.json): a tie the election's rule leaves to the lot is decided by them."""
    annulled = annulled or {}
    # constituency number → round 2's leader and the status of its count (runoffs.json)
    round_two = round_two or {}
    election = definition.election
    stations_by_constituency: dict[int, list[str]] = defaultdict(list)
    registered_by_constituency: dict[int, int] = defaultdict(int)
    for station in definition.stations:
        stations_by_constituency[station.constituency].append(station.code)
        registered_by_constituency[station.constituency] += station.registered_voters
    standing_by_constituency: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in definition.candidates:
        if candidate.is_standing:
            standing_by_constituency[candidate.constituency].append(candidate)
    constituencies: list[ConstituencyResult] = []
    leaders: list[tuple[Candidate, SeatStatus]] = []
    party_votes: dict[str, int] = defaultdict(int)
    independent_votes = {Nomination.PARTY_MEMBER: 0, Nomination.NON_PARTY: 0}
    certified_numbers = set(certified)
    systems = definition.contest_systems()
    for constituency in sorted(definition.constituencies, key=lambda c: c.number):
        reported = [
            protocols[code]
            for code in stations_by_constituency[constituency.number]
            if code in protocols
        ]
        annulled_here = [
            annulled[code]
            for code in stations_by_constituency[constituency.number]
            if code in annulled
        ]
        standing = standing_by_constituency[constituency.number]
        votes = {
            candidate.code: sum(figures.votes.get(candidate.code, 0) for figures in reported)
            for candidate in standing
        }
        valid_votes = sum(votes.values())
        outcome = plurality_outcome(
            votes, too_close_margin_percent=election.too_close_margin_percent
        )
        results = tuple(
            sorted(
                (
                    CandidateResult(
                        code=candidate.code,
                        full_name=candidate.full_name,
                        party=candidate.party,
                        nomination=candidate.nomination,
                        votes=votes[candidate.code],
                        share=100.0 * votes[candidate.code] / valid_votes if valid_votes else 0.0,
                    )
                    for candidate in standing
                ),
                key=lambda result: (-result.votes, result.full_name),
            )
        )
        for result in results:
            if result.nomination is Nomination.PARTY and result.party:
                party_votes[result.party] += result.votes
            else:
                independent_votes[result.nomination] += result.votes
        constituency_result = ConstituencyResult(
            number=constituency.number,
            name=constituency.name,
            kind=constituency.kind.value,
            stations_total=len(stations_by_constituency[constituency.number]),
            stations_reporting=len(reported),
            registered_voters_total=registered_by_constituency[constituency.number],
            registered_voters_reporting=sum(f.registered_voters for f in reported),
            voters_added=sum(f.voters_added for f in reported),
            ballots_cast=sum(f.ballots_cast for f in reported),
            invalid_ballots=sum(f.invalid_ballots for f in reported),
            blank_votes=sum(f.blank_votes or 0 for f in reported),
            valid_votes=valid_votes,
            candidates=results,
            leaders=outcome.leaders,
            margin_votes=outcome.margin_votes,
            margin_percent=outcome.margin_percent,
            too_close=outcome.too_close,
            certified=constituency.number in certified_numbers,
            stations_annulled=len(annulled_here),
            ballots_annulled=sum(f.ballots_cast for f in annulled_here if f is not None),
        )
        constituencies.append(constituency_result)
        status = constituency_result.seat_status
        kind, contest_seats = systems[constituency.number]
        district = definition.contest_of(constituency.number).list_contest()
        if district is not None:
            # A district list contest: its seats from its stations' signed party votes.
            district_votes = dict.fromkeys((party.short_name for party in definition.parties), 0)
            for figures in reported:
                for party, count in (figures.party_votes or {}).items():
                    district_votes[party] = district_votes.get(party, 0) + count
            lists: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
            for candidate in standing:
                if candidate.party is not None and candidate.nomination is Nomination.PARTY:
                    lists[candidate.party].append((candidate.code, candidate.ballot_position))
            constituencies[-1], district_held = district_result(
                constituency_result,
                district,
                district_votes,
                {party: party_list(members) for party, members in lists.items()},
                lots,
            )
            leaders.extend(
                (next(c for c in standing if c.code == code), held_status)
                for code, held_status in district_held
            )
        elif kind is not ContestKind.SINGLE_MEMBER_PLURALITY or constituency_result.tie:
            # Other systems, and a tied single seat: as service/results/results.py.
            held, pending_tie = held_seats(
                kind,
                constituency_result,
                seats=contest_seats,
                round_two=round_two.get(constituency.number),
                ties=ContestTies(
                    election.tie_rule,
                    {candidate.code: candidate.birth_date for candidate in standing},
                    lots or {},
                ),
            )
            constituencies[-1] = replace(
                constituency_result,
                seat_holders=tuple((holder.code, str(s.value)) for holder, s in held),
                seats=contest_seats,
                system=kind.value,
                pending_tie=pending_tie,
            )
            leaders.extend(
                (next(c for c in standing if c.code == holder.code), holder_status)
                for holder, holder_status in held
            )
        elif status is not None and outcome.leader is not None:
            leaders.append((next(c for c in standing if c.code == outcome.leader), status))
    seats = seat_tally(leaders)
    parties = party_results(
        ((party.short_name, party.name, party.colour) for party in definition.parties),
        party_votes,
        seats,
    )
    listed = None
    if election.list_contest is not None:
        # The list seats from the party-list ballot's votes on the signed protocols.
        list_votes = dict.fromkeys((party.short_name for party in definition.parties), 0)
        for figures in protocols.values():
            for party, count in (figures.party_votes or {}).items():
                list_votes[party] = list_votes.get(party, 0) + count
        listed = list_seats(
            election.list_contest,
            list_votes,
            count_complete=all(c.count_complete for c in constituencies),
            lots=lots,
        )
    return NationalResults(
        election=election.code,
        election_name=election.name,
        # final by the nation's own certification, never by every contest being certified
        status="final" if nation_certified else "preliminary",
        revision=revision,
        as_of=as_of,
        seats_total=election.seats,
        majority=election.majority,
        stations_total=sum(c.stations_total for c in constituencies),
        stations_reporting=sum(c.stations_reporting for c in constituencies),
        registered_voters=sum(c.registered_voters_total for c in constituencies),
        registered_voters_reporting=sum(c.registered_voters_reporting for c in constituencies),
        ballots_cast=sum(c.ballots_cast for c in constituencies),
        invalid_ballots=sum(c.invalid_ballots for c in constituencies),
        seats=tuple(seats),
        parties=parties,
        constituencies=tuple(constituencies),
        votes_party_members=independent_votes[Nomination.PARTY_MEMBER],
        votes_non_party=independent_votes[Nomination.NON_PARTY],
        ties=tuple(c.number for c in constituencies if c.tie and c.stations_reporting),
        stations_annulled=sum(c.stations_annulled for c in constituencies),
        ballots_annulled=sum(c.ballots_annulled for c in constituencies),
        list_seats=listed,
    )
