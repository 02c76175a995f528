"""Parties: seats their nominees and their members standing as independents lead, and of
those the seats won; candidates standing and votes."""

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
    seats_won: int = 0
    member_seats_won: int = 0

    @property
    def seats_leading(self) -> int:
        return self.seats - self.seats_won

    @property
    def member_seats_leading(self) -> int:
        return self.member_seats - self.member_seats_won


@dataclass(frozen=True, slots=True)
class PartiesData:
    parties: tuple[PartyLine, ...]
    non_party_candidates: int
    non_party_seats: int
    seats_total: int
    non_party_seats_won: int = 0


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
            party.seats_won,
            party.member_seats_won,
        )
        for party in national.parties
    )
    non_party_groups = [g for g in national.seats if g.nomination is Nomination.NON_PARTY]
    data = PartiesData(
        parties=lines,
        non_party_candidates=non_party,
        non_party_seats=sum(group.seats for group in non_party_groups),
        seats_total=national.seats_total,
        non_party_seats_won=sum(group.won for group in non_party_groups),
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
                    "seats_won",
                    "seats_leading",
                    "member_seats",
                    "member_seats_won",
                    "member_seats_leading",
                    "votes",
                ),
                tuple(
                    (
                        p.short_name,
                        p.name,
                        p.nominees,
                        p.members_independent,
                        p.seats,
                        p.seats_won,
                        p.seats_leading,
                        p.member_seats,
                        p.member_seats_won,
                        p.member_seats_leading,
                        p.votes,
                    )
                    for p in lines
                ),
            )
        },
    )
