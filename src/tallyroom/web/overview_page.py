"""The national overview: progress, turnout by hour, the parliament, seats and votes by party
with independents split, and every constituency's leader."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tallyroom.domain.candidate import Nomination
from tallyroom.domain.electoral_systems.election_leveling import ElectionLeveling
from tallyroom.domain.electoral_systems.list_seats import ListSeats
from tallyroom.domain.results import ConstituencyResult, NationalResults, TurnoutPoint
from tallyroom.service.results.results_columns import (
    CONSTITUENCY_STANDING_COLUMNS,
    NATION_COLUMNS,
    constituency_standing,
    nation_row,
)
from tallyroom.service.results.results_json import constituency_json, national_json
from tallyroom.web.page import Page, Table
from tallyroom.web.results_source import ResultsSource

#: Keys of the rows for independents in the seats table.
PARTY_MEMBERS = "party_member"
NON_PARTY = "non_party"


@dataclass(frozen=True, slots=True)
class SeatRow:
    """One line of the seats-and-votes table: a party's nominees or a group of independents."""

    key: str
    #: party short name, or None for the independents' rows
    party: str | None
    name: str | None
    nomination: Nomination
    colour: str | None
    #: seats its candidates lead, won or not
    seats: int
    votes: int
    #: percentage of valid votes nationally
    vote_share: float
    #: of `seats`, those won
    seats_won: int = 0

    @property
    def seats_leading(self) -> int:
        return self.seats - self.seats_won


@dataclass(frozen=True, slots=True)
class OverviewData:
    national: NationalResults
    turnout: tuple[TurnoutPoint, ...]
    seat_rows: tuple[SeatRow, ...]
    timezone: str

    @property
    def valid_votes(self) -> int:
        return sum(row.votes for row in self.seat_rows)

    @property
    def colours(self) -> dict[str, str]:
        return {party.short_name: party.colour for party in self.national.parties}

    @property
    def progress_percent(self) -> float:
        national = self.national
        if not national.stations_total:
            return 0.0
        return 100.0 * national.stations_reporting / national.stations_total


def seat_rows(national: NationalResults) -> tuple[SeatRow, ...]:
    valid = (
        national.votes_party_members
        + national.votes_non_party
        + sum(party.votes for party in national.parties)
    )

    def share(votes: int) -> float:
        return 100.0 * votes / valid if valid else 0.0

    rows = [
        SeatRow(
            party.short_name,
            party.short_name,
            party.name,
            Nomination.PARTY,
            party.colour,
            party.seats,
            party.votes,
            share(party.votes),
            party.seats_won,
        )
        for party in national.parties
        if party.seats or party.votes
    ]
    members = [g for g in national.seats if g.nomination is Nomination.PARTY_MEMBER]
    non_party = [g for g in national.seats if g.nomination is Nomination.NON_PARTY]
    rows.append(
        SeatRow(
            PARTY_MEMBERS,
            None,
            None,
            Nomination.PARTY_MEMBER,
            None,
            sum(g.seats for g in members),
            national.votes_party_members,
            share(national.votes_party_members),
            sum(g.won for g in members),
        )
    )
    rows.append(
        SeatRow(
            NON_PARTY,
            None,
            None,
            Nomination.NON_PARTY,
            None,
            sum(g.seats for g in non_party),
            national.votes_non_party,
            share(national.votes_non_party),
            sum(g.won for g in non_party),
        )
    )
    return tuple(rows)


def overview_page(source: ResultsSource) -> Page:
    national = source.national()
    data = OverviewData(
        national=national,
        turnout=tuple(source.turnout()),
        seat_rows=seat_rows(national),
        timezone=source.election().timezone,
    )
    tables = {
        "seats": Table(
            ("party", "name", "nomination", "seats", "won", "leading", "votes", "vote_share"),
            tuple(
                (
                    row.party,
                    row.name,
                    row.nomination.value,
                    row.seats,
                    row.seats_won,
                    row.seats_leading,
                    row.votes,
                    round(row.vote_share, 2),
                )
                for row in data.seat_rows
            ),
        ),
        "nation": Table(
            NATION_COLUMNS, (nation_row(national_json(national, with_constituencies=False)),)
        ),
        "constituencies": constituencies_table(national.constituencies),
        "turnout": turnout_table(data.turnout),
    }
    if national.list_seats is not None:
        tables["list_seats"] = list_seats_table(national.list_seats)
    if national.leveling is not None:
        tables["leveling_seats"] = leveling_seats_table(national.leveling)
    return Page(template="overview.html", data=data, tables=tables)


def list_seats_table(listed: ListSeats) -> Table:
    """The party-list contest's seats per party (with a list contest only)."""
    status = listed.status.value if listed.status is not None else ""
    return Table(
        ("party", "list_votes", "passed_threshold", "list_seats", "status"),
        tuple((row.party, row.votes, row.passed, row.seats, status) for row in listed.rows),
    )


def leveling_seats_table(leveling: ElectionLeveling) -> Table:
    """Seats by party over the district list contests: district seats and leveling seats,
    with the national threshold each party passed or not (with leveling seats only)."""
    status = leveling.status.value if leveling.status is not None else ""
    seats = {party: (district, level) for party, district, level in leveling.national_seats()}
    return Table(
        ("party", "list_votes", "passed_threshold", "district_seats", "leveling_seats", "status"),
        tuple(
            (party, votes, party in leveling.passing, *seats.get(party, (0, 0)), status)
            for party, votes in leveling.national_votes.items()
        ),
    )


def constituencies_table(constituencies: Iterable[ConstituencyResult]) -> Table:
    """A row per constituency: progress, leader and where its count and seat stand."""
    return Table(
        (
            "number",
            "name",
            "stations_reporting",
            "stations_total",
            "ballots_cast",
            "leader",
            "party",
            "nomination",
            "margin_votes",
            "too_close",
            "tie",
            "certified",
            *CONSTITUENCY_STANDING_COLUMNS,
        ),
        tuple(
            (
                c.number,
                c.name,
                c.stations_reporting,
                c.stations_total,
                c.ballots_cast,
                c.leader.full_name if c.leader else None,
                c.leader.party if c.leader else None,
                c.leader.nomination.value if c.leader else None,
                c.margin_votes,
                c.too_close,
                c.tie,
                c.certified,
                *constituency_standing(constituency_json(c)),
            )
            for c in constituencies
        ),
    )


def turnout_table(points: tuple[TurnoutPoint, ...]) -> Table:
    return Table(
        ("as_of", "voters", "stations_reporting", "registered_voters", "percent"),
        tuple(
            (p.as_of, p.voters, p.stations_reporting, p.registered_voters, round(p.percent, 2))
            for p in points
        ),
    )
