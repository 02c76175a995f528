"""Accreditation of observers and of the organisations that send them: kinds of applicant,
badge numbers, and the accreditation file the commission loads in bulk."""

from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass

from tallyroom.domain.observer import ObserverKind

#: the columns of an accreditation file (the definition's observers.csv has the first seven)
ACCREDITATION_COLUMNS = (
    "code",
    "full_name",
    "kind",
    "organisation",
    "country",
    "represents",
    "stations",
)
OPTIONAL_COLUMNS = ("constituency",)
MAXIMUM_NAME = 200
MAXIMUM_CODE = 32


class OrganisationKind(enum.StrEnum):
    """Who applies: the kinds the law accredits separately."""

    LOCAL_NGO = "local_ngo"
    PARTY = "party"
    CANDIDATE = "candidate"
    INTERNATIONAL = "international"
    EXIT_POLL = "exit_poll"

    @property
    def needs_country(self) -> bool:
        return self is OrganisationKind.INTERNATIONAL

    @property
    def needs_partner(self) -> bool:
        return self is OrganisationKind.EXIT_POLL

    @property
    def needs_represented(self) -> bool:
        return self in (OrganisationKind.PARTY, OrganisationKind.CANDIDATE)


class ApplicationStatus(enum.StrEnum):
    APPLIED = "applied"
    ACCREDITED = "accredited"
    REFUSED = "refused"


def badge_number(kind: ObserverKind, serial: int) -> str:
    """International observers get their own series, as the commission numbers them."""
    series = "I" if kind is ObserverKind.INTERNATIONAL else "L"
    return f"{series}-{serial:06d}"


@dataclass(frozen=True, slots=True)
class AccreditationRequest:
    """One row of an accreditation file, with where it came from."""

    line: int
    code: str
    full_name: str
    kind: ObserverKind
    country: str
    organisation: str | None
    represents: str | None
    stations: tuple[str, ...]
    constituency: int | None


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    column: str
    message: str

    def shown(self, file: str) -> str:
        return f"{file}:{self.line}: {self.column}: {self.message}"


def read_accreditation_file(text: str) -> tuple[list[AccreditationRequest], list[RowProblem]]:
    """Every well-formed row as a request and one problem per bad row (its first)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], [RowProblem(1, "header", "the file is empty")]
    header = [name.strip().lstrip("\ufeff") for name in header]
    missing = [name for name in ACCREDITATION_COLUMNS if name not in header]
    if missing:
        return [], [RowProblem(1, "header", f"missing columns: {', '.join(missing)}")]
    position = {name: header.index(name) for name in header}
    requests: list[AccreditationRequest] = []
    problems: list[RowProblem] = []
    for index, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            problems.append(
                RowProblem(index, "row", f"{len(values)} values for {len(header)} columns")
            )
            continue
        problem_or_request = _request(
            index, {name: values[at].strip() for name, at in position.items()}
        )
        if isinstance(problem_or_request, RowProblem):
            problems.append(problem_or_request)
        else:
            requests.append(problem_or_request)
    return requests, problems


def _request(line: int, row: dict[str, str]) -> AccreditationRequest | RowProblem:
    code = row["code"]
    if not code or len(code) > MAXIMUM_CODE:
        return RowProblem(line, "code", f"required, at most {MAXIMUM_CODE} characters")
    if not row["full_name"] or len(row["full_name"]) > MAXIMUM_NAME:
        return RowProblem(line, "full_name", f"required, at most {MAXIMUM_NAME} characters")
    try:
        kind = ObserverKind(row["kind"])
    except ValueError:
        known = ", ".join(k.value for k in ObserverKind)
        return RowProblem(line, "kind", f"{row['kind']!r} is not one of {known}")
    country = row["country"].upper()
    if not (2 <= len(country) <= 3 and country.isascii() and country.isalpha()):
        return RowProblem(line, "country", f"{row['country']!r} is not a country code")
    organisation = row["organisation"] or None
    if kind in (ObserverKind.LOCAL_NGO, ObserverKind.INTERNATIONAL) and organisation is None:
        return RowProblem(line, "organisation", f"required for {kind.value} observers")
    represents = row["represents"] or None
    if (
        kind in (ObserverKind.PARTY_REPRESENTATIVE, ObserverKind.CANDIDATE_REPRESENTATIVE)
        and represents is None
    ):
        return RowProblem(line, "represents", f"required for {kind.value} observers")
    stations = tuple(part.strip() for part in row["stations"].split(";") if part.strip())
    constituency_text = row.get("constituency", "")
    constituency: int | None = None
    if constituency_text:
        if not (constituency_text.isascii() and constituency_text.isdigit()):
            return RowProblem(line, "constituency", f"{constituency_text!r} is not a number")
        constituency = int(constituency_text)
    return AccreditationRequest(
        line=line,
        code=code,
        full_name=row["full_name"],
        kind=kind,
        country=country,
        organisation=organisation,
        represents=represents,
        stations=stations,
        constituency=constituency,
    )
