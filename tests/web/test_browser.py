"""Acceptance in a real browser (Playwright driving Debian's Chromium): the pages render, the
language switch works everywhere, a submitted protocol shows up live without a reload, no
console errors; the overview of the reference election at the announcement shows 125 seats,
and its screenshots in three languages are taken (into docs/screenshots/ with --screenshots,
which `make screenshots` sets; else into a temporary folder)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app as cli
from tallyroom.scenarios.az_2024 import build_definition
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.service.definition.election_setup import define_election
from tallyroom.store.database import make_engine, migrate, session_factory, transaction
from tests.station_client import good_figures, protocol

from .live_server import serving, site_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = (
    "/",
    "/constituencies/1",
    "/stations/001-0001",
    "/parties",
    "/candidates",
    "/observers",
    "/search?q=001",
)
runner = CliRunner()
HOME_WORD = {"az": "Ümumi mənzərə", "en": "Overview", "ru": "Обзор"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors and uncaught exceptions are collected."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))


@pytest.fixture
def small_site(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[str]:
    with serving(site_app(database_url)) as url:
        yield url


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = Watched(context.new_page())
    yield page
    context.close()
    assert page.errors == []


def submit(url: str, credentials: IssuedCredentials, document: dict[str, object]) -> None:
    from tallyroom.domain.signature import load_private_key, sign_document

    station = str(document["station"])
    _, token, pem = credentials.stations[station]
    response = httpx.post(
        f"{url}/api/v1/protocols",
        json={"protocol": document, "signature": sign_document(document, load_private_key(pem))},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text


def test_constituency_and_station_pages_render(
    small_site: str, watched: Watched, credentials: IssuedCredentials
) -> None:
    submit(small_site, credentials, protocol())
    page = watched.page
    page.goto(f"{small_site}/constituencies/1?lang=en")
    assert page.locator("h1").inner_text().startswith("Constituency 1")
    assert page.locator('tr.leading[data-candidate="C001"]').count() == 1
    page.click('a[href="/stations/001-0001"]')
    page.wait_for_url("**/stations/001-0001")
    assert "Polling station 001-0001" in page.locator("h1").inner_text()
    assert page.locator("article.protocol.counted").count() == 1
    assert page.locator('[data-tag="webcam"]').count() == 1


def test_language_switch_works_on_every_page(small_site: str, watched: Watched) -> None:
    page = watched.page
    for path in PAGES:
        page.goto(small_site + path)
        for language in ("en", "ru", "az"):
            page.click(f'.language-switch a[data-lang="{language}"]')
            page.wait_for_selector(f'html[lang="{language}"]')
            assert page.locator(".site-nav a").first.inner_text() == HOME_WORD[language], path
            assert (
                page.locator(f'.language-switch a[data-lang="{language}"]').get_attribute(
                    "aria-current"
                )
                == "true"
            )


def test_tables_sort_in_the_browser(
    small_site: str, watched: Watched, credentials: IssuedCredentials
) -> None:
    submit(small_site, credentials, protocol())
    page = watched.page
    page.goto(f"{small_site}/constituencies/1?lang=en")
    table = page.locator("#candidates table")
    votes_header = table.locator("thead th").nth(2)
    votes_header.locator("button").click()
    assert votes_header.get_attribute("aria-sort") == "ascending"
    first = table.locator("tbody tr").first.get_attribute("data-candidate")
    assert first == "C003"  # 100 votes, the fewest


def test_a_submitted_protocol_appears_live_without_reload(
    small_site: str, watched: Watched, credentials: IssuedCredentials
) -> None:
    page = watched.page
    page.goto(f"{small_site}/?lang=en")
    page.wait_for_selector('[data-stations-reporting="0"]')
    page.evaluate("window.notReloaded = true")
    page.wait_for_timeout(700)  # the event stream is open
    submit(small_site, credentials, protocol(figures=good_figures()))
    page.wait_for_selector('[data-stations-reporting="1"]', timeout=10_000)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator('svg.hemicycle g[data-group="party:YAP"] circle').count() == 1
    submit(
        small_site,
        credentials,
        protocol(
            station="002-0001",
            figures=good_figures(
                votes={"C004": 300, "C005": 200},
                registered_voters=600,
                ballots_received=600,
                ballots_issued_in_station=500,
                ballots_issued_portable=10,
                unused_ballots=90,
            ),
        ),
    )
    page.wait_for_selector('[data-stations-reporting="2"]', timeout=10_000)
    assert page.locator('svg.hemicycle g[data-group="party_member"] circle').count() == 1
    assert page.evaluate("window.notReloaded") is True


def test_a_seat_shows_leading_then_won_as_its_constituency_completes(
    small_site: str, watched: Watched, credentials: IssuedCredentials
) -> None:
    from tests.polled_election import figures

    page = watched.page
    submit(small_site, credentials, protocol())
    page.goto(f"{small_site}/?lang=en")
    headline = page.locator(".seat-headline")
    assert headline.inner_text() == "1 leader, 0 won"
    row = page.locator("#constituencies tbody tr").first
    assert row.locator('[data-seat-status="leading"]').inner_text() == "Leading"
    assert page.locator("svg.hemicycle circle.seat-leading").count() == 1
    assert page.locator('.seat-status-legend [data-seat-status="leading"]').is_visible()
    page.evaluate("window.notReloaded = true")
    page.wait_for_timeout(700)  # the event stream is open
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
        submit(small_site, credentials, protocol(station, figures=counted))
    page.wait_for_selector('[data-stations-reporting="3"]', timeout=10_000)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator(".seat-headline").inner_text() == "1 leader, 1 won"
    row = page.locator("#constituencies tbody tr").first
    assert row.locator('[data-seat-status="won"]').inner_text() == "Won"
    assert page.locator("svg.hemicycle circle.seat-leading").count() == 0
    page.goto(f"{small_site}/constituencies/1?lang=en")
    assert page.locator('p.seat-status[data-seat-status="won"]').is_visible()


@pytest.fixture(scope="module")
def announcement_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The reference election at the preliminary announcement, played by `tallyroom simulate`
    against the served site. Playing the night takes minutes; TALLYROOM_ANNOUNCEMENT_DB may name
    a SQLite file already played to the announcement (it is copied, never changed)."""
    folder = tmp_path_factory.mktemp("az-2024")
    path = folder / "tallyroom.db"
    url = f"sqlite:///{path}"
    played = os.environ.get("TALLYROOM_ANNOUNCEMENT_DB")
    if played:
        shutil.copyfile(played, path)
        with serving(site_app(url)) as served:
            yield served
        return
    engine = make_engine(url)
    migrate(engine)
    with transaction(session_factory(engine)) as session:
        define_election(session, definition=build_definition(2024), digest="0" * 64, actor="test")
    engine.dispose()
    environment = {"TALLYROOM_DATABASE_URL": url}
    credentials = folder / "credentials"
    issued = runner.invoke(
        cli, ["credentials", "issue", str(credentials), "--central-keys"], env=environment
    )
    assert issued.exit_code == 0, issued.output
    with serving(site_app(url)) as served:
        simulated = runner.invoke(
            cli,
            [
                "simulate",
                "az-2024",
                "--server",
                served,
                "--credentials",
                str(credentials),
                "--until",
                "announcement",
            ],
            env=environment,
        )
        assert simulated.exit_code == 0, simulated.output
        yield served


@pytest.mark.slow
def test_overview_shows_125_seats_after_the_announcement_with_screenshots(
    announcement_site: str, browser: Browser, screenshot_folder: Path
) -> None:
    for language in ("az", "en", "ru"):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, device_scale_factor=1
        )
        watched = Watched(context.new_page())
        page = watched.page
        page.goto(f"{announcement_site}/?lang={language}")
        hemicycle = page.locator("svg.hemicycle")
        assert hemicycle.get_attribute("data-seats") == "125"
        assert hemicycle.locator("circle").count() == 125
        assert hemicycle.locator('g[data-group="undeclared"]').count() == 0
        assert hemicycle.locator('g[data-group="party:YAP"] circle').count() == 68
        independents = hemicycle.locator(
            'g[data-group="party_member"] circle, g[data-group="non_party"] circle'
        )
        assert independents.count() == 45
        # no constituency has every station in: every seat is only led
        headline = page.locator(".seat-headline")
        assert headline.get_attribute("data-seats-leaders") == "125"
        assert headline.get_attribute("data-seats-won") == "0"
        assert hemicycle.locator("circle.seat-leading").count() == 125
        assert (
            page.locator("[data-stations-reporting]").get_attribute("data-stations-reporting")
            == "5895"
        )
        page.screenshot(path=str(screenshot_folder / f"overview-{language}.png"), full_page=False)
        context.close()
        assert watched.errors == []


def test_an_annulled_station_on_its_page_and_in_the_national_progress(
    small_site: str, watched: Watched, credentials: IssuedCredentials
) -> None:
    submit(small_site, credentials, protocol())
    submit(
        small_site,
        credentials,
        protocol(
            "001-0003",
            figures=good_figures(
                {"C001": 40, "C002": 50, "C003": 5},
                registered_voters=150,
                ballots_received=150,
                ballots_issued_in_station=100,
                ballots_issued_portable=0,
                ballots_cast=100,
                invalid_ballots=5,
                unused_ballots=50,
            ),
        ),
    )
    reason = "Ballot box seal found broken before the count"
    response = httpx.post(
        f"{small_site}/api/v1/stations/001-0001/annulment",
        json={"reason": reason, "confirmed": True},
        headers={"Authorization": f"Bearer {credentials.commission_token}"},
    )
    assert response.status_code == 201, response.text
    page = watched.page
    page.goto(f"{small_site}/?lang=en")
    progress = page.locator("#progress [data-stations-annulled]")
    assert progress.inner_text() == "1 counted, 1 annulled"
    assert (
        "polling stations (1) with their ballots (760)"
        in page.locator("#annulled-note").inner_text()
    )
    page.goto(f"{small_site}/constituencies/1?lang=en")
    assert page.locator('tr[data-station="001-0001"] .status-annulled').inner_text() == "Annulled"
    page.click('a[href="/stations/001-0001"]')
    page.wait_for_url("**/stations/001-0001")
    notice = page.locator("#annulment")
    assert notice.is_visible()
    assert "The commission annulled this station's result." in notice.inner_text()
    assert page.locator("#annulment [data-annulment-reason]").inner_text() == reason
    assert page.locator('#version-history [data-standing="annulled"]').count() == 1
    assert page.locator("article.protocol.counted").count() == 0


def test_every_page_runs_under_the_content_security_policy(
    small_site: str, watched: Watched, credentials: IssuedCredentials
) -> None:
    # A blocked inline script or style is a console error ("Refused to apply inline style
    # ... Content Security Policy"); `watched` fails on any.
    submit(small_site, credentials, protocol())
    page = watched.page
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in (
        "/",
        "/constituencies/1",
        "/stations/001-0001",
        "/parties",
        "/candidates",
        "/observers",
        "/search?q=001",
        "/integrity",
    ):
        response = page.goto(f"{small_site}{path}")
        assert response is not None
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert violations == []
