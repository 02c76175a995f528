"""The site over the real services: the small election loaded into the database, protocols
and turnout submitted through the API, the pages showing what the tally says."""

from __future__ import annotations

import re

from tests.station_client import Api, good_figures, protocol


def report_turnout(api: Api, station: str, as_of: str, voters: int) -> None:
    response = api.client.post(
        f"/api/v1/stations/{station}/turnout",
        json={"as_of": as_of, "voters": voters},
        headers=api.headers(api.station_token(station)),
    )
    assert response.status_code in (200, 201), response.text


def test_overview_before_and_after_a_protocol(web_api: Api) -> None:
    client = web_api.client
    before = client.get("/?lang=en")
    assert before.status_code == 200
    assert 'data-stations-reporting="0"' in before.text
    assert before.text.count('data-group="undeclared"') == 2  # legend and the seat group
    response = web_api.submit(protocol())
    assert response.status_code == 201, response.text
    after = client.get("/?lang=en")
    assert after.headers["etag"] != before.headers["etag"]
    assert 'data-stations-reporting="1"' in after.text
    svg = re.search(r'<svg class="hemicycle".*?</svg>', after.text, re.S)
    assert svg is not None
    yap = re.search(r'data-group="party:YAP".*?</g>', svg.group(0), re.S)
    assert yap is not None
    assert yap.group(0).count("<circle") == 1
    assert svg.group(0).count("<circle") == 2
    national = client.get("/overview.json").json()["data"]["national"]
    assert national["stations_reporting"] == 1
    assert national["ballots_cast"] == 760


def test_station_page_shows_versions_signature_and_observers(web_api: Api) -> None:
    flagged = protocol(figures=good_figures(ballots_cast=770))
    assert web_api.submit(flagged).json()["status"] == "flagged"
    amended = protocol(version=2, figures=good_figures(), amendment_reason="recounted the box")
    assert web_api.submit(amended).json()["status"] == "accepted"
    page = web_api.client.get("/stations/001-0001?lang=en").text
    assert 'data-version="1"' in page
    assert 'data-version="2"' in page
    assert "recounted the box" in page
    assert 'data-reason="votes_and_invalid_differ_from_cast"' in page
    assert 'data-status="counted"' in page
    assert 'data-tag="webcam"' in page
    data = web_api.client.get("/stations/001-0001.json").json()["data"]["station"]
    assert [p["status"] for p in data["protocols"]] == ["flagged", "accepted"]
    assert [p["counted"] for p in data["protocols"]] == [False, True]
    assert len(data["protocols"][1]["signature"]) == 128
    idp = web_api.client.get("/stations/002-0001.json").json()["data"]["station"]
    assert set(idp["tags"]) == {"idp", "special_territory", "exit_poll"}


def test_constituency_page_and_turnout(web_api: Api) -> None:
    web_api.submit(protocol())
    report_turnout(web_api, "001-0001", "10:00", 120)
    page = web_api.client.get("/constituencies/1?lang=en").text
    assert re.search(r'data-station="001-0001">.*?Counted', page, re.S)
    assert re.search(r'data-station="001-0002">.*?Awaiting protocol', page, re.S)
    assert 'class="leading" data-candidate="C001"' in page
    turnout = web_api.client.get("/constituencies/1.json").json()["data"]["turnout"]
    assert turnout[0] == {
        "as_of": "10:00",
        "voters": 120,
        "stations_reporting": 1,
        "registered_voters": 2150,
        "percent": 100 * 120 / 2150,
    }


def test_observers_parties_and_search_from_the_database(web_api: Api) -> None:
    observers = web_api.client.get("/observers.json").json()["data"]
    assert observers["local"] == 3
    assert observers["international"] == 2
    assert observers["international_by_organisation"] == [
        {
            "key": "osce-odihr",
            "name": "OSCE Office for Democratic Institutions and Human Rights",
            "country": "INT",
            "observers": 2,
        }
    ]
    assert observers["international_countries"] == 2
    parties = web_api.client.get("/parties.json").json()["data"]
    yap = next(p for p in parties["parties"] if p["short_name"] == "YAP")
    assert (yap["nominees"], yap["members_independent"]) == (1, 1)
    assert parties["non_party_candidates"] == 1  # C006 withdrew
    found = web_api.client.get("/search.json", params={"q": "Məktəb"}).json()["data"]
    assert [s["code"] for s in found["stations"]] == ["001-0001", "001-0002"]
    by_code = web_api.client.get("/search", params={"q": "002-0001"}).text
    assert 'href="/stations/002-0001"' in by_code


OBSERVER_NAMES = ("Kamran Əhmədov", "Aygün Rzayeva", "Elvin Mustafayev", "Anna Schmidt")
PUBLIC_PATHS = (
    "/",
    "/overview.json",
    "/constituencies/1",
    "/constituencies/1.json",
    "/stations/001-0001",
    "/stations/001-0001.json",
    "/stations/002-0001",
    "/stations/002-0001.json",
    "/observers",
    "/observers.json",
    "/search?q=a",
    "/search.json?q=a",
)


def test_observers_are_counted_never_named_in_public(web_api: Api) -> None:
    for path in PUBLIC_PATHS:
        body = web_api.client.get(path).text
        for name in OBSERVER_NAMES:
            assert name not in body, (path, name)
    for table in ("protocols", "turnout"):
        body = web_api.client.get(f"/stations/001-0001/{table}.csv").text
        assert not any(name in body for name in OBSERVER_NAMES)
    station = web_api.client.get("/stations/001-0001.json").json()["data"]["station"]
    assert sorted(
        (group["kind"], group["organisation"], group["observers"]) for group in station["observers"]
    ) == [
        ("candidate_representative", None, 1),
        ("international", "OSCE Office for Democratic Institutions and Human Rights", 1),
        ("party_representative", None, 1),
    ]
    page = web_api.client.get("/stations/001-0001?lang=en").text
    assert "their names stay with the commission" in page
