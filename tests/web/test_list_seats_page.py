"""The live overview of a parallel election: the party-list seats with the threshold line,
parties under it marked, the list seats in the hemicycle, the CSV, in az, en and ru; and an
election without a list contest shows no such panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.list_election import list_election_folder, poll_with_lists
from tests.station_client import Api


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return list_election_folder(tmp_path)


def test_the_overview_shows_the_list_seats(api: Api) -> None:
    before = api.client.get("/?lang=en")
    assert before.status_code == 200
    assert 'id="list-seats"' in before.text
    poll_with_lists(api)
    page = api.client.get("/?lang=en")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Party-list seats" in text
    assert "that is 217.8 votes" in text
    assert "The list seats are won" in text
    assert '<tr data-party="MUS" data-list-seats="0" class="below-threshold">' in text
    assert 'data-party="REAL" data-list-seats="2"' in text
    # the hemicycle counts the list seats as their parties' own: 2 constituencies + 4
    assert 'data-seats-leaders="6"' in text
    csv = api.client.get("/overview/list_seats.csv")
    assert csv.status_code == 200
    assert csv.content.decode("utf-8-sig").splitlines()[1:] == [
        "YAP,1000,True,2,won",
        "REAL,610,True,2,won",
        "MUS,205,False,0,won",
    ]
    assert "Siyahı yerləri" in api.client.get("/?lang=az").text
    assert "Места по спискам" in api.client.get("/?lang=ru").text


def test_the_overview_json_carries_the_quotient_table(api: Api) -> None:
    poll_with_lists(api)
    response = api.client.get("/overview.json")
    assert response.status_code == 200, response.text
    listed = response.json()["data"]["national"]["list_seats"]
    assert listed["threshold_votes"] == "1089/5"
