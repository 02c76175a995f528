"""Every standing candidate with constituency, party or nomination, votes, share and whether
they lead, and the seat led won or not yet."""

from __future__ import annotations

from dataclasses import dataclass

from tallyroom.domain.candidate import Nomination
from tallyroom.domain.name_search import NameQuery
from tallyroom.domain.results import NationalResults
from tallyroom.domain.seat_status import SeatStatus
from tallyroom.web.page import Page, Table
from tallyroom.web.results_source import ResultsSource


@dataclass(frozen=True, slots=True)
class CandidateLine:
    code: str
    full_name: str
    constituency: int
    constituency_name: str
    party: str | None
    nomination: Nomination
    votes: int
    share: float
    leading: bool
    #: the seat's status for its single leader (won or leading); None for everyone else
    seat_status: SeatStatus | None = None


@dataclass(frozen=True, slots=True)
class CandidatesData:
    candidates: tuple[CandidateLine, ...]
    colours: dict[str, str]


def candidate_lines(
    national: NationalResults, matching: str | None = None
) -> tuple[CandidateLine, ...]:
    query = NameQuery(matching or "")
    return tuple(
        CandidateLine(
            c.code,
            c.full_name,
            constituency.number,
            constituency.name,
            c.party,
            c.nomination,
            c.votes,
            c.share,
            c.code in constituency.leaders,
            constituency.seat_status if constituency.leaders == (c.code,) else None,
        )
        for constituency in national.constituencies
        for c in constituency.candidates
        if not query or query.matches(c.full_name)
    )


def candidates_page(source: ResultsSource) -> Page:
    national = source.national()
    data = CandidatesData(
        candidates=candidate_lines(national),
        colours={party.short_name: party.colour for party in national.parties},
    )
    return Page(
        template="candidates.html",
        data=data,
        tables={"candidates": candidates_table(data.candidates)},
    )


def candidates_table(lines: tuple[CandidateLine, ...]) -> Table:
    return Table(
        (
            "code",
            "full_name",
            "constituency",
            "constituency_name",
            "party",
            "nomination",
            "votes",
            "share",
            "leading",
            "seat_status",
        ),
        tuple(
            (
                c.code,
                c.full_name,
                c.constituency,
                c.constituency_name,
                c.party,
                c.nomination.value,
                c.votes,
                round(c.share, 2),
                c.leading,
                c.seat_status,
            )
            for c in lines
        ),
    )
