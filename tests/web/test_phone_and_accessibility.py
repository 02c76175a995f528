"""On a phone (390 × 844) no table column is cut off and the overview of a national election
stays under six screens; axe-core (vendored, run in the page) finds no serious or critical
violation on the overview, constituency, station and integrity pages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.candidate import Nomination
from tallyroom.domain.results import NationalResults, PartyResult
from tallyroom.domain.seat_tally import SeatGroup
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.web.routes import web_router
from tests.station_client import good_figures, protocol

from .conftest import HandBuiltSource, candidate, constituency, national_results
from .live_server import serving, site_app
from .test_browser import CHROMIUM, CHROMIUM_ARGS, submit

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
LANGUAGES = ("az", "en", "ru")
#: long names, as the reference election has them
PLACES = ("Nərimanov", "Pirallahı-Abşeron", "Qaradağ-Binəqədi-Yasamal", "Şərur-Sədərək")
PARTIES = 25
CONSTITUENCIES = 125


def national_election() -> NationalResults:
    """125 constituencies with long names and 25 parties, every one with votes."""
    party_codes = [f"P{index:02d}" for index in range(PARTIES)]
    constituencies = tuple(
        constituency(
            number,
            f"{PLACES[number % len(PLACES)]} {number} saylı seçki dairəsi",
            [
                candidate(
                    f"C{number:03d}{rank}",
                    f"Məmmədəliyev{rank} Əbülfəz Hüseynqulu oğlu",
                    party_codes[(number + rank) % PARTIES],
                    Nomination.PARTY,
                    10_000 - 1_000 * rank + number,
                    40_000,
                )
                for rank in range(4)
            ],
            reporting=37,
            total=52,
        )
        for number in range(1, CONSTITUENCIES + 1)
    )
    parties = tuple(
        PartyResult(
            code,
            f"Azərbaycan Demokratik Maarifçilik Partiyası {index}",
            f"#{(index * 9) % 10}{(index * 7) % 10}{(index * 3) % 10}a6{index % 10}",
            1_234_567 - index * 40_000,
            5 * (PARTIES - index) // PARTIES,
            0,
        )
        for index, code in enumerate(party_codes)
    )
    small = national_results()
    return replace(
        small,
        seats_total=CONSTITUENCIES,
        majority=63,
        stations_total=6478,
        stations_reporting=5895,
        registered_voters=6_347_567,
        registered_voters_reporting=5_800_000,
        ballots_cast=2_345_678,
        invalid_ballots=34_567,
        seats=tuple(SeatGroup(p.short_name, Nomination.PARTY, p.seats) for p in parties),
        parties=parties,
        constituencies=constituencies,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def national_site() -> Iterator[str]:
    app = FastAPI()
    app.include_router(web_router(HandBuiltSource(results=national_election())))
    with serving(app) as url:
        yield url


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    yield context.new_page()
    context.close()


@pytest.fixture
def counted_site(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[str]:
    """The small election served, both constituencies with a counted protocol (enough for the
    integrity report)."""
    with serving(site_app(database_url)) as url:
        submit(url, credentials, protocol())
        submit(
            url,
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
        yield url


CUT_OFF_COLUMNS = """() => {
  for (const details of document.querySelectorAll("details")) details.open = true;
  const width = document.documentElement.clientWidth;
  const cut = [];
  for (const table of document.querySelectorAll("table")) {
    const box = table.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.right > width + 1 || table.scrollWidth > table.parentElement.clientWidth + 1) {
      const where = table.closest("[id]");
      cut.push(`${where ? where.id : "?"}: ${Math.round(box.width)} px wide`);
    }
  }
  if (document.documentElement.scrollWidth > width + 1) {
    const wide = [...document.querySelectorAll("main *")].filter(
      (element) => element.getBoundingClientRect().right > width + 1);
    cut.push("the page scrolls sideways: " + wide.slice(0, 3).map(
      (element) => element.tagName + "." + element.className).join(", "));
  }
  return cut;
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_table_column_is_cut_off_on_a_phone(
    national_site: str, phone: Page, language: str
) -> None:
    for path in (
        "/",
        "/constituencies/1",
        "/stations/001-0001",
        "/parties",
        "/candidates",
        "/observers",
        "/search?q=a",
    ):
        separator = "&" if "?" in path else "?"
        phone.goto(f"{national_site}{path}{separator}lang={language}")
        assert phone.evaluate(CUT_OFF_COLUMNS) == [], path


def test_integrity_tables_fit_on_a_phone(counted_site: str, phone: Page) -> None:
    for language in LANGUAGES:
        phone.goto(f"{counted_site}/integrity?lang={language}")
        assert phone.locator("#integrity-figures").count() == 1
        assert phone.evaluate(CUT_OFF_COLUMNS) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_overview_of_a_national_election_is_under_six_phone_screens(
    national_site: str, phone: Page, language: str
) -> None:
    phone.goto(f"{national_site}/?lang={language}")
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height < 6 * PHONE["height"]
    # the long tables are one "show all" away, and open without script
    assert phone.locator("#constituencies tbody tr:visible").count() < CONSTITUENCIES
    phone.locator("#constituencies-all summary").click()
    assert phone.locator("#constituencies tbody tr:visible").count() == CONSTITUENCIES
    phone.locator("#seats-all summary").click()
    # every party, and the two groups of independents
    assert phone.locator("#seats tbody tr:visible").count() == PARTIES + 2


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "where": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    ("viewport", "language"), [(PHONE, "az"), ({"width": 1280, "height": 900}, "ru")]
)
def test_axe_finds_no_serious_or_critical_violation(
    counted_site: str, browser: Browser, viewport: dict[str, int], language: str
) -> None:
    # axe is injected as an inline script, which the site's policy rightly refuses: the
    # checker, not the site, is let past it.
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        for path in ("/", "/constituencies/1", "/stations/001-0001", "/integrity"):
            page.goto(f"{counted_site}{path}?lang={language}")
            assert axe_violations(page) == [], path
    finally:
        context.close()
