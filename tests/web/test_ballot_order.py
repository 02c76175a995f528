"""Candidates in ballot order (candidates.csv's ballot_position) on the station page and in
the station's API answer, and the rule set that checked each protocol version."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tallyroom.domain.rule_set import REFERENCE_RULE_SET
from tests.station_client import Api, protocol


@pytest.fixture
def small_election(small_election: Path) -> Path:
    # Constituency 1's ballot: C003 first, then C001; C002 has no position, so comes last.
    path = small_election / "candidates.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    positions = ["ballot_position", "2", "", "1", "", "", ""]
    path.write_text(
        "".join(f"{line},{position}\n" for line, position in zip(lines, positions, strict=True)),
        encoding="utf-8",
    )
    return small_election


def test_the_station_answer_lists_its_candidates_in_ballot_order(web_api: Api) -> None:
    station = web_api.client.get("/api/v1/stations/001-0001").json()
    assert station["contest"] == "constituency-1"
    assert [(c["code"], c["ballot_position"]) for c in station["candidates"]] == [
        ("C003", 1),
        ("C001", 2),
        ("C002", None),
    ]
    other = web_api.client.get("/api/v1/stations/002-0001").json()
    # C006 withdrew: not on the ballot; no positions: the definition's order
    assert [c["code"] for c in other["candidates"]] == ["C004", "C005"]


def test_the_station_page_shows_votes_in_ballot_order_and_the_rule_set(web_api: Api) -> None:
    assert web_api.submit(protocol()).status_code == 201
    page = web_api.client.get("/stations/001-0001?lang=en").text
    votes = page[page.index("<caption>Votes</caption>") :]
    names = re.findall(r'<th scope="row">([^<]+)</th>', votes)[:3]
    assert names == ["Rəşad Quliyev", "Əli Məmmədov", "Leyla Həsənova"]
    assert f'data-rule-set="{REFERENCE_RULE_SET.version}"' in page
    assert "Rule set that checked it" in page
    russian = web_api.client.get("/stations/001-0001?lang=ru").text
    assert "Набор правил, по которому он проверен" in russian
