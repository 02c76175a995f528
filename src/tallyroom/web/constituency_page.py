"""A constituency: its candidates with votes, shares, leader and margin; its stations with
turnout and status; turnout by hour; a two-round contest's round 2 beside round 1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tallyroom.domain.electoral_systems.election_leveling import LevelingSeat
from tallyroom.domain.results import ConstituencyResult, TurnoutPoint
from tallyroom.domain.runoff import RoundTwoRow, round_two_rows
from tallyroom.service.results.station_view import StationSummary
from tallyroom.web.overview_page import constituencies_table, list_seats_table, turnout_table
from tallyroom.web.page import Page, Table
from tallyroom.web.results_source import ResultsSource


class ConstituencyNotFound(LookupError):
    """No constituency with that number in the election."""


@dataclass(frozen=True, slots=True)
class ConstituencyData:
    result: ConstituencyResult
    status: str
    stations: tuple[StationSummary, ...]
    turnout: tuple[TurnoutPoint, ...]
    colours: dict[str, str]
    timezone: str
    #: a two-round contest's round 2 as defined and counted (None: none defined)
    runoff: dict[str, Any] | None = None
    #: the leveling seats the geographic step placed in this district (an election with
    #: leveling seats over its district list contests; () otherwise)
    leveling_seats: tuple[LevelingSeat, ...] = ()
    leveling_status: str | None = None
    #: the election has leveling seats over its district list contests
    leveled: bool = False

    @property
    def runoff_rows(self) -> tuple[RoundTwoRow, ...]:
        """Round 2's candidates beside their round-1 votes, most round-2 votes first."""
        return round_two_rows(self.runoff)

    @property
    def turnout_percent(self) -> float | None:
        """Ballots cast of the registered voters at reporting stations."""
        result = self.result
        registered = result.registered_voters_reporting + result.voters_added
        return 100.0 * result.ballots_cast / registered if registered else None


def constituency_page(source: ResultsSource, number: int) -> Page:
    national = source.national()
    result = next((c for c in national.constituencies if c.number == number), None)
    if result is None:
        raise ConstituencyNotFound(number)
    data = ConstituencyData(
        result=result,
        # Final only once the nation's result is certified by its own act; a certified
        # constituency says so before that.
        status="final"
        if national.status == "final"
        else ("certified" if result.certified else "preliminary"),
        stations=tuple(source.stations(constituency=number)),
        turnout=tuple(source.turnout(number)),
        colours={party.short_name: party.colour for party in national.parties},
        timezone=source.election().timezone,
        runoff=source.runoff(number),
        leveling_seats=national.leveling.in_district(str(number))
        if national.leveling is not None
        else (),
        leveled=national.leveling is not None,
        leveling_status=national.leveling.status.value
        if national.leveling is not None and national.leveling.status is not None
        else None,
    )
    return Page(
        template="constituency.html",
        data=data,
        tables={
            # the constituency's row of the overview's constituencies table
            "summary": constituencies_table((result,)),
            "candidates": Table(
                (
                    "code",
                    "full_name",
                    "party",
                    "nomination",
                    "votes",
                    "share",
                    "leader",
                    "seat_status",
                    "too_close_to_call",
                ),
                tuple(
                    (
                        c.code,
                        c.full_name,
                        c.party,
                        c.nomination.value,
                        c.votes,
                        round(c.share, 2),
                        c.code in result.leaders,
                        result.seat_status if c.code in result.leaders else None,
                        result.too_close_to_call if c.code in result.leaders else None,
                    )
                    for c in result.candidates
                ),
            ),
            "stations": Table(
                (
                    "code",
                    "name",
                    "kind",
                    "tags",
                    "registered_voters",
                    "ballots_cast",
                    "turnout_percent",
                    "status",
                ),
                tuple(
                    (
                        s.code,
                        s.name,
                        s.kind,
                        ";".join(s.tags),
                        s.registered_voters,
                        s.ballots_cast,
                        None if s.turnout_percent is None else round(s.turnout_percent, 2),
                        s.status,
                    )
                    for s in data.stations
                ),
            ),
            "turnout": turnout_table(data.turnout),
            # a district list contest's seats by party (empty for a candidate contest)
            "district_list": list_seats_table(result.district_list)
            if result.district_list is not None
            else Table(("party", "list_votes", "passed_threshold", "list_seats", "status"), ()),
            # the leveling seats placed in this district (empty without leveling seats)
            "leveling_seats": Table(
                ("order", "party", "candidate", "quotient", "status"),
                tuple(
                    (
                        seat.order,
                        seat.party,
                        seat.candidate,
                        round(float(seat.quotient), 4),
                        data.leveling_status,
                    )
                    for seat in data.leveling_seats
                ),
            ),
            "round_two": Table(
                (
                    "contest",
                    "code",
                    "full_name",
                    "round_one_votes",
                    "round_two_votes",
                    "withdrawn",
                    "seat_status",
                ),
                tuple(
                    (
                        data.runoff["contest"] if data.runoff else None,
                        r.code,
                        r.full_name,
                        r.round_one_votes,
                        r.round_two_votes,
                        r.withdrawn,
                        r.seat_status,
                    )
                    for r in data.runoff_rows
                ),
            ),
        },
    )
