"""District list contests in the NIST CDF export: one PartyContest per district (the
national list's exporter) with its parties' votes at the district's stations and the
district, beside the national list contest; valid by the XSD, NIST's schematron and JSON
schema, and the vote sums."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from tallyroom.domain.contest import Contest
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import ContestKind
from tallyroom.domain.leveling_rule import leveling_rule_of
from tallyroom.domain.list_contest import ListContest, ListMethod
from tallyroom.exports.nist_cdf import election_report_json, election_report_xml
from tallyroom.exports.nist_validation import check_vote_sums, validate_json, validate_xml
from tests.exports.test_nist_cdf import GENERATED_AT, _by_id, _definition, _protocol

PROTOCOLS = {
    "001-0001": replace(
        _protocol(900, {"C1": 300, "C2": 200, "C3": 100}, 12), party_votes={"YAP": 400, "AXCP": 200}
    ),
    "001-0002": replace(
        _protocol(600, {"C1": 100, "C2": 150, "C3": 50}, 5), party_votes={"YAP": 120, "AXCP": 180}
    ),
    "002-0001": replace(
        _protocol(1200, {"C4": 500, "C5": 300}, 8), party_votes={"YAP": 600, "AXCP": 200}
    ),
}


def _with_district_list(national: bool) -> ElectionDefinition:
    definition = _definition()
    contest = ListContest("national-list", 2, ListMethod.HARE, Fraction(6)) if national else None
    return replace(
        definition,
        election=replace(
            definition.election, seats=4 + (2 if national else 0), list_contest=contest
        ),
        contests=[Contest(1, ContestKind.SAINTE_LAGUE, 3, threshold_percent=Fraction(5))],
    )


def _report(national: bool) -> dict[str, Any]:
    return election_report_json(
        _with_district_list(national),
        PROTOCOLS,
        status="preliminary",
        generated_at=GENERATED_AT,
        vendor_application_id="t",
    )


def test_a_district_list_contest_is_a_party_contest_of_its_district() -> None:
    for national in (False, True):
        document = _report(national)
        assert validate_json(document) == []
        assert check_vote_sums(document) == []
        xml = election_report_xml(
            _with_district_list(national),
            PROTOCOLS,
            status="preliminary",
            generated_at=GENERATED_AT,
            vendor_application_id="t",
        )
        assert validate_xml(xml) == []
        units = {unit["@id"]: unit for unit in document["GpUnit"]}
        first = next(k for k, unit in units.items() if unit.get("Number") == "1")
        contests = document["Election"][0]["Contest"]
        contest = _by_id(contests, "list-contest-constituency-1")
        assert contest["@type"] == "ElectionResults.PartyContest"
        assert (contest["VoteVariation"], contest["ElectionDistrictId"]) == (
            "proportional",
            first,
        )
        assert (contest["SubUnitsReported"], contest["TotalSubUnits"]) == (2, 2)
        parties = {
            party["@id"]: party["Abbreviation"]["Text"][0]["Content"] for party in document["Party"]
        }
        by_party = {
            parties[selection["PartyIds"][0]]: [
                (c["GpUnitId"], c["Count"]) for c in selection["VoteCounts"]
            ]
            for selection in contest["ContestSelection"]
        }
        # the district's stations and the district once; no other constituency's votes
        assert [count for unit, count in by_party["YAP"] if unit == first] == [520]
        assert [count for unit, count in by_party["AXCP"] if unit == first] == [380]
        assert len(by_party["YAP"]) == 3
        party_contests = [c for c in contests if c["@type"] == "ElectionResults.PartyContest"]
        assert len(party_contests) == (2 if national else 1)


def test_leveling_seats_are_a_party_contest_of_the_country_with_their_number() -> None:
    definition = _with_district_list(False)
    definition = replace(
        definition,
        election=replace(
            definition.election,
            seats=definition.election.seats + 1,
            leveling=leveling_rule_of({"seats_per_district": 1, "threshold": {"percent": 4}}),
        ),
    )
    document = election_report_json(
        definition,
        PROTOCOLS,
        status="preliminary",
        generated_at=GENERATED_AT,
        vendor_application_id="t",
    )
    assert validate_json(document) == []
    assert check_vote_sums(document) == []
    xml = election_report_xml(
        definition,
        PROTOCOLS,
        status="preliminary",
        generated_at=GENERATED_AT,
        vendor_application_id="t",
    )
    assert validate_xml(xml) == []
    contest = _by_id(document["Election"][0]["Contest"], "list-contest-leveling-seats")
    assert contest["@type"] == "ElectionResults.PartyContest"
    assert {(i["Type"], i.get("OtherType"), i["Value"]) for i in contest["ExternalIdentifier"]} == {
        ("local-level", None, "leveling-seats"),
        ("other", "tallyroom-leveling-seats", "1"),
    }
    # over the district list contests' stations only (district 1's two stations)
    assert (contest["SubUnitsReported"], contest["TotalSubUnits"]) == (2, 2)
    units = {unit["@id"]: unit for unit in document["GpUnit"]}
    country = next(k for k, unit in units.items() if unit.get("Type") == "country")
    assert contest["ElectionDistrictId"] == country
    parties = {
        party["@id"]: party["Abbreviation"]["Text"][0]["Content"] for party in document["Party"]
    }
    totals = {
        parties[selection["PartyIds"][0]]: [
            c["Count"] for c in selection["VoteCounts"] if c["GpUnitId"] == country
        ]
        for selection in contest["ContestSelection"]
    }
    assert totals["YAP"] == [520]
    assert totals["AXCP"] == [380]
