"""The national party-list contest in the NIST CDF export: a PartyContest with one
PartySelection per party and its votes at every counted station, constituency and the
country; valid by the XSD, NIST's schematron and JSON schema, and the vote sums."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.list_contest import ListContest, ListMethod
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.exports.nist_cdf import election_report_json, election_report_xml
from tallyroom.exports.nist_validation import check_vote_sums, validate_json, validate_xml
from tests.exports.test_nist_cdf import GENERATED_AT, _by_id, _definition, _protocol


def _with_list() -> ElectionDefinition:
    definition = _definition()
    contest = ListContest("national-list", 5, ListMethod.HARE, Fraction(6))
    return replace(definition, election=replace(definition.election, seats=7, list_contest=contest))


def _listed(figures: ProtocolFigures, party_votes: dict[str, int]) -> ProtocolFigures:
    return replace(figures, party_votes=party_votes)


PROTOCOLS = {
    "001-0001": _listed(
        _protocol(900, {"C1": 300, "C2": 200, "C3": 100}, 12), {"YAP": 400, "AXCP": 200}
    ),
    "002-0001": _listed(_protocol(1200, {"C4": 500, "C5": 300}, 8), {"YAP": 600, "AXCP": 200}),
}


def _report() -> dict[str, Any]:
    return election_report_json(
        _with_list(),
        PROTOCOLS,
        status="preliminary",
        generated_at=GENERATED_AT,
        vendor_application_id="t",
    )


def test_the_list_contest_is_a_party_contest() -> None:
    document = _report()
    assert validate_json(document) == []
    assert check_vote_sums(document) == []
    xml = election_report_xml(
        _with_list(),
        PROTOCOLS,
        status="preliminary",
        generated_at=GENERATED_AT,
        vendor_application_id="t",
    )
    assert validate_xml(xml) == []
    assert b'xsi:type="PartyContest"' in xml
    units = {unit["@id"]: unit for unit in document["GpUnit"]}
    country = next(k for k, unit in units.items() if unit.get("Type") == "country")
    first = next(k for k, unit in units.items() if unit.get("Number") == "1")
    contest = _by_id(document["Election"][0]["Contest"], "list-contest-national-list")
    assert contest["@type"] == "ElectionResults.PartyContest"
    assert (contest["VoteVariation"], contest["ElectionDistrictId"]) == ("proportional", country)
    assert (contest["SubUnitsReported"], contest["TotalSubUnits"]) == (2, 3)
    parties = {
        party["@id"]: party["Abbreviation"]["Text"][0]["Content"] for party in document["Party"]
    }
    by_party = {
        parties[selection["PartyIds"][0]]: {
            c["GpUnitId"]: c["Count"] for c in selection["VoteCounts"]
        }
        for selection in contest["ContestSelection"]
    }
    # each party's station figures, summed per constituency and nationally
    assert (by_party["YAP"][country], by_party["YAP"][first]) == (1000, 400)
    assert (by_party["AXCP"][country], by_party["AXCP"][first]) == (400, 200)


def test_no_list_contest_no_party_contest() -> None:
    document = election_report_json(
        _definition(),
        {code: replace(p, party_votes=None) for code, p in PROTOCOLS.items()},
        status="preliminary",
        generated_at=GENERATED_AT,
        vendor_application_id="t",
    )
    assert all("PartyContest" not in c["@type"] for c in document["Election"][0]["Contest"])
