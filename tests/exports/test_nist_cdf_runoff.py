"""Round 2 in the NIST report: an Election of its own (Type "runoff", dated by round 2's
polling day) whose CandidateContest counts the standing candidates station by station from
the signed round-2 protocols, in ballot order; round 1's qualified candidates advanced to
it; the report passes NIST's XSD, schematron and JSON schema, and `tallyroom verify`
remakes it byte for byte (a forged round-2 count in it is named)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tallyroom.exports.nist_validation import check_vote_sums, validate_json, validate_xml
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_layout import NIST_JSON, NIST_XML
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.results.publication import gather_publication
from tallyroom.store.database import transaction
from tests.api.test_round_two_certification import CERTIFY, ROUND_TWO_VOTES
from tests.api.test_round_two_protocols import _round_two
from tests.commission_console import give_commission_key
from tests.exports.test_snapshot import rewrite
from tests.runoff_election import poll_and_certify, two_round_copy
from tests.station_client import Api


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


def _snapshot(api: Api, folder: Path) -> Path:
    with transaction(api.sessions) as session:
        return write_snapshot(gather_publication(session), folder).folder


def _elections(folder: Path) -> list[dict[str, Any]]:
    report = json.loads((folder / NIST_JSON).read_text(encoding="utf-8"))
    elections = report["Election"]
    assert isinstance(elections, list)
    return elections


def test_round_two_is_an_election_of_its_own(api: Api, tmp_path: Path) -> None:
    give_commission_key(api)
    poll_and_certify(api, 1)
    defined = api.client.post(
        "/api/v1/contests/constituency-1/runoff",
        json={"polling_date": "2024-09-15"},
        headers=api.commission,
    )
    assert defined.status_code == 201, defined.text
    for station, votes, registered in ROUND_TWO_VOTES[:2]:
        assert api.submit(_round_two(station, votes, registered)).status_code == 201
    folder = _snapshot(api, tmp_path / "partial")
    assert verify_snapshot(folder).problems == []
    assert validate_xml((folder / NIST_XML).read_bytes()) == []
    document = json.loads((folder / NIST_JSON).read_text(encoding="utf-8"))
    assert validate_json(document) == []
    assert check_vote_sums(document) == []
    first, second = _elections(folder)
    assert (first["Type"], second["Type"]) == ("general", "runoff")
    assert (second["StartDate"], second["EndDate"]) == ("2024-09-15", "2024-09-15")
    # Round 1: the two qualified advanced to round 2, C003 did not.
    statuses = {
        c["ExternalIdentifier"][0]["Value"]: c.get("PostElectionStatus") for c in first["Candidate"]
    }
    assert statuses["C001"] == statuses["C002"] == "advanced-to-runoff"
    assert statuses["C003"] != "advanced-to-runoff"
    (contest,) = second["Contest"]
    assert contest["@type"] == "ElectionResults.CandidateContest"
    assert (contest["SubUnitsReported"], contest["TotalSubUnits"]) == (2, 3)
    # The round-2 count from the two stations' protocols, per candidate in ballot order.
    district = {
        selection["CandidateIds"][0]: next(
            count["Count"] for count in selection["VoteCounts"] if count["GpUnitId"] == "ru-ed-001"
        )
        for selection in contest["ContestSelection"]
    }
    expected = {
        f"cand-{code}-round-2": sum(votes[code] for _, votes, _ in ROUND_TWO_VOTES[:2])
        for code in ("C001", "C002")
    }
    assert district == expected
    assert [s["CandidateIds"][0] for s in contest["ContestSelection"]] == list(expected)
    # Nobody has won round 2 yet: no winner in the report.
    assert all("PostElectionStatus" not in c for c in second["Candidate"])
    last = ROUND_TWO_VOTES[2]
    assert api.submit(_round_two(*last)).status_code == 201
    assert api.client.post(CERTIFY, headers=api.commission).status_code == 201
    folder = _snapshot(api, tmp_path / "certified")
    assert verify_snapshot(folder).problems == []
    _, second = _elections(folder)
    won = {c["@id"]: c.get("PostElectionStatus") for c in second["Candidate"]}
    assert won == {"cand-C001-round-2": "winner", "cand-C002-round-2": "defeated"}
    # A forger who moves round 2's votes in the NIST report (manifest mended) is named.
    report = json.loads((folder / NIST_JSON).read_text(encoding="utf-8"))
    selection = report["Election"][1]["Contest"][0]["ContestSelection"][0]
    selection["VoteCounts"][-1]["Count"] += 100
    rewrite(folder, NIST_JSON, report, update_manifest=True)
    problems = verify_snapshot(folder).problems
    assert any(NIST_JSON in problem for problem in problems), problems


def test_the_snapshot_page_shows_round_two_as_the_live_site(api: Api, tmp_path: Path) -> None:
    give_commission_key(api)
    poll_and_certify(api, 1)
    defined = api.client.post(
        "/api/v1/contests/constituency-1/runoff",
        json={"withdrawals": ["C002"], "reason": "C002 withdrew", "polling_date": "2024-09-15"},
        headers=api.commission,
    )
    assert defined.status_code == 201, defined.text
    for station, registered in (("001-0001", 1200), ("001-0002", 800), ("001-0003", 150)):
        answer = api.submit(_round_two(station, {"C001": 100}, registered))
        assert answer.json()["status"] == "accepted", answer.text
    assert api.client.post(CERTIFY, headers=api.commission).status_code == 201
    folder = _snapshot(api, tmp_path / "published")
    assert verify_snapshot(folder).problems == []
    page = (folder / "constituencies" / "001.html").read_text(encoding="utf-8")
    live = api.client.get("/constituencies/1?lang=en").text
    section = page[page.index('id="round-two-section"') :]
    section = section[: section.index("</section>")]
    assert 'data-contest="constituency-1/round-2"' in section
    assert "Round 2 (2024-09-15)" in section
    assert "Certified." in section
    # The same rows as the live page: C001 won with 300 (3 × 100), C002 withdrew.
    for code in ("C001", "C002"):
        assert f'data-candidate="{code}"' in live
    winner = section[section.index('data-candidate="C001"') :]
    winner = winner[: winner.index("</tr>")]
    assert 'data-seat-status="won"' in winner
    assert ">300<" in winner
    assert ">650<" in winner
    withdrawn = section[section.index('data-candidate="C002"') :]
    assert "withdrew" in withdrawn[: withdrawn.index("</tr>")]
    # A page forged to show other figures is named by verify.
    forged = page.replace(">300<", ">900<")
    assert forged != page
    (folder / "constituencies" / "001.html").write_text(forged, encoding="utf-8")
    problems = verify_snapshot(folder).problems
    assert any("001.html" in problem for problem in problems), problems
