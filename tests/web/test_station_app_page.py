"""The station app's page and files as served: three languages, the site's strict CSP with
no inline script, no external resource, and a first load under 150 KB."""

from __future__ import annotations

import re

import pytest

from tallyroom.api.security_headers import CONTENT_SECURITY_POLICY
from tests.station_client import Api

FIRST_LOAD_LIMIT = 150_000


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("az", "Bu cihazı qeydiyyatdan keçirin"),
        ("en", "Enrol this device"),
        ("ru", "Зарегистрировать"),
    ],
)
def test_the_app_speaks_each_language(api: Api, language: str, words: str) -> None:
    page = api.client.get(f"/station/?lang={language}")
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    assert words in page.text


def test_strict_policy_no_inline_script_no_external_resource(api: Api) -> None:
    page = api.client.get("/station/")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for tag in re.findall(r"<script[^>]*>", page.text):
        assert 'src="/station/' in tag or 'type="application/json"' in tag
    assert "http://" not in page.text
    assert "https://" not in page.text
    assert "style=" not in page.text


def first_load(api: Api) -> dict[str, int]:
    """Bytes of everything a first visit fetches: the page, the service worker, and every
    file the worker keeps at installation (the app's modules, and the Ed25519 fallback so it
    works offline too), which include every module the page imports."""
    worker = api.client.get("/station/sw.js").text
    kept = re.findall(r'"(/station/[^"]*)"', worker.split("const APP = [", 1)[1].split("];")[0])
    sizes = {"/station/sw.js": len(worker.encode())}
    for path in kept:
        answer = api.client.get(path)
        assert answer.status_code == 200, path
        sizes[path] = len(answer.content)
    return sizes


def test_first_load_is_under_150_kb(api: Api) -> None:
    sizes = first_load(api)
    imported = {
        f"/station/{name}"
        for name in re.findall(r'from "\./([^"]+)"', api.client.get("/station/app.js").text)
    }
    assert imported <= set(sizes), "a module the page imports is not kept by the worker"
    assert "/station/vendor/noble-ed25519/index.js" in sizes
    assert sum(sizes.values()) < FIRST_LOAD_LIMIT, sizes


def test_worker_and_redirect_and_unknown_files(api: Api) -> None:
    worker = api.client.get("/station/sw.js")
    assert worker.headers["service-worker-allowed"] == "/station/"
    assert worker.headers["content-type"].startswith("text/javascript")
    moved = api.client.get("/station?lang=en", follow_redirects=False)
    assert moved.status_code == 308
    assert moved.headers["location"] == "/station/?lang=en"
    for name in ("../routes.py", "nope.js", "%2e%2e/site.css"):
        assert api.client.get(f"/station/{name}").status_code == 404


def test_receipt_qr_code(api: Api) -> None:
    answer = api.client.get(f"/api/v1/receipts/{'ab' * 32}.svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/svg+xml"
    assert answer.content.startswith(b"<svg")
    for bad in ("AB" * 32, "ab" * 31, "zz" * 32, "ab" * 33):
        assert api.client.get(f"/api/v1/receipts/{bad}.svg").status_code in (404, 422)
