"""The integrity page: the election-forensics report (docs/forensics.md) on the commission's
own counted protocols, its figures as inline SVG and its tables as CSV."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from tallyroom.forensics.figures import report_figures
from tallyroom.forensics.report import ForensicsReport, build_report, report_document
from tallyroom.service.results.station_results_view import station_results_of_election
from tallyroom.web.database_source import DatabaseResultsSource
from tallyroom.web.page import Page, Table
from tallyroom.web.results_source import ResultsSource

#: fewer counted stations than this give no meaningful distribution or fingerprint
MINIMUM_STATIONS = 2


@dataclass(frozen=True, slots=True)
class IntegrityView:
    #: False before there are enough counted protocols, or without a database behind the site
    available: bool
    stations: int
    #: the report as `tallyroom forensics --json` prints it (empty when not available)
    report: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IntegrityPage(Page):
    #: inline SVG figures for the HTML only: the JSON is the report's figures, not drawings
    figures: Mapping[str, Markup] = field(default_factory=dict)


class _PerRevision:
    """One report per results revision: the tests and figures take a second or more on a
    national election, so concurrent first readers wait for one computation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: dict[int, tuple[int, IntegrityPage]] = {}

    def page(self, source: ResultsSource) -> IntegrityPage:
        revision = source.revision().number
        with self._lock:
            cached = self._pages.get(id(source))
            if cached is not None and cached[0] == revision:
                return cached[1]
            page = _build_page(source)
            self._pages[id(source)] = (revision, page)
            return page


_cache = _PerRevision()


def integrity_page(source: ResultsSource) -> Page:
    return _cache.page(source)


def _build_page(source: ResultsSource) -> IntegrityPage:
    if not isinstance(source, DatabaseResultsSource):
        return IntegrityPage(template="integrity.html", data=IntegrityView(False, 0))
    with source.sessions() as session:
        results = station_results_of_election(session, source.election().code)
    if results.station_count < MINIMUM_STATIONS:
        return IntegrityPage(
            template="integrity.html", data=IntegrityView(False, results.station_count)
        )
    report = build_report(results)
    document = report_document(report)
    return IntegrityPage(
        template="integrity.html",
        data=IntegrityView(True, results.station_count, document),
        tables=_tables(document),
        figures=_figures(report),
    )


def _figures(report: ForensicsReport) -> dict[str, Markup]:
    return {name: Markup(svg) for name, svg in report_figures(report).items()}


def _tables(document: Mapping[str, Any]) -> dict[str, Table]:
    return {
        "flags": Table(
            ("station", "constituency", "risk", "reasons"),
            tuple(
                (
                    flag["station_id"],
                    flag["region"],
                    flag["risk"],
                    " ".join(reason["code"] for reason in flag["reasons"]),
                )
                for flag in document["flags"]
            ),
        ),
        "constituencies": Table(
            (
                "constituency",
                "stations",
                "registered_voters",
                "ballots_cast",
                "turnout",
                "leader",
                "leader_share",
                "risk_stations",
            ),
            tuple(
                (
                    region["region"],
                    region["stations"],
                    region["registered_voters"],
                    region["ballots_cast"],
                    region["turnout"],
                    region["leader"],
                    region["leader_share"],
                    region["risk_stations"],
                )
                for region in document["regions"]
            ),
        ),
        "monitoring": Table(
            (
                "monitor",
                "monitored_stations",
                "unmonitored_stations",
                "turnout_difference",
                "turnout_low",
                "turnout_high",
                "leader_share_difference",
                "leader_share_low",
                "leader_share_high",
            ),
            tuple(
                (
                    comparison["monitor"],
                    comparison["monitored_stations"],
                    comparison["unmonitored_stations"],
                    *_interval(comparison["turnout_difference"]),
                    *_interval(comparison["leader_share_difference"]),
                )
                for comparison in document["monitoring"]
            ),
        ),
    }


def _interval(difference: Mapping[str, Any] | None) -> tuple[object, object, object]:
    if difference is None:
        return None, None, None
    return difference["estimate"], difference["confidence_low"], difference["confidence_high"]
