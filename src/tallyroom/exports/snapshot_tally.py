"""The results re-derived from published protocols alone: the same read model the service
builds from its running totals, but added up station by station from the definition and the
protocols, so anyone holding a snapshot can recompute every total, winner and seat."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from tallyroom.domain.candidate import Candidate
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.national_results import ConstituencyCount, NationalCount, national_results
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.results import NationalResults
from tallyroom.domain.seat_status import SeatStatus


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
    certified_numbers = set(certified)
    systems = definition.contest_systems()
    counts: list[ConstituencyCount] = []
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
        kind, contest_seats = systems[constituency.number]
        district = definition.contest_of(constituency.number).list_contest()
        counts.append(
            ConstituencyCount(
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
                stations_annulled=len(annulled_here),
                ballots_annulled=sum(f.ballots_cast for f in annulled_here if f is not None),
                certified=constituency.number in certified_numbers,
                votes=[
                    (candidate, sum(f.votes.get(candidate.code, 0) for f in reported))
                    for candidate in standing
                ],
                system=kind,
                seats=contest_seats,
                district=district,
                # its seats from its stations' signed party votes
                district_votes=None if district is None else _party_votes(definition, reported),
                birth_dates={candidate.code: candidate.birth_date for candidate in standing},
            )
        )
    return national_results(
        NationalCount(
            election=election,
            nation_certified=nation_certified,
            revision=revision,
            as_of=as_of,
            parties=[(party.short_name, party.name, party.colour) for party in definition.parties],
            round_two=round_two,
            # the list seats from the party-list ballot's votes on the signed protocols
            list_votes=None
            if election.list_contest is None
            else _party_votes(definition, protocols.values()),
            lots=lots or {},
        ),
        counts,
    )


def _party_votes(
    definition: ElectionDefinition, protocols: Iterable[ProtocolFigures]
) -> dict[str, int]:
    """The party-list ballot's votes on these protocols, every party of the election listed."""
    votes = dict.fromkeys((party.short_name for party in definition.parties), 0)
    for figures in protocols:
        for party, count in (figures.party_votes or {}).items():
            votes[party] = votes.get(party, 0) + count
    return votes
