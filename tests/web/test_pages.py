"""The pages render the read model: every figure, mark and link a reader needs, in HTML,
JSON and CSV built from the same page data."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import HandBuiltSource


def test_overview_shows_progress_seats_and_status(site: TestClient) -> None:
    response = site.get("/")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="az">' in page
    assert 'data-stations-reporting="9"' in page
    assert 'data-done="9" data-total="10"' in page
    assert 'data-status="preliminary"' in page
    assert "İlkin" in page  # preliminary, in Azerbaijani
    # the hemicycle: five seats, coloured by group, with the majority line
    svg = re.search(r'<svg class="hemicycle".*?</svg>', page, re.S)
    assert svg is not None
    assert svg.group(0).count("<circle") == 5
    for group, seats in (
        ("party:YAP", 2),
        ("party:REAL", 1),
        ("party_member", 1),
        ("non_party", 1),
    ):
        block = re.search(rf'data-group="{group}".*?</g>', svg.group(0), re.S)
        assert block is not None
        assert block.group(0).count("<circle") == seats
    assert 'class="majority-line"' in svg.group(0)
    # independents split into party members and non-party in the seats table
    assert 'data-key="party_member"' in page
    assert 'data-key="non_party"' in page
    assert 'href="/constituencies/3"' in page


def test_overview_marks_too_close_and_certified_winner(
    site: TestClient, hand_built: HandBuiltSource
) -> None:
    # Xətai (5) still counting, its lead too close; Yasamal (3) narrow but certified: won.
    results = hand_built.results
    counting = replace(results.constituencies[4], too_close=True)
    hand_built.results = replace(results, constituencies=(*results.constituencies[:4], counting))
    page = site.get("/?lang=en").text
    row = re.search(r'<a href="/constituencies/3">Yasamal</a>.*?</tr>', page, re.S)
    assert row is not None
    assert 'data-seat-status="won">Won<' in row.group(0)
    assert "Too close" not in row.group(0)
    row = re.search(r'<a href="/constituencies/5">Xətai</a>.*?</tr>', page, re.S)
    assert row is not None
    assert 'data-seat-status="leading">Leading<' in row.group(0)
    assert "Too close" in row.group(0)


def test_overview_headline_counts_leaders_and_seats_won(site: TestClient) -> None:
    page = site.get("/?lang=en").text
    assert 'data-seats-leaders="5" data-seats-won="4"><strong>5 leaders, 4 won</strong>' in page
    assert "Seats with a leader: 5 of 5; won: 4; needed for a majority: 3." in page
    assert "declared" not in page
    svg = re.search(r'<svg class="hemicycle".*?</svg>', page, re.S)
    assert svg is not None
    yap = re.search(r'data-group="party:YAP".*?</g>', svg.group(0), re.S)
    assert yap is not None
    assert 'data-won="1" data-leading="1"' in yap.group(0)
    assert yap.group(0).count('class="seat-leading"') == 1
    assert svg.group(0).count('class="seat-leading"') == 1
    assert 'data-seat-status="leading"' in page  # the legend explains the pale seats
    assert "Liderlər: 5; qazanılmış mandatlar: 4" in site.get("/?lang=az").text
    assert "Лидеры: 5; получено мандатов: 4" in site.get("/?lang=ru").text


def test_constituency_page_says_leading_until_the_count_is_complete(site: TestClient) -> None:
    page = site.get("/constituencies/5?lang=en").text
    assert 'class="seat-status" data-seat-status="leading"' in page
    assert "The seat is not won yet: 1 of 2 polling stations counted." in page
    leader = re.search(r'<tr class="leading" data-candidate="C010">.*?</tr>', page, re.S)
    assert leader is not None
    assert "Leading" in leader.group(0)
    rows = list(
        csv.DictReader(
            io.StringIO(site.get("/constituencies/5/candidates.csv").content.decode("utf-8-sig"))
        )
    )
    assert [row["seat_status"] for row in rows] == ["leading", ""]


def test_constituency_page_lists_candidates_stations_and_turnout(site: TestClient) -> None:
    page = site.get("/constituencies/1?lang=en").text
    assert "Constituency 1: Nəsimi birinci" in page
    leader = re.search(r'<tr class="leading" data-candidate="C001">.*?</tr>', page, re.S)
    assert leader is not None
    assert 'data-seat-status="won">Won<' in leader.group(0)  # both stations counted
    assert "900" in leader.group(0)
    assert "60.0%" in leader.group(0)
    assert "Independent (non-party)" in page
    assert 'href="/stations/001-0001"' in page
    assert 'data-station="001-0002"' in page
    assert "Flagged" in page
    assert "Margin: 500 votes (33.33%)" in page
    assert page.count('class="turnout-column"') == 4


def test_constituency_unknown_is_404(site: TestClient) -> None:
    assert site.get("/constituencies/99").status_code == 404


def test_station_page_shows_every_protocol_version(site: TestClient) -> None:
    page = site.get("/stations/001-0001?lang=en").text
    assert 'data-version="1"' in page
    assert 'data-version="2"' in page
    assert "Amendment reason:" in page
    assert "ballots cast miscounted" in page
    assert 'data-reason="votes_and_invalid_differ_from_cast"' in page
    assert "ab" * 64 in page  # the signature is published
    assert "In the totals" in page
    for tag in ("idp", "webcam", "exit_poll"):
        assert f'data-tag="{tag}"' in page
    assert "OSCE Office for Democratic Institutions and Human Rights" in page
    assert "Əli Məmmədov" in page  # votes shown against candidate names


def test_station_unknown_is_404(site: TestClient) -> None:
    assert site.get("/stations/999-9999").status_code == 404


def test_parties_candidates_observers_pages(site: TestClient) -> None:
    parties = site.get("/parties?lang=en").text
    yap = re.search(r'<tr data-party="YAP">.*?</tr>', parties, re.S)
    assert yap is not None
    numbers = re.findall(r'data-sort="(\d+)"', yap.group(0))
    # nominees, members standing as independents, seats and of them won, member seats and
    # of them won, votes
    assert numbers == ["4", "1", "2", "1", "1", "1", "3590"]
    candidates = site.get("/candidates").text
    assert candidates.count("data-candidate=") == 11
    observers = site.get("/observers?lang=en").text
    assert 'data-figure="international">2<' in observers
    assert "OSCE Office for Democratic Institutions and Human Rights" in observers


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("001-0002", 'href="/stations/001-0002"'),
        ("Şuşa", 'href="/constituencies/2"'),
        ("3", 'href="/constituencies/3"'),
        ("nigar", 'data-candidate="C004"'),
    ],
)
def test_search_finds_stations_constituencies_and_candidates(
    site: TestClient, query: str, expected: str
) -> None:
    page = site.get("/search", params={"q": query}).text
    assert expected in page


def test_search_without_match_says_so(site: TestClient) -> None:
    page = site.get("/search", params={"q": "zzz", "lang": "en"}).text
    assert "0 matches for “zzz”" in page


def test_json_is_the_same_page_data(site: TestClient) -> None:
    body = site.get("/overview.json").json()
    assert body["revision"] == 7
    national = body["data"]["national"]
    assert national["stations_reporting"] == 9
    assert national["seats_declared"] == 5
    assert national["parties_with_seats"] == 2
    assert {"party": None, "nomination": "non_party", "seats": 1, "won": 1, "leading": 0} in (
        national["seats"]
    )
    assert (national["seats_won"], national["seats_leading"]) == (4, 1)
    by_number = {c["number"]: c for c in national["constituencies"]}
    assert (by_number[5]["seat_status"], by_number[1]["seat_status"]) == ("leading", "won")
    rows = {row["key"]: row for row in body["data"]["seat_rows"]}
    assert rows["party_member"]["seats"] == 1
    assert rows["party_member"]["votes"] == 1200
    assert body["data"]["turnout"][3]["percent"] == pytest.approx(52.0)
    station = site.get("/stations/001-0001.json").json()["data"]["station"]
    assert [p["version"] for p in station["protocols"]] == [1, 2]
    assert station["protocols"][1]["figures"]["votes"] == {"C001": 460, "C002": 200, "C003": 100}


def test_csv_downloads_are_linked_and_match(site: TestClient) -> None:
    page = site.get("/constituencies/1").text
    assert 'href="/constituencies/1/candidates.csv"' in page
    response = site.get("/constituencies/1/candidates.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["code"] for row in rows] == ["C001", "C002", "C003"]
    assert rows[0]["votes"] == "900"
    assert rows[0]["leader"] == "True"
    assert site.get("/constituencies/1/nothing.csv").status_code == 404
    seats = site.get("/overview/seats.csv").content.decode("utf-8-sig")
    assert seats.splitlines()[0] == "party,name,nomination,seats,won,leading,votes,vote_share"
    constituencies = list(
        csv.DictReader(io.StringIO(site.get("/overview/constituencies.csv").text.lstrip("\ufeff")))
    )
    assert [row["seat_status"] for row in constituencies] == [
        "won",
        "won",
        "won",
        "won",
        "leading",
    ]


def test_pages_are_accessible_landmarks_and_headers(site: TestClient) -> None:
    for path in (
        "/",
        "/constituencies/1",
        "/stations/001-0001",
        "/parties",
        "/candidates",
        "/observers",
        "/search?q=a",
    ):
        page = site.get(path).text
        for landmark in ("<main", "<header", "<footer", "<nav"):
            assert landmark in page, path
        assert 'role="search"' in page
        assert re.search(r"<h1[ >]", page), path
        for svg in re.findall(r"<svg.*?</svg>", page, re.S):
            if 'aria-hidden="true"' in svg.split(">", 1)[0]:
                continue  # decorative (a party's colour swatch), hidden from assistive tech
            assert 'role="img"' in svg, path
            assert "<title" in svg, path
        for table in re.findall(r"<table.*?</table>", page, re.S):
            assert "<th" in table, path
            assert "scope=" in table, path


def test_candidates_page_marks_seats_won_and_leads(site: TestClient) -> None:
    page = site.get("/candidates?lang=en").text
    won = re.search(r'<tr data-candidate="C001">.*?</tr>', page, re.S)
    led = re.search(r'<tr data-candidate="C010">.*?</tr>', page, re.S)
    assert won is not None
    assert led is not None
    assert 'data-seat-status="won">Won<' in won.group(0)  # Nəsimi birinci: both counted
    assert 'data-seat-status="leading">Leading<' in led.group(0)  # Xətai: 1 of 2 counted
    rows = {
        row["code"]: row["seat_status"]
        for row in csv.DictReader(
            io.StringIO(site.get("/candidates/candidates.csv").content.decode("utf-8-sig"))
        )
    }
    assert (rows["C001"], rows["C010"], rows["C002"]) == ("won", "leading", "")
