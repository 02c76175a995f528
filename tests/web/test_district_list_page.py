"""The live constituency page of a district list contest: its seats by party with the
threshold line (blank votes in its base), parties under it marked, the candidates taking the
seats, the CSV, in az, en and ru; a candidate contest's page shows no such panel; the API's
results carry the district's quotient table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tallyroom.api.response_bodies import ConstituencyResultBody
from tests.district_election import DISTRICT, district_election_folder, poll_district
from tests.station_client import Api


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return district_election_folder(tmp_path)


def test_the_constituency_page_shows_the_district_seats(api: Api) -> None:
    poll_district(api)
    page = api.client.get("/constituencies/1?lang=en")
    assert page.status_code == 200, page.text
    text = page.text
    assert "District list seats" in text
    assert "that is 108.4 votes" in text
    assert "Blank votes count in the threshold" in text
    assert '<tr data-party="MUS" data-list-seats="0" class="below-threshold">' in text
    assert 'data-party="REAL" data-list-seats="2"' in text
    assert 'data-seats="4" data-seats-won="4"' in text
    csv = api.client.get("/constituencies/1/district_list.csv")
    assert csv.status_code == 200, csv.text
    assert csv.content.decode("utf-8-sig").splitlines()[1:] == [
        "YAP,700,True,2,won",
        "REAL,560,True,2,won",
        "MUS,95,False,0,won",
    ]
    assert "Dairə siyahıları üzrə yerlər" in api.client.get("/constituencies/1?lang=az").text
    assert "Места по спискам округа" in api.client.get("/constituencies/1?lang=ru").text
    assert "District list seats" not in api.client.get("/constituencies/2?lang=en").text


def test_the_api_results_carry_the_district_table(api: Api) -> None:
    poll_district(api)
    response = api.client.get("/api/v1/results")
    assert response.status_code == 200, response.text
    first, second = response.json()["constituencies"]
    assert first["district_list"]["contest"] == DISTRICT
    assert {row["party"]: row["seats"] for row in first["district_list"]["rows"]} == {
        "YAP": 2,
        "REAL": 2,
        "MUS": 0,
    }
    assert "district_list" not in second
    # as the OpenAPI document declares it
    declared = ConstituencyResultBody.model_validate(first).district_list
    assert declared is not None
    assert [holder.status for holder in declared.seat_holders] == ["won"] * 4
    assert declared.threshold_counts_blank is True
