"""Search by station code or name, constituency number or name, or candidate name."""

from __future__ import annotations

from dataclasses import dataclass

from tallyroom.domain.name_search import NameQuery
from tallyroom.domain.results import ConstituencyResult
from tallyroom.service.results.station_view import StationSummary
from tallyroom.web.candidates_page import CandidateLine, candidate_lines, candidates_table
from tallyroom.web.page import Page, Table
from tallyroom.web.results_source import ResultsSource

#: Enough to find what one looks for, without turning search into a dump of the country.
MAXIMUM_MATCHES = 50


@dataclass(frozen=True, slots=True)
class SearchData:
    query: str
    constituencies: tuple[ConstituencyResult, ...]
    candidates: tuple[CandidateLine, ...]
    stations: tuple[StationSummary, ...]
    colours: dict[str, str]

    @property
    def matches(self) -> int:
        return len(self.constituencies) + len(self.candidates) + len(self.stations)


def search_page(source: ResultsSource, query: str) -> Page:
    text = query.strip()[:100]
    if not text:
        data = SearchData("", (), (), (), {})
    else:
        national = source.national()
        wanted = NameQuery(text)
        data = SearchData(
            query=text,
            constituencies=tuple(
                c
                for c in national.constituencies
                if text == str(c.number) or wanted.matches(c.name)
            )[:MAXIMUM_MATCHES],
            candidates=candidate_lines(national, text)[:MAXIMUM_MATCHES],
            stations=tuple(source.stations(matching=text, limit=MAXIMUM_MATCHES)),
            colours={party.short_name: party.colour for party in national.parties},
        )
    return Page(
        template="search.html",
        data=data,
        tables={
            "candidates": candidates_table(data.candidates),
            "stations": Table(
                ("code", "name", "constituency", "status"),
                tuple((s.code, s.name, s.constituency, s.status) for s in data.stations),
            ),
        },
    )
