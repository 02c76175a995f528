"""The server's rule evaluator over the vectors the station app's evaluator also runs
(tests/web/test_rule_evaluation_js.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tallyroom.domain.rule_expression import RuleExpressionError, parse_check
from tallyroom.domain.rule_set import NAMES, REFERENCE_RULE_SET, rule_set_of

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "vectors" / "rule_set_vectors.json").read_text(encoding="utf-8")
)


def test_the_vectors_carry_the_reference_rule_set_as_served() -> None:
    assert VECTORS["rule_sets"]["reference"] == REFERENCE_RULE_SET.as_json()


@pytest.mark.parametrize("rule_set", sorted(VECTORS["rule_sets"]))
def test_a_served_rule_set_reads_back_with_its_version(rule_set: str) -> None:
    served = VECTORS["rule_sets"][rule_set]
    assert rule_set_of(served).version == served["version"]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["name"])
def test_failures(case: dict[str, Any]) -> None:
    rule_set = rule_set_of(VECTORS["rule_sets"][case["rule_set"]])
    fields = dict(case["protocol_fields"])
    votes = fields.pop("votes", None)
    found = [
        {
            "rule": failure.rule,
            "action": failure.action.value,
            "fields": list(failure.fields),
            "message": failure.messages,
        }
        for failure in rule_set.failures(fields, votes, case["station_facts"])
    ]
    assert found == case["failures"]


@pytest.mark.parametrize("vector", VECTORS["checks"], ids=lambda vector: vector["check"][:40])
def test_checks(vector: dict[str, Any]) -> None:
    if vector["valid"]:
        parse_check(vector["check"], NAMES)
        return
    with pytest.raises(RuleExpressionError) as raised:
        parse_check(vector["check"], NAMES)
    assert (raised.value.column, str(raised.value)) == (vector["column"], vector["error"])
