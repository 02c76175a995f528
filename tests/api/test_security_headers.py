"""Every response carries the security headers, and the site's pages need nothing the
Content-Security-Policy forbids (no inline script, style or event handler)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from tests.station_client import Api

PATHS = [
    "/",
    "/constituencies/1",
    "/stations/001-0001",
    "/parties",
    "/candidates",
    "/search?q=1",
    "/overview.json",
    "/static/site.css",
    "/static/live.js",
    "/api/v1/results",
    "/api/v1/audit/head",
    "/api/v1/stations/999-9999",
    "/no-such-page",
    "/openapi.json",
    "/docs",
]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(api: Api, path: str) -> None:
    response = api.client.get(path)
    assert response.status_code in (200, 404), response.text
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in headers["permissions-policy"]
    assert "server" not in headers
    policy = directives(headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert policy[directive][0] == "'self'"
        assert all(value.startswith("'sha256-") for value in policy[directive][1:])
        assert "'unsafe-inline'" not in policy[directive]


def test_the_site_has_no_inline_script_or_style(api: Api) -> None:
    from tests.station_client import protocol

    assert api.submit(protocol()).status_code == 201
    for path in PATHS[:6]:
        html = api.client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html, path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def test_docs_inline_bootstrap_is_allowed_by_its_hash_only(api: Api) -> None:
    response = api.client.get("/docs")
    policy = directives(response.headers["content-security-policy"])
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in inline
        if block.strip()
    }
    assert set(policy["script-src"][1:]) == hashes


def test_an_internal_error_carries_the_security_headers(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tallyroom.api import public_results

    def broken(_session: object) -> tuple[int, str]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(public_results.audit_log, "head", broken)
    response = api.client.get("/api/v1/audit/head")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
