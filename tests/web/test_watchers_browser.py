"""In a real browser on a phone (Playwright, Debian's Chromium, 390 × 844): an observer
signs in with the credential from their badge and submits a protocol copy that differs in
one field with a photo, then a complaint with a photo; the public station page shows "under
review" and the mismatch; the commission upholds the complaint ordering a recount, and the
page follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.service.credentials import IssuedCredentials
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
        yield url


@pytest.fixture
def on_phone(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = Watched(context.new_page())
    yield page
    context.close()
    assert page.errors == []


def test_an_observer_reports_a_mismatch_and_the_commission_orders_a_recount(
    site: str, on_phone: Watched, credentials: IssuedCredentials, tmp_path: Path
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
    page.goto(f"{site}/observer?lang=en")
    page.fill("#credential", credential)
    page.click("form.filing-form button[type=submit]")
    page.click('a[data-station="001-0001"]')
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
    page.wait_for_selector("#copy-stored")

    page.goto(f"{site}/complaints/new?station=001-0001&lang=en")
    page.select_option("#category", "protocol_discrepancy")
    page.fill("#description", "My copy shows 290 votes for C002; the protocol 250.")
    page.set_input_files("#attachment", str(photo))
    page.click("form.filing-form button[type=submit]")
    tracking = page.locator("#tracking-number").inner_text()
    assert tracking.startswith("S2-C")

    review = httpx.post(
        f"{site}/api/v1/complaints/{tracking}/review",
        json={"reason": "the observer's copy differs"},
        headers=commission,
    )
    assert review.status_code == 201, review.text
    page.goto(f"{site}/stations/001-0001?lang=en")
    assert page.locator("#under-review").is_visible()
    assert "Under review" in page.locator("#under-review").inner_text()
    mismatch = page.locator('[data-difference="votes.C002"]')
    assert mismatch.is_visible()
    assert "290" in mismatch.inner_text()

    upheld = httpx.post(
        f"{site}/api/v1/complaints/{tracking}/decision",
        json={"decision": "uphold", "reason": "the photo shows 290", "remedy": "recount"},
        headers=commission,
    )
    assert upheld.status_code == 201, upheld.text
    page.reload()
    assert page.locator("#under-review").count() == 0
    complaint = page.locator(f'[data-complaint="{tracking}"]')
    assert complaint.get_attribute("data-complaint-status") == "upheld"
    assert "Recount ordered" in complaint.inner_text()
    page.goto(f"{site}/complaints?lang=en")
    row = page.locator(f'#complaint-register tr[data-complaint="{tracking}"]')
    assert "Upheld" in row.inner_text()
    assert "290 votes" not in page.content()
