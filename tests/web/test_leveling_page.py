"""The live site of an election with leveling seats (tests/leveling_election.py): the overview
shows seats by party with the leveling seats marked and the national threshold line, each
district page names the leveling seat placed there, the CSVs, az/en/ru; the API's results
carry the leveling table as the OpenAPI document declares it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tallyroom.api.response_bodies import ConstituencyResultBody, NationalResultsBody
from tests.leveling_election import leveling_election_folder, poll_leveling
from tests.station_client import Api


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return leveling_election_folder(tmp_path)


def test_the_overview_marks_the_leveling_seats_and_the_threshold_line(api: Api) -> None:
    poll_leveling(api)
    page = api.client.get("/?lang=en")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Seats with leveling seats" in text
    assert "that is 224 votes" in text
    assert "The leveling seats are won" in text
    assert '<tr data-party="MUS" data-leveling-seats="0" class="below-threshold">' in text
    assert '<tr data-party="YAP" data-leveling-seats="1">' in text
    csv = api.client.get("/overview/leveling_seats.csv")
    assert csv.status_code == 200, csv.text
    assert csv.content.decode("utf-8-sig").splitlines()[1:] == [
        "YAP,840,True,3,1,won",
        "REAL,340,True,1,1,won",
        "MUS,220,False,1,0,won",
    ]
    overview = api.client.get("/overview.json")
    assert overview.status_code == 200, overview.text
    leveling = overview.json()["data"]["national"]["leveling"]
    assert leveling["threshold_votes"] == "224"
    assert [seat["candidate"] for seat in leveling["placed"]] == ["C011", "C008"]
    page_json = api.client.get("/constituencies/2.json")
    assert page_json.status_code == 200, page_json.text
    assert page_json.json()["data"]["leveling_seats"][0]["candidate"] == "C011"
    assert "Bərabərləşdirici yerlərlə birlikdə yerlər" in api.client.get("/?lang=az").text
    assert "Места с учётом выравнивающих мест" in api.client.get("/?lang=ru").text


def test_the_hemicycle_rings_the_leveling_seats_with_a_legend(api: Api) -> None:
    poll_leveling(api)
    text = api.client.get("/?lang=en").text
    # one leveling seat each for YAP and REAL, ringed; none for MUS
    assert 'data-group="party:YAP" fill="#' in text
    assert text.count('class="seat-leveling"') == 2
    assert 'data-group="party:MUS"' in text
    mus_group = text.split('data-group="party:MUS"')[1].split("</g>")[0]
    assert 'data-leveling="0"' in mus_group
    assert "seat-leveling" not in mus_group
    assert '<li data-seat-status="leveling">' in text
    assert "Leveling seat: ringed in black" in text
    assert "qara halqa ilə" in api.client.get("/?lang=az").text
    assert "обведено чёрным" in api.client.get("/?lang=ru").text


def test_each_district_page_names_its_leveling_seat(api: Api) -> None:
    poll_leveling(api, ("001-0001", "001-0002", "002-0001"))
    leading = api.client.get("/constituencies/2?lang=en").text
    assert 'data-leveling-seat="1" data-party="YAP"' in leading
    assert "C011 · quotient 0.4 (leading)" in leading
    poll_leveling(api, ("001-0003",))
    first = api.client.get("/constituencies/1?lang=en").text
    assert 'data-leveling-seat="2" data-party="REAL"' in first
    assert "C008 · quotient 0.3 (won)" in first
    csv = api.client.get("/constituencies/1/leveling_seats.csv")
    assert csv.status_code == 200, csv.text
    assert csv.content.decode("utf-8-sig").splitlines()[1:] == ["2,REAL,C008,0.3,won"]
    assert "Bərabərləşdirici yerlər" in api.client.get("/constituencies/1?lang=az").text
    assert "Выравнивающие места" in api.client.get("/constituencies/1?lang=ru").text


def test_the_api_results_carry_the_leveling_table(api: Api) -> None:
    poll_leveling(api)
    response = api.client.get("/api/v1/results")
    assert response.status_code == 200, response.text
    declared = NationalResultsBody.model_validate(response.json())
    assert declared.leveling is not None
    assert declared.leveling.party_leveling_seats == {"YAP": 1, "REAL": 1}
    assert declared.leveling.passed == ["REAL", "YAP"]
    one = api.client.get("/api/v1/results/constituencies/2")
    assert one.status_code == 200, one.text
    seats = ConstituencyResultBody.model_validate(one.json()).leveling_seats
    assert seats is not None
    assert [(s.party, s.candidate, s.status) for s in seats] == [("YAP", "C011", "won")]
