"""NIST SP 1500-100 v2 export: valid against NIST's schemas and rules, and figures that add up."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tallyroom.domain.candidate import Candidate, CandidateStatus, Nomination
from tallyroom.domain.constituency import Constituency
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import Election, VotingHours
from tallyroom.domain.party import Party
from tallyroom.domain.polling_station import PollingStation, StationKind
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.exports.nist_cdf import election_report_json, election_report_xml
from tallyroom.exports.nist_schematron import compile_schematron
from tallyroom.exports.nist_validation import check_vote_sums, validate_json, validate_xml

NS = {"cdf": "http://itl.nist.gov/ns/voting/1500-100/v2"}
XSI_SCHEMA_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
EXAMPLES = Path(__file__).resolve().parent / "nist_examples"
BAKU = timezone(timedelta(hours=4))
GENERATED_AT = datetime(2024, 9, 2, 1, 30, 15, 123456, tzinfo=BAKU)


def _definition() -> ElectionDefinition:
    election = Election(
        code="az-2024-test",
        name="Milli Məclis seçkisi 2024",
        country="AZ",
        polling_day=date(2024, 9, 1),
        timezone="Asia/Baku",
        voting_hours=VotingHours(time(8), time(19)),
        turnout_report_times=(time(10), time(12), time(15), time(19)),
        seats=2,
    )
    return ElectionDefinition(
        election=election,
        constituencies=[Constituency(1, "Şərur-Sədərək"), Constituency(2, "Naxçıvan şəhər")],
        stations=[
            PollingStation("001-0001", 1, "Məktəb 1", StationKind.PERMANENT, 900),
            PollingStation("001-0002", 1, "Məktəb 2", StationKind.PERMANENT, 600),
            PollingStation("002-0001", 2, "Klub", StationKind.PERMANENT, 1200),
        ],
        parties=[
            Party("YAP", "Yeni Azərbaycan Partiyası", "#1F77B4"),
            Party("AXCP", "Azərbaycan Xalq Cəbhəsi Partiyası", "#2ca02c"),
        ],
        candidates=[
            Candidate("C1", 1, "Əli Məmmədov", Nomination.PARTY, "YAP"),
            Candidate("C2", 1, "Leyla Həsənova", Nomination.PARTY_MEMBER, "AXCP"),
            Candidate("C3", 1, "Rauf Quliyev", Nomination.NON_PARTY, None),
            Candidate("C4", 2, "Nərmin Əliyeva", Nomination.PARTY, "YAP"),
            Candidate("C5", 2, "Tural Babayev", Nomination.NON_PARTY, None),
            Candidate(
                "C6", 2, "Kamran İsmayılov", Nomination.NON_PARTY, None, CandidateStatus.WITHDRAWN
            ),
        ],
    )


def _protocol(registered: int, votes: dict[str, int], invalid: int) -> ProtocolFigures:
    cast = sum(votes.values()) + invalid
    return ProtocolFigures(
        registered_voters=registered,
        voters_added=3,
        ballots_received=registered,
        ballots_issued_in_station=cast - 5,
        ballots_issued_portable=5,
        ballots_cast=cast,
        invalid_ballots=invalid,
        unused_ballots=registered - cast,
        votes=votes,
    )


# Station 002-0001 has not reported: constituency 2 has no figures yet.
PROTOCOLS = {
    "001-0001": _protocol(900, {"C1": 300, "C2": 200, "C3": 100}, 12),
    "001-0002": _protocol(600, {"C1": 150, "C2": 180, "C3": 20}, 10),
}


def _xml(status: str = "preliminary", protocols: dict[str, ProtocolFigures] = PROTOCOLS) -> bytes:
    return election_report_xml(
        _definition(),
        protocols,
        status=status,  # type: ignore[arg-type]
        generated_at=GENERATED_AT,
        vendor_application_id="tallyroom test",
    )


def _json(
    status: str = "preliminary", protocols: dict[str, ProtocolFigures] = PROTOCOLS
) -> dict[str, Any]:
    return election_report_json(
        _definition(),
        protocols,
        status=status,  # type: ignore[arg-type]
        generated_at=GENERATED_AT,
        vendor_application_id="tallyroom test",
    )


def _count(root: etree._Element, selection: str, unit: str) -> float | None:
    found = root.xpath(
        "//cdf:ContestSelection[@ObjectId=$selection]/cdf:VoteCounts"
        "[cdf:GpUnitId=$unit][cdf:Type='total']/cdf:Count/text()",
        namespaces=NS,
        selection=selection,
        unit=unit,
    )
    assert isinstance(found, list)
    return float(str(found[0])) if found else None


def _by_id(items: list[dict[str, Any]], object_id: str) -> dict[str, Any]:
    return next(item for item in items if item["@id"] == object_id)


def test_xml_export_passes_xsd_and_nist_schematron() -> None:
    assert validate_xml(_xml()) == []
    assert validate_xml(_xml("final")) == []


def test_json_export_passes_nist_json_schema_and_vote_sums() -> None:
    document = _json()
    assert validate_json(document) == []
    assert check_vote_sums(document) == []
    # The dict really is JSON: it survives a round trip unchanged.
    assert json.loads(json.dumps(document)) == document


def test_export_is_deterministic_with_stable_ids() -> None:
    assert _xml() == _xml()
    assert _json() == _json()
    root = etree.fromstring(_xml())
    ids = root.xpath("//@ObjectId")
    assert ids == [
        "cand-C1", "cand-C2", "cand-C3", "cand-C4", "cand-C5", "cand-C6",
        "contest-001", "sel-C1", "sel-C2", "sel-C3",
        "contest-002", "sel-C4", "sel-C5", "sel-C6",
        "ru-az", "ru-ed-001", "ru-ed-002", "ru-ps-001-0001", "ru-ps-001-0002", "ru-ps-002-0001",
        "office-001", "office-002", "party-YAP", "party-AXCP",
        "person-C1", "person-C2", "person-C3", "person-C4", "person-C5", "person-C6",
    ]  # fmt: skip
    ocd_ids = root.xpath(
        "//cdf:ExternalIdentifier[cdf:Type='ocd-id']/cdf:Value/text()", namespaces=NS
    )
    assert ocd_ids == [
        "ocd-division/country:az/ed:1",
        "ocd-division/country:az/ed:2",
        "ocd-division/country:az",
        "ocd-division/country:az/ed:1",
        "ocd-division/country:az/ed:2",
    ]


def test_root_has_no_schema_location_and_header_literals() -> None:
    root = etree.fromstring(_xml())
    assert root.get(XSI_SCHEMA_LOCATION) is None
    assert root.findtext("cdf:Format", namespaces=NS) == "precinct-level"
    assert root.findtext("cdf:GeneratedDate", namespaces=NS) == "2024-09-02T01:30:15+04:00"
    assert root.findtext("cdf:IsTest", namespaces=NS) == "false"
    assert root.findtext("cdf:SequenceStart", namespaces=NS) == "1"
    assert root.findtext("cdf:SequenceEnd", namespaces=NS) == "1"
    assert root.findtext("cdf:VendorApplicationId", namespaces=NS) == "tallyroom test"
    assert root.findtext("cdf:IssuerAbbreviation", namespaces=NS) == "CEC"


@pytest.mark.parametrize(
    ("status", "protocols", "expected"),
    [
        ("preliminary", PROTOCOLS, "unofficial-partial"),
        (
            "preliminary",
            {**PROTOCOLS, "002-0001": _protocol(1200, {"C4": 500, "C5": 400}, 20)},
            "unofficial-complete",
        ),
        ("final", PROTOCOLS, "certified"),
    ],
)
def test_report_status_follows_stage_and_reporting(
    status: str, protocols: dict[str, ProtocolFigures], expected: str
) -> None:
    assert _json(status, protocols)["Status"] == expected


def test_vote_counts_per_station_and_constituency() -> None:
    root = etree.fromstring(_xml())
    assert _count(root, "sel-C1", "ru-ps-001-0001") == 300
    assert _count(root, "sel-C1", "ru-ps-001-0002") == 150
    assert _count(root, "sel-C1", "ru-ed-001") == 450
    assert _count(root, "sel-C2", "ru-ed-001") == 380
    assert _count(root, "sel-C3", "ru-ed-001") == 120
    # Nothing is reported for the station that has not reported, nor a zero for its district.
    assert _count(root, "sel-C4", "ru-ps-002-0001") is None
    assert _count(root, "sel-C4", "ru-ed-002") is None


def test_ballot_counts_turnout_and_count_status() -> None:
    document = _json()
    election = document["Election"][0]
    ballots = {counts["GpUnitId"]: counts for counts in election["BallotCounts"]}
    assert ballots["ru-ps-001-0001"]["BallotsCast"] == 612
    assert ballots["ru-ps-001-0001"]["BallotsRejected"] == 12
    assert ballots["ru-ed-001"]["BallotsCast"] == 612 + 360
    assert ballots["ru-az"]["BallotsRejected"] == 22
    assert "ru-ps-002-0001" not in ballots
    assert "ru-ed-002" not in ballots
    units = document["GpUnit"]
    station = _by_id(units, "ru-ps-001-0001")
    assert station["Type"] == "polling-place"
    assert station["VotersRegistered"] == 903  # register plus voters added on polling day
    assert station["VotersParticipated"] == 612
    assert station["CountStatus"][0]["Status"] == "completed"
    silent = _by_id(units, "ru-ps-002-0001")
    assert silent["VotersRegistered"] == 1200
    assert "VotersParticipated" not in silent
    assert silent["CountStatus"][0]["Status"] == "not-processed"
    district = _by_id(units, "ru-ed-001")
    assert (district["Type"], district["OtherType"]) == ("other", "constituency")
    assert (district["SubUnitsReported"], district["TotalSubUnits"]) == (2, 2)
    assert _by_id(units, "ru-ed-002")["CountStatus"][0]["Status"] == "not-processed"
    country = _by_id(units, "ru-az")
    assert country["Type"] == "country"
    assert country["CountStatus"][0]["Status"] == "in-process"
    assert country["VotersRegistered"] == 903 + 603 + 1200
    contest = _by_id(election["Contest"], "contest-001")
    assert (contest["NumberElected"], contest["VotesAllowed"]) == (1, 1)


def test_nomination_and_affiliation() -> None:
    document = _json()
    candidates = document["Election"][0]["Candidate"]
    persons = document["Person"]
    nominee, member, non_party = (_by_id(candidates, f"cand-C{n}") for n in (1, 2, 3))
    assert nominee["PartyId"] == "party-YAP"
    assert "PartyId" not in member  # self-nominated: stands as an independent
    assert _by_id(persons, "person-C2")["PartyId"] == "party-AXCP"
    assert "PartyId" not in non_party
    assert "PartyId" not in _by_id(persons, "person-C3")
    withdrawn = _by_id(candidates, "cand-C6")
    assert withdrawn["PreElectionStatus"] == withdrawn["PostElectionStatus"] == "withdrawn"
    assert _by_id(document["Party"], "party-YAP")["Color"] == "1f77b4"


def test_winners_only_on_final_complete_results() -> None:
    preliminary = _json()["Election"][0]["Candidate"]
    assert "PostElectionStatus" not in _by_id(preliminary, "cand-C1")
    final = _json("final")["Election"][0]["Candidate"]
    assert _by_id(final, "cand-C1")["PostElectionStatus"] == "winner"
    assert _by_id(final, "cand-C2")["PostElectionStatus"] == "defeated"
    # Constituency 2 has no figures: no winner is declared there.
    assert "PostElectionStatus" not in _by_id(final, "cand-C4")


def test_schematron_catches_candidate_reference_to_a_party() -> None:
    root = etree.fromstring(_xml())
    candidate_ids = root.xpath(
        "//cdf:ContestSelection[@ObjectId='sel-C1']/cdf:CandidateIds", namespaces=NS
    )
    assert isinstance(candidate_ids, list)
    candidate_ids[0].text = "party-YAP"
    broken = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    # The XSD sees only a well-formed IDREF; NIST's Schematron rule sees the wrong class.
    assert validate_xml(broken) == [
        "Schematron: /ElectionReport[1]/Election[1]/Contest[1]/ContestSelection[1] "
        "(ObjectId sel-C1): CandidateIds (party-YAP) must point to an element of type Candidate"
    ]


def test_dangling_reference_and_schema_location_are_reported() -> None:
    root = etree.fromstring(_xml())
    root.set(XSI_SCHEMA_LOCATION, "http://itl.nist.gov/ns/voting/1500-100/v2 err.xsd")
    person_id = root.find("cdf:Election/cdf:Candidate/cdf:PersonId", namespaces=NS)
    assert person_id is not None
    person_id.text = "person-nobody"
    # libxml2's XSD check does not resolve IDREFs; the Schematron rule does.
    assert validate_xml(etree.tostring(root)) == [
        "XML: the root carries xsi:schemaLocation; NIST's pipeline rejects it",
        "Schematron: /ElectionReport[1]/Election[1]/Candidate[1] (ObjectId cand-C1): "
        "PersonId (person-nobody) must point to an element of type Person",
    ]


def test_xsd_catches_elements_out_of_sequence_order() -> None:
    root = etree.fromstring(_xml())
    status = root.find("cdf:Status", namespaces=NS)
    assert status is not None
    root.remove(status)
    root.insert(0, status)
    problems = validate_xml(etree.tostring(root))
    assert len(problems) == 1
    assert problems[0].startswith("XSD: line ")
    assert "Status" in problems[0]


def _selection(document: dict[str, Any], selection_id: str) -> dict[str, Any]:
    for contest in document["Election"][0]["Contest"]:
        for selection in contest["ContestSelection"]:
            if selection["@id"] == selection_id:
                return dict(selection)
    raise KeyError(selection_id)


def test_vote_sums_catch_a_tampered_station_count() -> None:
    document = copy.deepcopy(_json())
    selection = _selection(document, "sel-C2")
    station_count = next(c for c in selection["VoteCounts"] if c["GpUnitId"] == "ru-ps-001-0002")
    station_count["Count"] += 25
    # Still schema-valid: only arithmetic can see it.
    assert validate_json(document) == []
    assert check_vote_sums(document) == [
        "contest-001 sel-C2 votes at ru-ed-001 is 380, its units add up to 405",
        "contest-001 at ru-ps-001-0002: votes 375 + rejected 10 = 385, but BallotsCast is 360",
    ]


def test_vote_sums_catch_tampered_ballot_counts() -> None:
    document = copy.deepcopy(_json())
    ballots = document["Election"][0]["BallotCounts"]
    district = next(counts for counts in ballots if counts["GpUnitId"] == "ru-ed-001")
    district["BallotsRejected"] -= 2
    assert check_vote_sums(document) == [
        "BallotCounts BallotsRejected at ru-ed-001 is 20, its units add up to 22",
        "BallotCounts BallotsRejected at ru-az is 22, its units add up to 20",
        "contest-001 at ru-ed-001: votes 950 + rejected 20 = 970, but BallotsCast is 972",
    ]


def test_export_refuses_votes_for_a_candidate_of_another_constituency() -> None:
    protocols = {"001-0001": _protocol(900, {"C1": 300, "C4": 1}, 12)}
    with pytest.raises(ValueError, match="'C4', not a candidate of constituency 1"):
        _json(protocols=protocols)


def test_export_requires_an_aware_timestamp() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        election_report_json(
            _definition(), PROTOCOLS, status="final", generated_at=datetime(2024, 9, 2)
        )
    utc = election_report_json(
        _definition(), PROTOCOLS, status="final", generated_at=datetime(2024, 9, 2, tzinfo=UTC)
    )
    assert utc["GeneratedDate"] == "2024-09-02T00:00:00+00:00"


def test_validator_accepts_known_good_examples() -> None:
    assert validate_xml((EXAMPLES / "parliamentary-smc-minimal.xml").read_bytes()) == []
    smc_json = json.loads((EXAMPLES / "parliamentary-smc-minimal.json").read_text())
    assert validate_json(smc_json) == []
    assert check_vote_sums(smc_json) == []
    # This third-party file carries xsi:schemaLocation, valid for the XSD but refused by NIST's
    # pipeline; without that policy it passes XSD and Schematron.
    minimum = (EXAMPLES / "minimum_valid_document.xml").read_bytes()
    assert validate_xml(minimum, reject_schema_location=False) == []
    assert validate_xml(minimum) == [
        "XML: the root carries xsi:schemaLocation; NIST's pipeline rejects it"
    ]


def test_every_nist_schematron_assert_is_compiled() -> None:
    source = files("tallyroom.exports").joinpath("nist_schemas/err_v2_sua.sch").read_bytes()
    schematron = etree.fromstring(source)
    stylesheet = etree.fromstring(compile_schematron(schematron).encode())
    xsl = {"xsl": "http://www.w3.org/1999/XSL/Transform"}
    asserts = schematron.findall(".//{http://purl.oclc.org/dsdl/schematron}assert")
    assert len(asserts) == 29
    assert len(stylesheet.findall(".//xsl:template/xsl:if", xsl)) == 29
    assert len(stylesheet.findall("xsl:key", xsl)) == 9


def test_schematron_catches_counts_and_districts_pointing_at_the_wrong_class() -> None:
    root = etree.fromstring(_xml())
    vote_unit = root.find(".//cdf:VoteCounts/cdf:GpUnitId", namespaces=NS)
    district = root.find(".//cdf:Office/cdf:ElectionDistrictId", namespaces=NS)
    assert vote_unit is not None
    assert district is not None
    vote_unit.text = "party-YAP"
    district.text = "contest-001"
    assert validate_xml(etree.tostring(root)) == [
        "Schematron: /ElectionReport[1]/Election[1]/Contest[1]/ContestSelection[1]/VoteCounts[1]: "
        "GpUnitId (party-YAP) must point to an element of type GpUnit",
        "Schematron: /ElectionReport[1]/Office[1] (ObjectId office-001): "
        "ElectionDistrictId (contest-001) must point to an element of type ReportingUnit",
    ]
