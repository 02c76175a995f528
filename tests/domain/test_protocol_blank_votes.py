"""The optional blank-votes line of a protocol: parsed, checked, and absent by default."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from tallyroom.domain.control_checks import control_check_failures
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import (
    MalformedProtocol,
    document_of,
    parse_protocol_document,
)
from tallyroom.domain.rule_set import rule_set_of


def _document(**extra: Any) -> dict[str, Any]:
    return {
        "election": "e",
        "station": "001-0001",
        "version": 1,
        "figures": {
            "registered_voters": 1000,
            "voters_added": 0,
            "ballots_received": 1000,
            "ballots_issued_in_station": 600,
            "ballots_issued_portable": 0,
            "ballots_cast": 600,
            "invalid_ballots": 10,
            "unused_ballots": 400,
            "votes": {"A": 400, "B": 170},
            **extra,
        },
    }


def test_without_the_line_nothing_changes() -> None:
    parsed = parse_protocol_document(_document())
    assert parsed.figures.blank_votes is None
    assert (
        "blank_votes"
        not in document_of(election="e", station="001-0001", version=1, figures=parsed.figures)[
            "figures"
        ]
    )
    # 570 votes + 10 invalid ≠ 600 cast.
    codes = [f.code for f in control_check_failures(parsed.figures, standing_candidates={"A", "B"})]
    assert codes == ["votes_and_invalid_differ_from_cast"]


#: a protocol with a blank line is checked by its election's rule (Spain's, say)
BLANK_LINE_RULES = rule_set_of(
    {
        "rules": [
            {
                "id": "votes_blank_and_invalid_differ_from_cast",
                "check": "sum(votes) + blank_votes + invalid_ballots == ballots_cast",
                "message": dict.fromkeys(
                    ("az", "en", "ru"),
                    "{sum(votes) + blank_votes + invalid_ballots} ≠ {ballots_cast}",
                ),
            }
        ]
    }
)


def test_blank_votes_complete_the_ballots_cast() -> None:
    parsed = parse_protocol_document(_document(blank_votes=20))
    assert parsed.figures.blank_votes == 20
    assert (
        control_check_failures(
            parsed.figures, standing_candidates={"A", "B"}, rule_set=BLANK_LINE_RULES
        )
        == []
    )
    document = document_of(election="e", station="001-0001", version=1, figures=parsed.figures)
    assert document["figures"]["blank_votes"] == 20
    assert parse_protocol_document(document) == parsed
    assert pickle.loads(pickle.dumps(parsed.figures)) == parsed.figures


def test_blank_votes_that_do_not_add_up_are_flagged() -> None:
    parsed = parse_protocol_document(_document(blank_votes=25))
    failures = control_check_failures(
        parsed.figures, standing_candidates={"A", "B"}, rule_set=BLANK_LINE_RULES
    )
    assert [f.code for f in failures] == ["votes_blank_and_invalid_differ_from_cast"]
    assert "605 ≠ 600" in failures[0].message


def test_a_rule_naming_blank_votes_is_not_applied_without_the_line() -> None:
    parsed = parse_protocol_document(_document())
    assert (
        control_check_failures(
            parsed.figures, standing_candidates={"A", "B"}, rule_set=BLANK_LINE_RULES
        )
        == []
    )


def test_null_is_absent() -> None:
    assert parse_protocol_document(_document(blank_votes=None)).figures.blank_votes is None


@pytest.mark.parametrize("value", [-1, 1.5, "20", True, 10**9])
def test_bad_blank_votes_are_refused(value: object) -> None:
    with pytest.raises(MalformedProtocol) as raised:
        parse_protocol_document(_document(blank_votes=value))
    assert [p.field for p in raised.value.problems] == ["figures.blank_votes"]


def test_default_figures_have_no_blank_line() -> None:
    assert ProtocolFigures(1, 0, 1, 1, 0, 1, 0, 0, {"A": 1}).blank_votes is None
