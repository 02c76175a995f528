"""Every public read of the API carries an ETag and answers 304 to a client that has it, and
200 with a new ETag once what it shows has changed."""

from __future__ import annotations

import pytest

from tallyroom.api.conditional_get import etag_matches
from tests.station_client import Api, protocol

PUBLIC_READS = (
    "/api/v1/results",
    "/api/v1/results/summary",
    "/api/v1/results/constituencies/1",
    "/api/v1/progress",
    "/api/v1/turnout",
    "/api/v1/turnout?constituency=1",
    "/api/v1/stations/001-0001",
    "/api/v1/changes?since=0",
    "/api/v1/audit/head",
)


@pytest.mark.parametrize("url", PUBLIC_READS)
def test_every_public_read_answers_304_until_it_changes(api: Api, url: str) -> None:
    first = api.client.get(url)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"]

    same = api.client.get(url, headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["etag"] == etag
    listed = api.client.get(url, headers={"If-None-Match": f'"other", {etag}'})
    assert listed.status_code == 304

    assert api.submit(protocol("001-0001")).status_code == 201
    if url.startswith("/api/v1/turnout"):
        response = api.client.post(
            "/api/v1/stations/001-0001/turnout",
            json={"as_of": "10:00", "voters": 100},
            headers=api.headers(api.station_token("001-0001")),
        )
        assert response.status_code == 201, response.text
    changed = api.client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", W/"abc"', True),
        ("*", True),
        ('"abcd"', False),
    ],
)
def test_if_none_match_compares_weakly(header: str | None, matches: bool) -> None:
    assert etag_matches(header, '"abc"') is matches
