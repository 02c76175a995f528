"""The station app's rule evaluator (static/rules/evaluate.js), run by node over the same
vectors as the server's: both must compute the same failures, fields, messages and errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import tallyroom.web
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
