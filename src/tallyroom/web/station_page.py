"""A polling station: every protocol version with its figures, signature, status, reasons and
amendments; its turnout reports; its tags; the commission's decisions; observers present."""

from __future__ import annotations

from dataclasses import dataclass

from tallyroom.service.results.station_view import StationDetail
from tallyroom.web.page import Page, Table
from tallyroom.web.results_source import ResultsSource

FIGURE_NAMES = (
    "registered_voters",
    "voters_added",
    "ballots_received",
    "ballots_issued_in_station",
    "ballots_issued_portable",
    "ballots_cast",
    "invalid_ballots",
    "unused_ballots",
)


@dataclass(frozen=True, slots=True)
class StationData:
    station: StationDetail
    #: candidate code → name, for the vote lines of the protocols
    candidate_names: dict[str, str]
    timezone: str


def station_page(source: ResultsSource, code: str) -> Page:
    station = source.station(code)
    national = source.national()
    names = {
        candidate.code: candidate.full_name
        for constituency in national.constituencies
        if constituency.number == station.constituency
        for candidate in constituency.candidates
    }
    candidates = sorted({code for p in station.protocols for code in p.figures.votes})
    return Page(
        template="station.html",
        data=StationData(station, names, source.election().timezone),
        tables={
            "protocols": Table(
                (
                    "version",
                    "status",
                    "counted",
                    "submitted_at",
                    *FIGURE_NAMES,
                    *(f"votes_{code}" for code in candidates),
                    "signature",
                    "public_key",
                    "body_sha256",
                    "reasons",
                    "amendment_reason",
                    "decision_reason",
                    "standing",
                    "decided_at",
                ),
                tuple(
                    (
                        p.version,
                        p.status,
                        p.counted,
                        p.submitted_at,
                        *(getattr(p.figures, name) for name in FIGURE_NAMES),
                        *(p.figures.votes.get(code) for code in candidates),
                        p.signature,
                        p.public_key,
                        p.body_sha256,
                        ";".join(reason.code for reason in p.reasons),
                        p.amendment_reason,
                        p.decision_reason,
                        p.standing,
                        p.decided_at,
                    )
                    for p in station.protocols
                ),
            ),
            "turnout": Table(
                ("as_of", "voters", "status", "reasons", "received_at"),
                tuple(
                    (
                        r.as_of,
                        r.voters,
                        r.status,
                        ";".join(x.code for x in r.reasons),
                        r.received_at,
                    )
                    for r in station.turnout_reports
                ),
            ),
        },
    )
