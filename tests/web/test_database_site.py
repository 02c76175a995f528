"""The site over the real services: the small election loaded into the database, protocols
and turnout submitted through the API, the pages showing what the tally says."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tallyroom.service.results.results_columns import CONSTITUENCY_STANDING_COLUMNS, NATION_COLUMNS
from tests.polled_election import (
    ANNULMENT_REASON,
    REJECTION_REASON,
    annul_and_reject,
    poll_small_election,
)
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


def test_an_annulled_station_is_shown_with_the_decision_not_hidden(web_api: Api) -> None:
    poll_small_election(web_api)
    annul_and_reject(web_api)
    client = web_api.client
    station = client.get("/stations/001-0002.json").json()["data"]["station"]
    decided_at = datetime.fromisoformat(station["annulment"]["decided_at"])
    page = client.get("/stations/001-0002?lang=en").text
    assert 'data-status="annulled"' in page
    annulment = re.search(
        r'<div class="notice notice-annulled" id="annulment".*?</div>\s*</div>', page, re.S
    )
    assert annulment is not None
    assert "The commission annulled this station" in annulment.group(0)
    assert ANNULMENT_REASON in annulment.group(0)
    # the decision's time, in the election's time zone
    local = decided_at.astimezone(ZoneInfo("Asia/Baku"))
    assert f"<dt>Time</dt><dd>{local.day} {local:%b %Y, %H:%M:%S}" in annulment.group(0)
    assert re.search(r'data-version-history="1" data-standing="annulled">.*?Annulled', page, re.S)
    assert [p["standing"] for p in station["protocols"]] == ["annulled"]

    constituency = client.get("/constituencies/1?lang=en").text
    assert 'data-stations-annulled="1"' in constituency
    assert "2 counted, 1 annulled" in constituency
    assert re.search(r'data-station="001-0002">.*?Annulled', constituency, re.S)

    overview = client.get("/?lang=en").text
    assert re.search(r'data-stations-annulled="1">3 counted, 1 annulled<', overview)
    note = re.search(r'id="annulled-note">(.*?)</p>', overview, re.S)
    assert note is not None
    assert "polling stations (1) with their ballots (560)" in note.group(1)
    national = client.get("/overview.json").json()["data"]["national"]
    assert (national["stations_annulled"], national["ballots_annulled"]) == (1, 560)


def test_the_station_page_lists_rejected_and_superseded_versions(web_api: Api) -> None:
    poll_small_election(web_api)
    annul_and_reject(web_api)
    page = web_api.client.get("/stations/002-0001?lang=en").text
    rows = re.findall(r'data-version-history="(\d)" data-standing="(\w+)">(.*?)</tr>', page, re.S)
    assert [(version, standing) for version, standing, _ in rows] == [
        ("1", "counted"),
        ("2", "rejected"),
    ]
    assert f"Rejected: {REJECTION_REASON}" in rows[1][2]
    amended = web_api.client.get("/stations/001-0003?lang=en").text
    assert re.findall(r'data-version-history="(\d)" data-standing="(\w+)"', amended) == [
        ("1", "superseded"),
        ("2", "counted"),
    ]
    assert 'data-standing="superseded">Superseded<' in amended
    versions = web_api.client.get("/stations/002-0001/protocols.csv").text.splitlines()
    assert versions[0].endswith(",standing,decided_at")
    assert ",rejected," in versions[2]


def test_the_annulment_is_told_in_azerbaijani_and_russian(web_api: Api) -> None:
    poll_small_election(web_api)
    annul_and_reject(web_api)
    russian = web_api.client.get("/stations/001-0002?lang=ru").text
    assert "Комиссия признала итоги голосования на этом участке недействительными." in russian
    assert "учтено: 3, признано недействительными: 1" in web_api.client.get("/?lang=ru").text
    azerbaijani = web_api.client.get("/constituencies/1?lang=az").text
    assert "hesablanıb: 2, ləğv edilib: 1" in azerbaijani
    assert "seçki məntəqələri (1) və onların bülletenləri (560)" in azerbaijani


def test_a_seat_is_leading_until_its_constituency_is_counted_then_won(web_api: Api) -> None:
    from tests.polled_election import figures

    client = web_api.client
    assert web_api.submit(protocol()).json()["status"] == "accepted"
    page = client.get("/?lang=en").text
    assert "<strong>1 leader, 0 won</strong>" in page
    row = re.search(r'<a href="/constituencies/1">.*?</tr>', page, re.S)
    assert row is not None
    assert 'data-seat-status="leading"' in row.group(0)
    svg = re.search(r'<svg class="hemicycle".*?</svg>', page, re.S)
    assert svg is not None
    assert svg.group(0).count('class="seat-leading"') == 1
    api_result = client.get("/api/v1/results/constituencies/1").json()
    assert (api_result["seat_status"], api_result["count_complete"]) == ("leading", False)
    summary = client.get("/api/v1/results/summary").json()
    assert (summary["seats_declared"], summary["seats_won"], summary["seats_leading"]) == (1, 0, 1)
    for station, votes, registered in (
        ("001-0002", {"C001": 300, "C002": 200, "C003": 50}, 800),
        ("001-0003", {"C001": 50, "C002": 40, "C003": 5}, 150),
    ):
        counted = figures(
            votes,
            registered=registered,
            issued_in_station=sum(votes.values()) + 10,
            portable=0,
            invalid=10,
        )
        assert web_api.submit(protocol(station, figures=counted)).json()["status"] == "accepted"
    page = client.get("/?lang=en").text
    assert "<strong>1 leader, 1 won</strong>" in page
    row = re.search(r'<a href="/constituencies/1">.*?</tr>', page, re.S)
    assert row is not None
    assert 'data-seat-status="won"' in row.group(0)
    assert 'class="seat-leading"' not in page
    assert client.get("/api/v1/results/constituencies/1").json()["seat_status"] == "won"
    national = client.get("/api/v1/results").json()
    assert national["seats"][0] == {
        "party": "YAP",
        "nomination": "party",
        "seats": 1,
        "won": 1,
        "leading": 0,
    }
    page = client.get("/constituencies/1?lang=en").text
    assert 'class="seat-status" data-seat-status="won"' in page


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


def csv_rows(api: Api, path: str) -> list[dict[str, str]]:
    response = api.client.get(path)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_downloads_mark_a_seat_leading_until_its_count_is_complete(
    web_api: Api,
) -> None:
    assert web_api.submit(protocol()).json()["status"] == "accepted"
    [nation] = csv_rows(web_api, "/overview/nation.csv")
    assert (nation["seats_declared"], nation["seats_won"], nation["seats_leading"]) == (
        "1",
        "0",
        "1",
    )
    assert (nation["stations_reporting"], nation["stations_annulled"]) == ("1", "0")
    first = csv_rows(web_api, "/overview/constituencies.csv")[0]
    assert (first["seat_status"], first["count_complete"], first["stations_annulled"]) == (
        "leading",
        "False",
        "0",
    )

    assert csv_rows(web_api, "/constituencies/1/summary.csv") == [first]


def test_the_csv_downloads_carry_the_annulled_stations_and_their_ballots(web_api: Api) -> None:
    poll_small_election(web_api)
    annul_and_reject(web_api)
    [nation] = csv_rows(web_api, "/overview/nation.csv")
    assert list(nation) == list(NATION_COLUMNS)
    assert (nation["stations_reporting"], nation["stations_annulled"]) == ("3", "1")
    assert nation["ballots_annulled"] == "560"
    assert (nation["seats_won"], nation["seats_leading"]) == ("2", "0")
    constituencies = csv_rows(web_api, "/overview/constituencies.csv")
    first = constituencies[0]
    assert {column: first[column] for column in CONSTITUENCY_STANDING_COLUMNS} == {
        "stations_annulled": "1",
        "ballots_annulled": "560",
        "count_complete": "True",
        "seat_status": "won",
        "too_close_to_call": "False",
    }
    assert csv_rows(web_api, "/constituencies/1/summary.csv") == [first]
    assert csv_rows(web_api, "/constituencies/2/summary.csv") == [constituencies[1]]
    overview = web_api.client.get("/?lang=en").text
    assert re.search(r'href="/overview/nation\.csv[^"]*" download', overview)
    yap = next(p for p in csv_rows(web_api, "/parties/parties.csv") if p["short_name"] == "YAP")
    assert (yap["seats"], yap["seats_won"], yap["seats_leading"]) == ("1", "1", "0")
    assert (yap["member_seats_won"], yap["member_seats_leading"]) == ("1", "0")
