"""/docs works with no network: Swagger UI's files come from the package, nothing from a CDN,
and no inline script starts it (a strict Content-Security-Policy allows it as it is)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.service.definition.credentials import IssuedCredentials
from tests.station_client import Api
from tests.web.live_server import serving, site_app

CHROMIUM = "/usr/bin/chromium"


class References(HTMLParser):
    """Every URL the page loads, and the text of every script written in it."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name):
                self.urls.append(str(found[name]))
        self._in_script = tag == "script"
        if tag == "script" and not found.get("src"):
            self.inline_scripts.append("")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def test_docs_load_only_files_the_server_serves(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    references = References()
    references.feed(page.text)
    assert references.inline_scripts == []
    assert "style=" not in page.text
    assert not re.search(r"https?://", page.text)
    assert len(references.urls) >= 4
    for url in references.urls:
        assert url.startswith("/docs/assets/"), url
        asset = api.client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100, url
    bundle = api.client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in bundle.content
    # the bootstrap names where the contract is, and calls no public validator
    initializer = api.client.get("/docs/assets/swagger-initializer.js").text
    assert "validatorUrl: null" in initializer
    assert 'data-openapi-url="/openapi.json"' in page.text


def test_no_page_of_docs_from_a_cdn_is_left(api: Api) -> None:
    assert api.client.get("/redoc").status_code == 404
    assert api.client.get("/docs/assets/../app.py").status_code == 404
    assert api.client.get("/docs/assets/nothing.js").status_code == 404


@pytest.fixture
def served_site(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[str]:
    with serving(site_app(database_url)) as url:
        yield url


@pytest.mark.browser
def test_swagger_ui_renders_the_api_with_the_network_cut_off(served_site: str) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import Route, sync_playwright

    elsewhere: list[str] = []

    def only_the_server(route: Route) -> None:
        if route.request.url.startswith(served_site):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route("**/*", only_the_server)
            page.goto(f"{served_site}/docs")
            page.wait_for_selector(".opblock", timeout=20_000)
            operations = page.locator(".opblock").count()
            text = page.locator("#swagger-ui").inner_text()
        finally:
            browser.close()
    assert elsewhere == []
    assert errors == []
    assert operations >= 16
    assert "/api/v1/changes" in text
    assert "Authorize" in text
