"""The station app's rule evaluator (static/rules/evaluate.js), run by node over the same
vectors as the server's: both must compute the same failures, fields, messages and errors."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import tallyroom.web
from tallyroom.domain.rule_set import PROTOCOL_FIELDS, RuleProblem, rule_set_of
from tests.station_client import Api

EVALUATOR = Path(tallyroom.web.__file__).parent / "static" / "rules" / "evaluate.js"
RUNNER = Path(__file__).parent / "rule_vectors_runner.mjs"
VECTORS = Path(__file__).parents[1] / "domain" / "vectors" / "rule_set_vectors.json"
NODE = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)


@pytest.fixture(scope="module")
def computed() -> dict[str, Any]:
    if NODE is None:
        pytest.skip("node is not installed")
    run = subprocess.run(
        [NODE, str(RUNNER), str(EVALUATOR), str(VECTORS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def _vectors() -> dict[str, Any]:
    vectors: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))
    return vectors


def test_the_app_finds_the_same_failures_as_the_server(computed: dict[str, Any]) -> None:
    expected = {case["name"]: case["failures"] for case in _vectors()["cases"]}
    found = {case["name"]: case["failures"] for case in computed["cases"]}
    assert found == expected


def test_the_app_refuses_the_same_expressions_at_the_same_column(
    computed: dict[str, Any],
) -> None:
    assert computed["checks"] == _vectors()["checks"]


def test_the_evaluator_is_served_to_the_station_app(web_api: Api) -> None:
    response = web_api.client.get("/static/rules/evaluate.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.content == EVALUATOR.read_bytes()
    # Files are looked up by name among those read at start-up, never on the disk.
    assert web_api.client.get("/static/rules/%2e%2e/site.css").status_code == 404
    assert web_api.client.get("/static/rules/missing.js").status_code == 404


def _random_rule_set(rng: random.Random) -> dict[str, Any]:
    names = [*PROTOCOL_FIELDS, "station.registered_voters", "station.check_ins", "sum(votes)"]

    def side(depth: int) -> str:
        if depth > 2 or rng.random() < 0.4:
            return rng.choice([*names, str(rng.randint(0, 50))])
        operator = rng.choice(["+", "-", "*", "+"])
        text = f"{side(depth + 1)} {operator} {side(depth + 1)}"
        return f"({text})" if rng.random() < 0.5 else text

    rules = []
    for index in range(6):
        left, right = side(0), side(0)
        operator = rng.choice(["==", "!=", "<=", ">=", "<", ">"])
        tolerance = rng.choice(
            [
                {"kind": "absolute", "value": rng.randint(0, 20)},
                {"kind": "relative", "value": rng.randint(0, 900)},
            ]
        )
        rules.append(
            {
                "id": f"rule_{index}",
                "check": f"{left} {operator} {right}",
                "tolerance": tolerance,
                "action": rng.choice(["flag", "refuse"]),
                "message": {
                    language: f"{language} {{{left}}} / {{{right}}} / {{{left} - ({right})}}"
                    for language in ("az", "en", "ru")
                },
            }
        )
    return {"rules": rules}


def test_random_rules_and_protocols_are_judged_alike(tmp_path: Path) -> None:
    if NODE is None:
        pytest.skip("node is not installed")
    rng = random.Random(11)
    rule_sets: dict[str, Any] = {}
    cases = []
    for number in range(40):
        try:
            rule_set = rule_set_of(_random_rule_set(rng))
        except RuleProblem:
            continue  # a placeholder naming what its check does not: refused, as it should be
        rule_sets[str(number)] = rule_set.as_json()
        for _ in range(10):
            fields: dict[str, Any] = {
                name: rng.choice([rng.randint(0, 2000), rng.randint(0, 2000), None])
                for name in PROTOCOL_FIELDS
            }
            fields["votes"] = {code: rng.randint(0, 700) for code in "ABC"[: rng.randint(0, 3)]}
            facts = {
                "registered_voters": rng.randint(0, 2000),
                "check_ins": rng.choice([None, 900]),
            }
            votes = fields.pop("votes")
            failures = rule_set.failures(fields, votes, facts)
            fields["votes"] = votes
            cases.append(
                {
                    "name": f"{number}-{len(cases)}",
                    "rule_set": str(number),
                    "protocol_fields": fields,
                    "station_facts": facts,
                    "failures": [
                        {
                            "rule": failure.rule,
                            "action": failure.action.value,
                            "fields": list(failure.fields),
                            "message": failure.messages,
                        }
                        for failure in failures
                    ],
                }
            )
    assert len(cases) > 100
    assert any(case["failures"] for case in cases)
    vectors = tmp_path / "random_vectors.json"
    vectors.write_text(json.dumps({"rule_sets": rule_sets, "cases": cases, "checks": []}))
    run = subprocess.run(
        [NODE, str(RUNNER), str(EVALUATOR), str(vectors)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    found = {case["name"]: case["failures"] for case in json.loads(run.stdout)["cases"]}
    assert found == {case["name"]: case["failures"] for case in cases}
