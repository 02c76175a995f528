"""Read-only CORS: any site may read the public results from a browser (GET, HEAD, OPTIONS;
no credentials); no site may send a command from one."""

from __future__ import annotations

import pytest

from tests.station_client import Api, protocol

ORIGIN = {"Origin": "https://news.example"}


@pytest.mark.parametrize(
    "url", ["/api/v1/results", "/api/v1/stations/001-0001", "/api/v1/changes?since=0"]
)
def test_a_public_read_may_be_read_by_any_site(api: Api, url: str) -> None:
    response = api.client.get(url, headers=ORIGIN)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers

    preflight = api.client.options(
        url,
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in preflight.headers


def test_an_unknown_station_is_still_readable_cross_site(api: Api) -> None:
    response = api.client.get("/api/v1/stations/999-9999", headers=ORIGIN)
    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/protocols",
        "/api/v1/turnout",
        "/api/v1/stations/001-0001/turnout",
        "/api/v1/stations/001-0001/annulment",
        "/api/v1/tokens/revocation",
    ],
)
def test_no_site_may_send_a_command(api: Api, url: str) -> None:
    preflight = api.client.options(
        url,
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code >= 400


def test_a_command_answer_carries_no_cors_header(api: Api) -> None:
    response = api.client.post(
        "/api/v1/protocols",
        json=api.signed(protocol()),
        headers={**ORIGIN, **api.headers(api.station_token("001-0001"))},
    )
    assert response.status_code == 201
    assert "access-control-allow-origin" not in response.headers
