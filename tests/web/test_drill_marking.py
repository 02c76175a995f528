"""A drill says so everywhere: a banner on every page, a header on every response, a field in
every JSON document; a real-time server says `real` and shows no banner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.app import create_app
from tallyroom.api.runtime import Runtime
from tallyroom.domain.election_clock import ElectionClock
from tests.station_client import Api

BANNER = 'class="drill-banner"'


def test_a_drill_marks_pages_responses_and_data(api: Api) -> None:
    for path in ("/", "/constituencies/1", "/stations/001-0001", "/?lang=az", "/?lang=ru"):
        page = api.client.get(path)
        assert page.status_code == 200
        assert page.headers["x-tallyroom-clock"] == "drill"
        assert BANNER in page.text
    assert "TƏLİM" in api.client.get("/?lang=az").text
    assert "УЧЕНИЯ" in api.client.get("/?lang=ru").text
    overview = api.client.get("/overview.json")
    assert overview.json()["clock"] == "drill"
    for path in ("/api/v1/results", "/api/v1/progress", "/overview/parties.csv", "/nowhere"):
        assert api.client.get(path).headers["x-tallyroom-clock"] == "drill"
    refused = api.client.post("/api/v1/turnout", json={"reports": []})
    assert refused.headers["x-tallyroom-clock"] == "drill"


@pytest.fixture
def real_time_client(
    loaded_election: sessionmaker[Session], database_url: str
) -> Iterator[TestClient]:
    runtime = Runtime.for_database(database_url, clock=ElectionClock.real())
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        yield client


def test_real_time_shows_no_drill(real_time_client: TestClient) -> None:
    page = real_time_client.get("/")
    assert page.headers["x-tallyroom-clock"] == "real"
    assert BANNER not in page.text
    assert real_time_client.get("/overview.json").json()["clock"] == "real"
