"""Check NIST SP 1500-100 v2 reports: XSD, NIST's Schematron rules, JSON Schema, and vote sums.

Every check returns all problems found as readable messages; an empty list means valid.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema
from lxml import etree

from tallyroom.exports.nist_schematron import SchematronValidator

_SCHEMAS = files("tallyroom.exports").joinpath("nist_schemas")
_XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"


def _safe_parser() -> etree.XMLParser:
    # Reports may come from outside; never resolve entities or fetch anything over the network.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@cache
def _xml_schema() -> etree.XMLSchema:
    source = _SCHEMAS.joinpath("NIST_V2_election_results_reporting.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(source, _safe_parser()))


@cache
def _schematron() -> SchematronValidator:
    source = _SCHEMAS.joinpath("err_v2_sua.sch").read_bytes()
    return SchematronValidator(etree.fromstring(source, _safe_parser()))


@cache
def _json_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(_SCHEMAS.joinpath("NIST_V2_election_results_reporting.json").read_text())
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def validate_xml(xml: bytes, *, reject_schema_location: bool = True) -> list[str]:
    """Problems of an XML report against the NIST XSD and NIST's Schematron (``err_v2_sua.sch``).

    Also refuses ``xsi:schemaLocation`` on the root, which NIST's own test pipeline rejects
    (``reject_schema_location=False`` checks third-party files that carry one).
    """
    try:
        document = etree.fromstring(xml, _safe_parser())
    except etree.XMLSyntaxError as error:
        return [f"XML: not well-formed: {error}"]
    problems: list[str] = []
    for attribute in ("schemaLocation", "noNamespaceSchemaLocation"):
        if reject_schema_location and document.get(f"{{{_XSI_NAMESPACE}}}{attribute}") is not None:
            problems.append(f"XML: the root carries xsi:{attribute}; NIST's pipeline rejects it")
    schema = _xml_schema()
    if not schema.validate(document):
        problems.extend(f"XSD: line {error.line}: {error.message}" for error in schema.error_log)
    problems.extend(str(failure) for failure in _schematron().validate(document))
    return problems


def validate_json(document: Mapping[str, Any]) -> list[str]:
    """Problems of a JSON report against the NIST JSON Schema (draft-04, with format checks)."""
    errors = sorted(_json_validator().iter_errors(document), key=lambda error: list(error.path))
    return [
        f"JSON Schema: /{'/'.join(str(part) for part in error.path)}: {error.message}"
        for error in errors
    ]


def _totals_by_unit(counts: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    return {count["GpUnitId"]: count["Count"] for count in counts if count.get("Type") == "total"}


def _within(unit_id: str, composing: Mapping[str, list[str]]) -> set[str]:
    """The units a unit is composed of, at any depth (ComposingGpUnitIds followed down)."""
    found: set[str] = set()
    pending = list(composing.get(unit_id, []))
    while pending:
        part = pending.pop()
        if part not in found:
            found.add(part)
            pending.extend(composing.get(part, []))
    return found


def _nearest_reporting(
    unit_id: str, reported: Iterable[str], composing: Mapping[str, list[str]]
) -> list[str]:
    """The closest composing units that report a figure (skipping levels that do not)."""
    reporting = set(reported)
    nearest: list[str] = []
    pending = list(composing.get(unit_id, []))
    seen: set[str] = set()
    while pending:
        part = pending.pop(0)
        if part in seen:
            continue
        seen.add(part)
        if part in reporting:
            nearest.append(part)
        else:
            pending.extend(composing.get(part, []))
    return nearest


def _sum_problems(
    label: str, figures: Mapping[str, float], composing: Mapping[str, list[str]]
) -> list[str]:
    problems: list[str] = []
    for unit_id, figure in figures.items():
        parts = _nearest_reporting(unit_id, figures, composing)
        added = sum(figures[part] for part in parts)
        if parts and added != figure:
            problems.append(f"{label} at {unit_id} is {figure:g}, its units add up to {added:g}")
    return problems


def check_vote_sums(document: Mapping[str, Any]) -> list[str]:
    """Arithmetic the schemas cannot see, re-done on a JSON report.

    Containment is taken from ``ComposingGpUnitIds``; where a unit declares none, its figures
    cannot be checked and are left alone.

    - every unit's VoteCounts (``Type`` total) per selection equal the sum over its nearest
      composing units that report, and no votes are reported outside the contest's district;
    - the same for BallotsCast and BallotsRejected of BallotCounts;
    - at a unit inside exactly one vote-for-one contest's district (a one-contest ballot, as
      in a parliamentary election), the candidates' votes plus BallotsRejected equal
      BallotsCast: each ballot in the box is a vote for one candidate or invalid, as on the
      station protocol.
    """
    problems: list[str] = []
    composing = {
        unit["@id"]: list(unit.get("ComposingGpUnitIds", [])) for unit in document.get("GpUnit", [])
    }
    for election in document.get("Election", []):
        ballots = {
            counts["GpUnitId"]: counts
            for counts in election.get("BallotCounts", [])
            if counts.get("Type") == "total"
        }
        for field in ("BallotsCast", "BallotsRejected"):
            figures = {unit: counts[field] for unit, counts in ballots.items() if field in counts}
            problems.extend(_sum_problems(f"BallotCounts {field}", figures, composing))
        contests = election.get("Contest", [])
        contests_at_unit: dict[str, int] = defaultdict(int)
        for contest in contests:
            district = contest["ElectionDistrictId"]
            for unit_id in {district} | _within(district, composing):
                contests_at_unit[unit_id] += 1
        for contest in contests:
            contest_id = contest.get("@id", "?")
            district = contest["ElectionDistrictId"]
            inside = _within(district, composing)
            valid_by_unit: dict[str, float] = defaultdict(float)
            for selection in contest.get("ContestSelection", []):
                label = f"{contest_id} {selection.get('@id', '?')}"
                totals = _totals_by_unit(selection.get("VoteCounts", []))
                for unit_id, count in totals.items():
                    valid_by_unit[unit_id] += count
                    if inside and unit_id != district and unit_id not in inside:
                        problems.append(
                            f"{label}: votes at {unit_id}, outside the district {district}"
                        )
                problems.extend(_sum_problems(f"{label} votes", totals, composing))
                if district not in totals and _nearest_reporting(district, totals, composing):
                    problems.append(f"{label}: units report votes but {district} has no total")
            if contest.get("VotesAllowed") != 1:
                continue
            for unit_id, valid in sorted(valid_by_unit.items()):
                counts = ballots.get(unit_id)
                if contests_at_unit[unit_id] != 1 or counts is None:
                    continue
                if "BallotsCast" not in counts or "BallotsRejected" not in counts:
                    continue
                accounted = valid + counts["BallotsRejected"]
                if accounted != counts["BallotsCast"]:
                    problems.append(
                        f"{contest_id} at {unit_id}: votes {valid:g} + rejected "
                        f"{counts['BallotsRejected']} = {accounted:g}, "
                        f"but BallotsCast is {counts['BallotsCast']}"
                    )
    return problems
