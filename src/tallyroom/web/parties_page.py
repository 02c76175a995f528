"""Parties: seats won by their nominees and by their members standing as independents,
candidates standing and votes."""

from __future__ import annotations

from dataclasses import dataclass

from tallyroom.domain.candidate import Nomination
from tallyroom.web.page import Page, Table
from tallyroom.web.results_source import ResultsSource


@dataclass(frozen=True, slots=True)
class PartyLine:
    short_name: str
    name: str
    colour: str
    nominees: int
    members_independent: int
    seats: int
    member_seats: int
    votes: int


@dataclass(frozen=True, slots=True)
class PartiesData:
    parties: tuple[PartyLine, ...]
    non_party_candidates: int
    non_party_seats: int
    seats_total: int


def parties_page(source: ResultsSource) -> Page:
    national = source.national()
    nominees: dict[str, int] = {}
    members: dict[str, int] = {}
    non_party = 0
    for constituency in national.constituencies:
        for candidate in constituency.candidates:
            if candidate.nomination is Nomination.NON_PARTY or candidate.party is None:
                non_party += 1
            elif candidate.nomination is Nomination.PARTY:
                nominees[candidate.party] = nominees.get(candidate.party, 0) + 1
            else:
                members[candidate.party] = members.get(candidate.party, 0) + 1
    lines = tuple(
        PartyLine(
            party.short_name,
            party.name,
            party.colour,
            nominees.get(party.short_name, 0),
            members.get(party.short_name, 0),
            party.seats,
            party.member_seats,
            party.votes,
        )
        for party in national.parties
    )
    data = PartiesData(
        parties=lines,
        non_party_candidates=non_party,
        non_party_seats=sum(
            group.seats for group in national.seats if group.nomination is Nomination.NON_PARTY
        ),
        seats_total=national.seats_total,
    )
    return Page(
        template="parties.html",
        data=data,
        tables={
            "parties": Table(
                (
                    "short_name",
                    "name",
                    "nominees",
                    "members_independent",
                    "seats",
                    "member_seats",
                    "votes",
                ),
                tuple(
                    (
                        p.short_name,
                        p.name,
                        p.nominees,
                        p.members_independent,
                        p.seats,
                        p.member_seats,
                        p.votes,
                    )
                    for p in lines
                ),
            )
        },
    )
