"""The protocol document a station signs, and its strict parsing: what is malformed is
refused whole with every problem named, never coerced."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tallyroom.domain.protocol import ProtocolFigures

#: No station has this many voters; a larger figure is a typing error or an attack.
MAXIMUM_FIGURE = 10_000_000
FIGURE_FIELDS = (
    "registered_voters",
    "voters_added",
    "ballots_received",
    "ballots_issued_in_station",
    "ballots_issued_portable",
    "ballots_cast",
    "invalid_ballots",
    "unused_ballots",
)
#: figures a protocol may leave out (null is the same as absent)
OPTIONAL_FIGURE_FIELDS = ("blank_votes",)
#: the first format: what stations signed before `format` existed (still accepted)
FIRST_FORMAT = 1
#: adds `format`, `contest` and `photo_sha256`
CURRENT_FORMAT = 2
FORMATS = (FIRST_FORMAT, CURRENT_FORMAT)
FIRST_FORMAT_FIELDS = {"election", "station", "version", "amendment_reason", "figures", "format"}
DOCUMENT_FIELDS = FIRST_FORMAT_FIELDS | {"contest", "photo_sha256"}
#: the fields each format requires (amendment_reason is for amendments; photo_sha256 absent
#: is the same as null: no photo)
REQUIRED_FIELDS = {
    FIRST_FORMAT: FIRST_FORMAT_FIELDS - {"amendment_reason", "format"},
    CURRENT_FORMAT: DOCUMENT_FIELDS - {"amendment_reason", "photo_sha256"},
}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class DocumentProblem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class ProtocolDocument:
    election: str
    station: str
    version: int
    amendment_reason: str | None
    figures: ProtocolFigures
    #: 1 (no format field: the first format) or 2
    format: int = FIRST_FORMAT
    #: the contest's id (domain/contest.py); None in the first format
    contest: str | None = None
    #: SHA-256 (lowercase hex) of the photo of the signed paper protocol, if one was taken
    photo_sha256: str | None = None

    def __reduce__(self) -> tuple[type[ProtocolDocument], tuple[Any, ...]]:
        # See ProtocolFigures.__reduce__: these cross from verifying workers to the writer.
        return (
            ProtocolDocument,
            (
                self.election,
                self.station,
                self.version,
                self.amendment_reason,
                self.figures,
                self.format,
                self.contest,
                self.photo_sha256,
            ),
        )


class MalformedProtocol(ValueError):
    def __init__(self, problems: list[DocumentProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def _count(value: Any, field: str, problems: list[DocumentProblem]) -> int:
    # bool is an int in Python; a JSON true is not a count.
    if isinstance(value, bool) or not isinstance(value, int):
        kind = "a fraction" if isinstance(value, float) else type(value).__name__
        problems.append(
            DocumentProblem(field, "not_a_whole_number", f"must be a whole number, not {kind}")
        )
        return 0
    if value < 0:
        problems.append(DocumentProblem(field, "negative", f"{value} is negative"))
    elif value > MAXIMUM_FIGURE:
        problems.append(
            DocumentProblem(field, "too_large", f"{value} is larger than {MAXIMUM_FIGURE:,}")
        )
    count: int = value
    return count


def parse_protocol_document(document: Any) -> ProtocolDocument:
    """The document's values; raises MalformedProtocol listing every problem."""
    problems: list[DocumentProblem] = []
    if not isinstance(document, dict):
        raise MalformedProtocol([DocumentProblem("-", "not_an_object", "must be a JSON object")])
    document_format = _format(document, problems)
    known = DOCUMENT_FIELDS if document_format == CURRENT_FORMAT else FIRST_FORMAT_FIELDS
    for name in sorted(set(document) - known):
        problems.append(DocumentProblem(name, "unknown_field", "unknown field"))
    for name in sorted(REQUIRED_FIELDS.get(document_format, set()) - set(document)):
        problems.append(DocumentProblem(name, "missing", "missing"))
    contest = document.get("contest")
    if "contest" in document and (not isinstance(contest, str) or not contest):
        problems.append(DocumentProblem("contest", "not_text", "must be non-empty text"))
    photo_sha256 = document.get("photo_sha256")
    if photo_sha256 is not None and (
        not isinstance(photo_sha256, str) or not _SHA256.fullmatch(photo_sha256)
    ):
        problems.append(
            DocumentProblem(
                "photo_sha256", "not_a_sha256", "must be 64 lowercase hex digits or null"
            )
        )
    election = document.get("election")
    station = document.get("station")
    for name, value in (("election", election), ("station", station)):
        if name in document and (not isinstance(value, str) or not value):
            problems.append(DocumentProblem(name, "not_text", "must be non-empty text"))
    version = _count(document.get("version", 1), "version", problems)
    if "version" in document and version < 1:
        problems.append(DocumentProblem("version", "not_positive", "must be 1 or more"))
    reason = document.get("amendment_reason")
    if reason is not None and (not isinstance(reason, str) or not reason.strip()):
        problems.append(
            DocumentProblem("amendment_reason", "not_text", "must be non-empty text or null")
        )
    figures_value = document.get("figures")
    party_votes: dict[str, int] | None = None
    values: dict[str, int] = {}
    votes: dict[str, int] = {}
    if "figures" in document and not isinstance(figures_value, dict):
        problems.append(DocumentProblem("figures", "not_an_object", "must be an object"))
    elif isinstance(figures_value, dict):
        known_figures = {*FIGURE_FIELDS, *OPTIONAL_FIGURE_FIELDS, "votes", "party_votes"}
        for name in sorted(set(figures_value) - known_figures):
            problems.append(DocumentProblem(f"figures.{name}", "unknown_field", "unknown field"))
        for name in FIGURE_FIELDS:
            if name not in figures_value:
                problems.append(DocumentProblem(f"figures.{name}", "missing", "missing"))
            else:
                values[name] = _count(figures_value[name], f"figures.{name}", problems)
        for name in OPTIONAL_FIGURE_FIELDS:
            if figures_value.get(name) is not None:
                values[name] = _count(figures_value[name], f"figures.{name}", problems)
        raw_votes = figures_value.get("votes")
        if not isinstance(raw_votes, dict):
            problems.append(
                DocumentProblem(
                    "figures.votes", "not_an_object", "must map candidate codes to votes"
                )
            )
        else:
            for code, count in raw_votes.items():
                votes[code] = _count(count, f"figures.votes.{code}", problems)
        party_votes = _party_votes(figures_value.get("party_votes"), problems)
    if problems:
        raise MalformedProtocol(problems)
    return ProtocolDocument(
        election=str(election),
        station=str(station),
        version=version,
        amendment_reason=reason.strip() if isinstance(reason, str) else None,
        figures=ProtocolFigures(**values, votes=votes, party_votes=party_votes),
        format=document_format,
        contest=contest if isinstance(contest, str) else None,
        photo_sha256=photo_sha256 if isinstance(photo_sha256, str) else None,
    )


def _party_votes(value: Any, problems: list[DocumentProblem]) -> dict[str, int] | None:
    """The party-list ballot's votes by party (absent or null: no such ballot)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(
            DocumentProblem(
                "figures.party_votes", "not_an_object", "must map party short names to votes"
            )
        )
        return None
    return {
        party: _count(count, f"figures.party_votes.{party}", problems)
        for party, count in value.items()
    }


def _format(document: dict[str, Any], problems: list[DocumentProblem]) -> int:
    """The document's format: absent is the first format, which had no such field (0 when
    the field is unusable, and the problem recorded)."""
    if "format" not in document:
        return FIRST_FORMAT
    value = document["format"]
    if isinstance(value, bool) or not isinstance(value, int) or value not in FORMATS:
        problems.append(
            DocumentProblem(
                "format",
                "unknown_format",
                f"must be one of {', '.join(map(str, FORMATS))} (absent: {FIRST_FORMAT})",
            )
        )
        return 0
    format_number: int = value
    return format_number


def document_of(
    *,
    election: str,
    station: str,
    version: int,
    figures: ProtocolFigures,
    amendment_reason: str | None = None,
    contest: str | None = None,
    photo_sha256: str | None = None,
) -> dict[str, Any]:
    """The JSON document for these figures, as a station's software writes it: the current
    format when the contest is given, else the first format."""
    document: dict[str, Any] = {
        "election": election,
        "station": station,
        "version": version,
        "figures": {name: getattr(figures, name) for name in FIGURE_FIELDS}
        | {"votes": dict(figures.votes)},
    }
    # Only when the protocol has the line: documents without it stay byte for byte as before.
    if figures.blank_votes is not None:
        document["figures"]["blank_votes"] = figures.blank_votes
    if figures.party_votes is not None:
        document["figures"]["party_votes"] = dict(figures.party_votes)
    if contest is not None:
        document |= {"format": CURRENT_FORMAT, "contest": contest, "photo_sha256": photo_sha256}
    if amendment_reason is not None:
        document["amendment_reason"] = amendment_reason
    return document
