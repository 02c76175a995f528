"""POST /api/v1/contests/{contest}/runoff and GET /api/v1/runoffs: round 2 defined by the
commission from the certified round 1, public once defined; hostile requests refused with
their codes (4xx, never 5xx) and nothing stored."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.polled_election import poll_small_election
from tests.runoff_election import certify, poll_and_certify, two_round_copy
from tests.station_client import Api

PATH = "/api/v1/contests/constituency-1/runoff"


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


def test_defined_and_published(api: Api) -> None:
    poll_and_certify(api, 1)
    answer = api.client.post(
        PATH, json={"withdrawals": ["C002"], "reason": "C002 withdrew"}, headers=api.commission
    )
    assert answer.status_code == 201, answer.text
    defined = answer.json()
    assert defined["contest"] == "constituency-1/round-2"
    assert defined["standing"] == ["C001"]
    assert defined["withdrawn"] == ["C002"]
    assert defined["reason"] == "C002 withdrew"
    published = api.client.get("/api/v1/runoffs")
    assert published.status_code == 200
    (runoff,) = published.json()["runoffs"]
    assert {k: v for k, v in runoff.items() if k not in ("round_two", "turnout")} == defined
    assert runoff["round_two"]["stations_counted"] == 0
    assert runoff["turnout"] == []
    replayed = api.client.post(PATH, json={"withdrawals": ["C002"]}, headers=api.commission)
    assert (replayed.status_code, replayed.json()["error"]["code"]) == (409, "runoff_defined")


def test_no_body_defines_round_two_with_every_qualified_candidate(api: Api) -> None:
    poll_and_certify(api, 1)
    answer = api.client.post(PATH, headers=api.commission)
    assert answer.status_code == 201, answer.text
    assert answer.json()["standing"] == ["C001", "C002"]


def _code(answer: httpx.Response) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_hostile_requests(api: Api) -> None:
    poll_small_election(api)
    assert _code(api.client.post(PATH, json={}, headers=api.commission)) == (
        409,
        "round_one_not_certified",
    )
    certify(api, 1)
    cases: list[tuple[object, dict[str, str], tuple[int, str]]] = [
        ({"withdrawals": ["C999"]}, api.commission, (422, "unknown_candidate")),
        ({"withdrawals": ["C003"]}, api.commission, (409, "not_qualified")),
        ({"withdrawals": "C002"}, api.commission, (422, "invalid_withdrawals")),
        ({"withdrawals": ["x" * 33]}, api.commission, (422, "invalid_withdrawals")),
        ({"withdrawals": ["C002"] * 101}, api.commission, (422, "invalid_withdrawals")),
        ({"reason": "x" * 2001}, api.commission, (422, "invalid_reason")),
        ([1, 2], api.commission, (400, "malformed_json")),
        ({}, api.headers(api.credentials.observer_token), (403, "commission_only")),
        ({}, api.headers(api.station_token("001-0001")), (403, "commission_only")),
        ({}, {}, (401, "missing_token")),
    ]
    for body, headers, expected in cases:
        answer = api.client.post(PATH, json=body, headers=headers)
        assert answer.status_code < 500, answer.text
        assert _code(answer)[0] == expected[0], (body, answer.text)
        if headers:
            assert _code(answer) == expected, (body, answer.text)
    for contest in ("constituency-2", "constituency-99", "national-list", "%00"):
        answer = api.client.post(f"/api/v1/contests/{contest}/runoff", headers=api.commission)
        assert 400 <= answer.status_code < 500, answer.text
    oversized = api.client.post(
        PATH, content=b'{"reason": "' + b"x" * 2_000_000 + b'"}', headers=api.commission
    )
    assert 400 <= oversized.status_code < 500
    assert api.client.get("/api/v1/runoffs").json()["runoffs"] == []
