"""Text alternatives for every chart, and the time zone of every moment the site shows."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.station_client import Api, good_figures, protocol

SVG_TAG = re.compile(r"<svg\b[^>]*>")


def unnamed_charts(page: str) -> list[str]:
    """Opening tags of inline SVGs with no role="img" or no accessible name (decorative ones,
    hidden from assistive technology, need none)."""
    return [
        tag[:120]
        for tag in SVG_TAG.findall(page)
        if 'aria-hidden="true"' not in tag
        and ('role="img"' not in tag or not re.search(r"aria-label(ledby)?=\"[^\"]+\"", tag))
    ]


@pytest.mark.parametrize("path", ["/", "/constituencies/1", "/stations/001-0001"])
def test_charts_of_the_results_pages_are_named(site: TestClient, path: str) -> None:
    page = site.get(path).text
    assert SVG_TAG.search(page) or path.startswith("/stations")
    assert unnamed_charts(page) == []


def test_integrity_charts_are_named_in_the_readers_language(web_api: Api) -> None:
    assert web_api.submit(protocol()).status_code == 201
    second = protocol(
        station="002-0001",
        figures=good_figures(
            votes={"C004": 300, "C005": 200},
            registered_voters=600,
            ballots_received=600,
            ballots_issued_in_station=500,
            ballots_issued_portable=10,
            unused_ballots=90,
        ),
    )
    assert web_api.submit(second).status_code == 201
    english = web_api.client.get("/integrity?lang=en").text
    assert len(SVG_TAG.findall(english)) >= 4
    assert unnamed_charts(english) == []
    assert 'aria-label="Chart of stations by turnout' in english
    russian = web_api.client.get("/integrity?lang=ru").text
    assert 'aria-label="Диаграмма участков по явке' in russian


@pytest.mark.parametrize("language", ["az", "en", "ru"])
def test_every_as_of_names_its_time_zone(site: TestClient, language: str) -> None:
    overview = site.get(f"/?lang={language}").text
    status = re.search(r'<p class="status-line">(.*?)</p>', overview, re.S)
    assert status is not None
    assert "20:30:00 (UTC+04:00)" in status.group(1)
    footer = re.search(r'<p id="live-status"[^>]*>(.*?)</p>', overview, re.S)
    assert footer is not None
    assert "(UTC+04:00)" in footer.group(1)
    # turnout hours are local times too
    assert "(UTC+04:00)</span></th>" in overview
    station = site.get(f"/stations/001-0001?lang={language}").text
    assert "(UTC+04:00)</span></th>" in station
    assert station.count("(UTC+04:00)") >= 3  # protocols received, turnout, footer
