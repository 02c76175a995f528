"""NIST CDF export of contests other than single-member plurality: still valid, with the
contest's variation, seats and winners by its own rule."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tallyroom.domain.contest import Contest
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import ContestKind
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.exports.nist_cdf import election_report_json, election_report_xml
from tallyroom.exports.nist_validation import check_vote_sums, validate_json, validate_xml
from tests.exports.test_nist_cdf import GENERATED_AT, _by_id, _definition, _protocol


def _mixed() -> ElectionDefinition:
    definition = _definition()
    return replace(
        definition,
        election=replace(definition.election, seats=3),
        contests=[
            Contest(1, ContestKind.TWO_ROUND_MAJORITY, 1),
            Contest(2, ContestKind.MULTI_MEMBER_PLURALITY, 2),
        ],
    )


def _report(protocols: dict[str, ProtocolFigures]) -> dict[str, Any]:
    return election_report_json(
        _mixed(), protocols, status="final", generated_at=GENERATED_AT, vendor_application_id="t"
    )


NO_MAJORITY = {
    "001-0001": _protocol(900, {"C1": 300, "C2": 200, "C3": 100}, 12),
    "001-0002": _protocol(600, {"C1": 150, "C2": 180, "C3": 20}, 10),
    "002-0001": _protocol(1200, {"C4": 500, "C5": 300}, 8),
}


def test_contest_systems_in_the_report() -> None:
    document = _report(NO_MAJORITY)
    assert validate_json(document) == []
    assert check_vote_sums(document) == []
    xml = election_report_xml(
        _mixed(), NO_MAJORITY, status="final", generated_at=GENERATED_AT, vendor_application_id="t"
    )
    assert validate_xml(xml) == []
    election = document["Election"][0]
    two_round = _by_id(election["Contest"], "contest-001")
    assert (two_round["VoteVariation"], two_round["NumberElected"]) == ("majority", 1)
    multi = _by_id(election["Contest"], "contest-002")
    assert (multi["VoteVariation"], multi["NumberElected"], multi["VotesAllowed"]) == (
        "n-of-m",
        2,
        2,
    )
    candidates = election["Candidate"]
    # C1 leads with 450 of 950 valid votes: no majority, so round 2 and no winner yet.
    assert "PostElectionStatus" not in _by_id(candidates, "cand-C1")
    assert _by_id(candidates, "cand-C4")["PostElectionStatus"] == "winner"
    assert _by_id(candidates, "cand-C5")["PostElectionStatus"] == "winner"


def test_a_round_one_majority_wins() -> None:
    protocols = {
        **NO_MAJORITY,
        "001-0001": _protocol(900, {"C1": 500, "C2": 100, "C3": 50}, 12),
        "001-0002": _protocol(600, {"C1": 250, "C2": 100, "C3": 20}, 10),
    }
    candidates = _report(protocols)["Election"][0]["Candidate"]
    # 750 of 1,020 valid votes and at least a quarter of the 1,500 registered.
    assert _by_id(candidates, "cand-C1")["PostElectionStatus"] == "winner"
    assert _by_id(candidates, "cand-C2")["PostElectionStatus"] == "defeated"
