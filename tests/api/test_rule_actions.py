"""An election whose own rules flag with a tolerance and refuse (rules.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tallyroom.definition.layout import RULES_FILE
from tallyroom.store.database import transaction
from tallyroom.store.schema import ProtocolVersionRow
from tests.station_client import Api, good_figures, protocol


def stored(api: Api) -> int:
    with transaction(api.sessions) as session:
        return int(session.scalar(select(func.count(ProtocolVersionRow.id))) or 0)


TIGHT_RULES = """format: tallyroom-rules/1
rules:
  - id: cast_near_issued
    check: "ballots_cast == ballots_issued_in_station + ballots_issued_portable"
    tolerance: "1%"
    action: flag
    message:
      az: "az {ballots_cast}"
      en: "cast {ballots_cast}, issued {ballots_issued_in_station + ballots_issued_portable}"
      ru: "ru {ballots_cast}"
  - id: some_votes
    check: "sum(votes) > 0"
    tolerance: 0
    action: refuse
    message:
      az: "səs yoxdur"
      en: "no votes at all"
      ru: "нет голосов"
"""


@pytest.fixture
def small_election(small_election: Path) -> Path:
    (small_election / RULES_FILE).write_text(TIGHT_RULES, encoding="utf-8")
    return small_election


def test_a_tolerance_lets_a_small_gap_through(api: Api) -> None:
    # 760 issued; 753 cast is within 1% (7 of 760), 752 is not
    figures = good_figures(votes={"C001": 400, "C002": 243, "C003": 100})
    response = api.submit(protocol(figures=figures))
    assert response.json()["status"] == "accepted", response.text
    assert response.json()["rule_set_version"] == api.client.get("/api/v1/rules").json()["version"]


def test_a_gap_beyond_the_tolerance_flags(api: Api) -> None:
    figures = good_figures(votes={"C001": 400, "C002": 242, "C003": 100})
    body = api.submit(protocol(figures=figures)).json()
    assert body["status"] == "flagged"
    (reason,) = body["reasons"]
    assert reason["code"] == "cast_near_issued"
    assert reason["message"] == "cast 752, issued 760"
    assert reason["fields"] == [
        "ballots_cast",
        "ballots_issued_in_station",
        "ballots_issued_portable",
    ]


def test_a_refusing_rule_stores_nothing(api: Api) -> None:
    figures = good_figures(votes={"C001": 0, "C002": 0, "C003": 0}, ballots_cast=760)
    response = api.submit(protocol(figures=figures))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "refused_by_rules"
    assert "no votes at all" in error["message"]
    assert [reason["code"] for reason in error["details"]["reasons"]] == ["some_votes"]
    assert stored(api) == 0


def test_the_station_page_gives_a_rules_message_in_the_pages_language(api: Api) -> None:
    figures = good_figures(votes={"C001": 400, "C002": 242, "C003": 100})
    assert api.submit(protocol(figures=figures)).json()["status"] == "flagged"
    russian = api.client.get("/stations/001-0001?lang=ru").text
    assert 'data-reason="cast_near_issued"' in russian
    assert "(ru 752)" in russian
    english = api.client.get("/stations/001-0001?lang=en").text
    assert "(cast 752, issued 760)" in english
