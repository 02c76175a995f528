"""In a real browser on a phone (Playwright, Debian's Chromium, 390 × 844): an observer
signs in with the credential from their badge and, with the network cut (every request
aborted, which a service worker's own requests do not escape as they escape `set_offline`),
submits a protocol copy that differs in one field with a photo, then a complaint with a
photo; both wait in the phone's outbox; the network returns but the first answers are lost,
so both are sent again — and stored once. The public station page shows "under review" and
the mismatch; a commission member takes the complaint up and upholds it in the console,
ordering a recount, and the page follows.
Screenshots into docs/screenshots/ with --screenshots only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Route
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.service.definition.credentials import IssuedCredentials
from tests.console_people import make_account
from tests.station_client import good_figures, protocol

from .live_server import serving, site_app
from .test_browser import Watched, browser, submit

__all__ = ["browser"]
pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[str]:
    with serving(site_app(database_url)) as url:
        # localhost: a secure context, so the console's Secure session cookie is kept
        yield url.replace("127.0.0.1", "localhost")


@pytest.fixture
def on_phone(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = Watched(context.new_page())
    yield page
    context.close()
    # a request the test aborts is the browser's own console line, not a script's error
    assert [e for e in page.errors if "Failed to load resource" not in e] == []


def shoot(request: pytest.FixtureRequest, folder: Path, page: Page, name: str) -> None:
    if request.config.getoption("--screenshots"):
        page.screenshot(path=str(folder / f"watchers-{name}.png"), full_page=True)


class Network:
    """The phone's network as the test sets it: cut (every request aborted), back but losing
    the first answer to each send (the request reaches the server, its answer never the
    phone), or back."""

    def __init__(self) -> None:
        self.state = "up"
        self.sent: list[str] = []
        self.lost: set[str] = set()

    def route(self, route: Route) -> None:
        if self.state == "cut":
            route.abort()
            return
        if route.request.method == "POST" and "/observer/" in route.request.url:
            self.sent.append(route.request.url)
            if self.state == "losing" and route.request.url not in self.lost:
                self.lost.add(route.request.url)
                route.fetch()  # the server stores it ...
                route.abort()  # ... and the answer is lost on the way back
                return
        route.continue_()


def test_an_observer_reports_offline_and_the_commission_orders_a_recount(
    site: str,
    browser: Browser,
    loaded_election: sessionmaker[Session],
    on_phone: Watched,
    credentials: IssuedCredentials,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    screenshot_folder: Path,
) -> None:
    submit(site, credentials, protocol())
    commission = {"Authorization": f"Bearer {credentials.commission_token}"}
    accredited = httpx.post(
        f"{site}/api/v1/observers/accreditations",
        json={
            "observers": [
                {
                    "code": "O0004",
                    "full_name": "Anna Schmidt",
                    "kind": "international",
                    "organisation": "osce-odihr",
                    "country": "DE",
                    "stations": ["001-0001", "002-0001"],
                }
            ]
        },
        headers=commission,
    )
    assert accredited.status_code == 201, accredited.text
    credential = accredited.json()["observers"][0]["credential"]
    photo = tmp_path / "copy.jpg"
    Image.new("RGB", (64, 48), (20, 20, 200)).save(photo, format="JPEG")

    page = on_phone.page
    network = Network()
    page.context.route("**/*", network.route)
    page.goto(f"{site}/observer?lang=en")
    page.fill("#credential", credential)
    page.click("form.filing-form button[type=submit]")
    page.click('a[data-station="001-0001"]')
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_selector('#outbox[data-ready="yes"]', state="attached")

    network.state = "cut"
    figures = good_figures()
    for name in (
        "registered_voters",
        "voters_added",
        "ballots_received",
        "ballots_issued_in_station",
        "ballots_issued_portable",
        "ballots_cast",
        "invalid_ballots",
        "unused_ballots",
    ):
        page.fill(f"#{name}", str(getattr(figures, name)))
    for code, votes in figures.votes.items():
        page.fill(f"#votes-{code}", str(votes + 40 if code == "C002" else votes))
    page.set_input_files("#photo", str(photo))
    page.click("#copy-form button[type=submit]")
    page.wait_for_selector('#outbox-list li[data-kind="copy"][data-state="waiting"]')

    page.select_option("#complaint-category", "protocol_discrepancy")
    page.fill("#complaint-description", "My copy shows 290 votes for C002; the protocol 250.")
    page.set_input_files("#complaint-attachment", str(photo))
    page.click("#observer-complaint-form button[type=submit]")
    page.wait_for_selector('#outbox-list li[data-kind="complaint"][data-state="waiting"]')
    assert page.locator("#outbox").get_attribute("data-waiting") == "2"
    assert "2 item(s) waiting to be sent" in page.locator("#outbox-summary").inner_text()
    assert "No network" in page.locator("#network-status").inner_text()
    shoot(request, screenshot_folder, page, "observer-offline")
    # nothing reached the server
    assert httpx.get(f"{site}/api/v1/complaints").json()["complaints"] == []

    network.state = "losing"  # each first answer lost: sent again, stored once
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector(
        '#outbox-list li[data-kind="complaint"][data-state="delivered"]', timeout=45_000
    )
    page.wait_for_selector('#outbox-list li[data-kind="copy"][data-state="delivered"]')
    assert "Nothing waiting" in page.locator("#outbox-summary").inner_text()
    shoot(request, screenshot_folder, page, "observer-delivered")
    # each was sent at least twice (the first answer lost) and stored once
    assert network.sent.count(f"{site}/observer/copies") >= 2
    assert network.sent.count(f"{site}/observer/complaints") >= 2
    filed: list[dict[str, Any]] = httpx.get(f"{site}/api/v1/complaints").json()["complaints"]
    assert len(filed) == 1
    tracking = filed[0]["tracking_number"]
    assert tracking in page.locator('#outbox-list li[data-kind="complaint"]').inner_text()
    copies = httpx.get(f"{site}/api/v1/stations/001-0001/observer-copies").json()
    assert len(copies["copies"]) == 1

    # the commission member, at her desk, takes the complaint up in the console
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    console = desk.new_page()
    member = make_account(loaded_election, "leyla")
    console.goto(f"{site}/console/sign-in?lang=en")
    console.fill("#login", member.login)
    console.fill("#password", member.password)
    console.click("#sign-in-form button[type=submit]")
    console.wait_for_url("**/console/second-factor")
    console.fill("#code", member.code())
    console.click("#totp-form button[type=submit]")
    console.wait_for_url("**/console")
    console.goto(f"{site}/console/complaints?lang=en")
    item = console.locator(f'article[data-complaint="{tracking}"]')
    assert "290 votes for C002" in item.inner_text()  # the whole description, to the commission
    item.locator('[data-form="review"] input[name=reason]').fill("the observer's copy differs")
    item.locator('[data-form="review"] button[type=submit]').click()
    console.wait_for_selector(
        f'article[data-complaint="{tracking}"][data-complaint-status="under_review"]'
    )

    page.goto(f"{site}/stations/001-0001?lang=en")
    assert page.locator("#under-review").is_visible()
    assert "Under review" in page.locator("#under-review").inner_text()
    mismatch = page.locator('[data-difference="votes.C002"]')
    assert mismatch.is_visible()
    assert "290" in mismatch.inner_text()
    shoot(request, screenshot_folder, page, "station-under-review")

    item = console.locator(f'article[data-complaint="{tracking}"]')
    item.locator('[data-form="decision"] input[value=uphold]').check()
    item.locator('[data-form="decision"] select[name=remedy]').select_option("recount")
    item.locator('[data-form="decision"] input[name=reason]').fill("the photo shows 290")
    shoot(request, screenshot_folder, console, "console-complaint-decision")
    item.locator('[data-form="decision"] button[type=submit]').click()
    console.wait_for_selector(
        f'article[data-complaint="{tracking}"][data-complaint-status="upheld"]'
    )
    assert (
        "Recount ordered" in console.locator(f'article[data-complaint="{tracking}"]').inner_text()
    )
    desk.close()
    # The site serves its cached picture while it rebuilds (at most a moment old): a reader
    # who reloads sees the decision within a second or two, not necessarily at once.
    for _ in range(40):
        page.reload()
        if page.locator("#under-review").count() == 0:
            break
        page.wait_for_timeout(250)
    assert page.locator("#under-review").count() == 0
    complaint = page.locator(f'[data-complaint="{tracking}"]')
    assert complaint.get_attribute("data-complaint-status") == "upheld"
    assert "Recount ordered" in complaint.inner_text()
    page.goto(f"{site}/complaints?lang=en")
    row = page.locator(f'#complaint-register tr[data-complaint="{tracking}"]')
    assert "Upheld" in row.inner_text()
    assert "290 votes" not in page.content()
    shoot(request, screenshot_folder, page, "complaints-upheld")


def test_signing_out_leaves_nothing_of_the_observer_to_open_offline(
    site: str, on_phone: Watched, credentials: IssuedCredentials
) -> None:
    """A shared phone: an observer signs in (the form's service worker installed), sends one
    complaint, queues another while the complaints cannot get through, and signs out. With
    the network cut, /observer opens the empty offline page — no badge, no stations, no form —
    and no cache holds a signed-in page; the delivered item is gone from the outbox, the
    waiting one stays, bound to the badge, and is sent once the same observer signs in."""
    accredited = httpx.post(
        f"{site}/api/v1/observers/accreditations",
        json={
            "observers": [
                {
                    "code": "O0004",
                    "full_name": "Anna Schmidt",
                    "kind": "international",
                    "organisation": "osce-odihr",
                    "country": "DE",
                    "stations": ["001-0001"],
                }
            ]
        },
        headers={"Authorization": f"Bearer {credentials.commission_token}"},
    )
    assert accredited.status_code == 201, accredited.text
    credential = accredited.json()["observers"][0]["credential"]
    network = {"state": "up"}

    def route(route: Route) -> None:
        held = route.request.method == "POST" and "/observer/complaints" in route.request.url
        if network["state"] == "cut" or (network["state"] == "holding" and held):
            route.abort()
        else:
            route.continue_()

    page = on_phone.page
    page.context.route("**/*", route)
    page.goto(f"{site}/observer?lang=en")
    page.fill("#credential", credential)
    page.click("form.filing-form button[type=submit]")
    page.click('a[data-station="001-0001"]')
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now through the worker, which once kept this page
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
    page.wait_for_selector('#outbox[data-ready="yes"]', state="attached")
    badge = page.locator("#outbox").get_attribute("data-badge")
    assert badge
    assert badge in page.locator("h1").inner_text()

    def complain(description: str) -> None:
        page.select_option("#complaint-category", "other")
        page.fill("#complaint-description", description)
        page.click("#observer-complaint-form button[type=submit]")

    complain("Delivered: the ballot box was moved behind a curtain.")
    page.wait_for_selector('#outbox-list li[data-state="delivered"]', timeout=20_000)
    network["state"] = "holding"
    complain("Waiting: campaigning at the door.")
    page.wait_for_selector('#outbox-list li[data-state="waiting"]')

    page.click("#observer-sign-out button[type=submit]")
    page.wait_for_selector("#credential")
    kept_pages = page.evaluate(
        """async () => {
            const found = [];
            for (const name of await caches.keys()) {
                for (const request of await (await caches.open(name)).keys()) {
                    found.push(new URL(request.url).pathname);
                }
            }
            return found;
        }"""
    )
    assert "/observer/offline" in kept_pages
    assert "/observer" not in kept_pages
    outbox = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const opening = indexedDB.open("tallyroom-observer", 1);
            opening.onerror = () => reject(opening.error);
            opening.onsuccess = () => {
                const all = opening.result.transaction("outbox").objectStore("outbox").getAll();
                all.onsuccess = () => resolve(all.result.map((item) => [item.state, item.badge]));
            };
        })"""
    )
    assert outbox == [["waiting", badge]]

    network["state"] = "cut"
    for address in ("/observer", "/observer?station=001-0001"):
        page.goto(f"{site}{address}")
        page.wait_for_selector("#observer-offline")
        shown = page.content()
        assert badge not in shown
        assert "001-0001" not in shown
        assert page.locator("#copy-form, #observer-complaint-form, #outbox-list li").count() == 0

    network["state"] = "up"
    page.goto(f"{site}/observer?lang=en")
    page.fill("#credential", credential)
    page.click("form.filing-form button[type=submit]")
    page.wait_for_selector('#outbox-list li[data-state="delivered"]', timeout=20_000)
    assert page.locator('#outbox-list li[data-state="waiting"]').count() == 0
    filed = httpx.get(f"{site}/api/v1/complaints").json()["complaints"]
    assert len(filed) == 2
