"""The station app in Debian's Chromium on a phone-sized screen: enrolment with a key made in
the browser, the tally sheet with a deliberate arithmetic error pointed at, review, signing,
sending and the receipt; the public station page; two documents queued while the network is
cut and delivered exactly once; two clerks who disagree on one field; a second device with a
used code. Screenshots go to docs/screenshots/ with --screenshots."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.key_fingerprint import key_fingerprint
from tallyroom.domain.signature import signature_is_valid
from tallyroom.service.definition.credentials import IssuedCredentials, KeyMaking, issue_credentials
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    AuditEntryRow,
    ElectionRow,
    ProtocolVersionRow,
    StationKeyRow,
    StoredFileRow,
    TurnoutReportRow,
)

from .live_server import serving, site_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
PHONE = {"width": 360, "height": 740}
#: the paper protocol of station 001-0001 (consistent: tests/station_client.good_figures)
PAPER = {
    "registered_voters": 1200,
    "voters_added": 0,
    "ballots_received": 1200,
    "ballots_issued_in_station": 740,
    "ballots_issued_portable": 20,
    "unused_ballots": 440,
    "ballots_cast": 760,
    "invalid_ballots": 10,
    "votes-C001": 400,
    "votes-C002": 250,
    "votes-C003": 100,
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def small_election(small_election: Path, request: pytest.FixtureRequest) -> Path:
    """The small election; a test marked `election_yaml("two_clerk_entry: true")` has those
    settings written into its election.yaml before it is loaded, as a commission sets them."""
    marker = request.node.get_closest_marker("election_yaml")
    if marker is not None:
        path = small_election / "election.yaml"
        text = path.read_text(encoding="utf-8")
        settings = "".join(f"  {line}\n" for line in marker.args)
        assert "\nelection:\n" in text
        path.write_text(text.replace("\nelection:\n", f"\nelection:\n{settings}", 1), "utf-8")
    return small_election


@pytest.fixture
def codes(loaded_election: sessionmaker[Session]) -> IssuedCredentials:
    with transaction(loaded_election) as session:
        return issue_credentials(session, actor="test", key_making=KeyMaking.DEVICE)


@pytest.fixture
def site(codes: IssuedCredentials, database_url: str) -> Iterator[str]:
    with serving(site_app(database_url)) as url:
        yield url


class Phone:
    """A phone's browser: its page, and the errors its console reported."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))


@pytest.fixture
def phone(browser: Browser) -> Iterator[Phone]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    device = Phone(context)
    yield device
    context.close()
    assert device.errors == []


def enrol(page: Page, site: str, code: str, station: str = "001-0001") -> None:
    page.goto(f"{site}/station/?lang=en")
    page.fill("#enrol-station", station)
    page.fill("#enrol-code", code)
    page.click("#enrol button[type=submit]")


def fill(page: Page, values: dict[str, int]) -> None:
    for name, value in values.items():
        page.fill(f"#f-{name}", str(value))


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"station-app-{name}.png"), full_page=True)


def stored_versions(sessions: sessionmaker[Session]) -> list[tuple[int, str, str]]:
    with transaction(sessions) as session:
        return [
            (row.version, row.status, row.body_sha256)
            for row in session.scalars(select(ProtocolVersionRow).order_by(ProtocolVersionRow.id))
        ]


def test_enrol_enter_fix_sign_send_and_the_receipt(
    site: str,
    phone: Phone,
    codes: IssuedCredentials,
    loaded_election: sessionmaker[Session],
    screenshot_folder: Path,
) -> None:
    page = phone.page
    enrol(page, site, codes.enrolment_codes["001-0001"][1])
    expect(page.locator("#entry")).to_be_visible()
    with transaction(loaded_election) as session:
        key = session.scalars(select(StationKeyRow).where(StationKeyRow.revoked_at.is_(None))).one()
        assert key.made == "device"
    expect(page.locator("#fingerprint")).to_have_text(key_fingerprint(key.public_key))
    labels = page.locator("#votes label").all_inner_texts()
    assert len(labels) == 3
    assert labels[0].startswith("1. ")
    assert page.locator("#f-ballots_cast").get_attribute("inputmode") == "numeric"
    shot(page, screenshot_folder, "1-enrolled")
    # A slip of the pen: 750 ballots in the boxes against 750 votes and 10 invalid.
    fill(page, PAPER | {"ballots_cast": 750})
    expect(page.locator("#f-ballots_cast")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-invalid_ballots")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#checks")).to_contain_text("Ballots found in the boxes")
    shot(page, screenshot_folder, "2-error-pointed-at")
    page.fill("#f-ballots_cast", "760")
    expect(page.locator("#f-ballots_cast")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#checks")).to_be_empty()
    page.click("#to-review")
    expect(page.locator("#review")).to_be_visible()
    expect(page.locator("#review-figures")).to_contain_text("760")
    shot(page, screenshot_folder, "3-review")
    page.click("#sign")
    expect(page.locator("#answer-status")).to_have_text("Accepted and counted.")
    [(version, status, sha256)] = stored_versions(loaded_election)
    assert (version, status) == (1, "accepted")
    expect(page.locator("#receipt-hash")).to_have_text(sha256)
    expect(page.locator("#answer-version")).to_have_text("Stored as version 1.")
    page.wait_for_function("document.getElementById('receipt-qr').naturalWidth > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, screenshot_folder, "4-receipt")
    # An amendment from the same screen needs a reason.
    page.click("#amend")
    fill(page, PAPER | {"invalid_ballots": 9, "ballots_cast": 759})
    page.click("#to-review")
    expect(page.locator("#f-amendment_reason")).to_have_attribute("aria-invalid", "true")
    page.fill("#f-amendment_reason", "one invalid ballot was counted twice")
    page.click("#to-review")
    page.click("#sign")
    expect(page.locator("#answer-version")).to_have_text("Stored as version 2.")
    # Hourly turnout, one tap, signed with the same key.
    page.select_option("#turnout-hour", "10:00")
    page.fill("#turnout-voters", "212")
    page.click("#turnout-form button[type=submit]")
    expect(page.locator("#outbox-list li[data-kind=turnout][data-state=delivered]")).to_have_count(
        1
    )
    with transaction(loaded_election) as session:
        report = session.scalars(select(TurnoutReportRow)).one()
        assert (report.as_of, report.voters, report.status) == ("10:00", 212, "accepted")
        assert report.signature is not None
    # The public station page shows the numbers and the key that signed them.
    page.goto(f"{site}/stations/001-0001?lang=en")
    expect(page.locator("article.protocol.counted")).to_contain_text("759")
    expect(page.locator(".station-keys")).to_contain_text(key_fingerprint(key.public_key))
    expect(page.locator(".station-keys")).to_contain_text("device")
    shot(page, screenshot_folder, "5-public-station-page")


def test_a_blank_or_zero_sheet_is_refused(
    site: str, phone: Phone, codes: IssuedCredentials
) -> None:
    page = phone.page
    enrol(page, site, codes.enrolment_codes["001-0001"][1])
    expect(page.locator("#entry")).to_be_visible()
    page.click("#to-review")
    expect(page.locator("#checks")).to_contain_text("blank or zero")
    fill(page, dict.fromkeys(PAPER, 0))
    page.click("#to-review")
    expect(page.locator("#review")).to_be_hidden()
    expect(page.locator("#checks")).to_contain_text("blank or zero")


def test_a_second_device_with_a_used_code_is_refused(
    site: str, browser: Browser, phone: Phone, codes: IssuedCredentials, screenshot_folder: Path
) -> None:
    code = codes.enrolment_codes["001-0001"][1]
    enrol(phone.page, site, code)
    expect(phone.page.locator("#entry")).to_be_visible()
    other = Phone(browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True))
    enrol(other.page, site, code)
    expect(other.page.locator("#enrol-error")).to_contain_text("used already")
    expect(other.page.locator("#entry")).to_be_hidden()
    shot(other.page, screenshot_folder, "6-used-code-refused")
    other.context.close()


def test_two_documents_queued_offline_are_delivered_exactly_once(
    site: str,
    phone: Phone,
    codes: IssuedCredentials,
    loaded_election: sessionmaker[Session],
    screenshot_folder: Path,
) -> None:
    page = phone.page
    enrol(page, site, codes.enrolment_codes["001-0001"][1])
    expect(page.locator("#entry")).to_be_visible()
    page.wait_for_function("navigator.serviceWorker.controller !== null || true")

    def cut(route: Route) -> None:
        route.abort("internetdisconnected")

    phone.context.route("**/api/v1/**", cut)
    fill(page, PAPER)
    page.click("#to-review")
    page.click("#sign")
    expect(page.locator("#answer-status")).to_have_text("waiting to be sent")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("#amend")
    fill(page, PAPER | {"invalid_ballots": 9, "ballots_cast": 759})
    page.fill("#f-amendment_reason", "recounted the invalid ballots")
    page.click("#to-review")
    page.click("#sign")
    expect(page.locator("#outbox-list li[data-state=waiting]")).to_have_count(2)
    expect(page.locator("#outbox-summary")).to_contain_text("2 signed document(s) waiting")
    shot(page, screenshot_folder, "7-offline-queue")
    assert stored_versions(loaded_election) == []
    phone.context.unroute("**/api/v1/**", cut)
    expect(page.locator("#outbox-list li[data-state=delivered]")).to_have_count(2, timeout=15_000)
    expect(page.locator("#outbox-summary")).to_contain_text("Nothing waiting")
    page.wait_for_timeout(4500)  # another retry round: nothing is sent twice
    versions = stored_versions(loaded_election)
    assert [(version, status) for version, status, _ in versions] == [
        (1, "accepted"),
        (2, "accepted"),
    ]
    shot(page, screenshot_folder, "8-delivered")


@pytest.mark.election_yaml("two_clerk_entry: true")
def test_two_clerks_disagree_on_one_field_then_reconcile(
    site: str,
    phone: Phone,
    codes: IssuedCredentials,
    loaded_election: sessionmaker[Session],
    screenshot_folder: Path,
) -> None:
    # Switched on in election.yaml, read by the definition reader like any commission's.
    with transaction(loaded_election) as session:
        assert session.scalar(select(ElectionRow.two_clerk_entry)) is True
    page = phone.page
    enrol(page, site, codes.enrolment_codes["001-0001"][1])
    expect(page.locator("#clerk")).to_contain_text("First clerk")
    fill(page, PAPER)
    page.click("#to-review")
    expect(page.locator("#clerk")).to_contain_text("Second clerk")
    expect(page.locator("#f-votes-C002")).to_have_value("")
    fill(page, PAPER | {"votes-C002": 205})
    page.click("#to-review")
    differ = page.locator("#checks .differ")
    expect(differ).to_contain_text("2. Leyla Həsənova")
    expect(differ).not_to_contain_text("250")
    expect(differ).not_to_contain_text("205")
    expect(page.locator("#f-votes-C002")).to_have_attribute("aria-invalid", "true")
    assert page.locator("[aria-invalid=true]").count() == 1
    shot(page, screenshot_folder, "9-clerks-differ")
    page.fill("#f-votes-C002", "250")
    page.click("#to-review")
    expect(page.locator("#review")).to_be_visible()
    page.click("#sign")
    expect(page.locator("#answer-status")).to_have_text("Accepted and counted.")
    with transaction(loaded_election) as session:
        assert session.scalar(select(func.count(ProtocolVersionRow.id))) == 1
        recorded = session.scalars(
            select(AuditEntryRow.payload).where(AuditEntryRow.action == "protocol.double_entered")
        ).all()
        assert len(recorded) == 1
        assert '"version":1' in recorded[0].replace(" ", "")


def camera_photo(path: Path) -> Path:
    """A camera's JPEG: larger than the app sends, with EXIF naming a place and a camera."""
    picture = Image.new("RGB", (2400, 1800), "white")
    draw = ImageDraw.Draw(picture)
    for row in range(12):
        draw.text((100, 100 + 130 * row), f"line {row + 1}: {1200 - 37 * row}", fill="black")
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    exif[0x8825] = {1: "N", 2: (40.0, 24.0, 30.0), 3: "E", 4: (49.0, 52.0, 10.0)}
    picture.save(path, "JPEG", exif=exif, quality=90)
    return path


def test_the_photo_is_re_encoded_signed_sent_and_shown_beside_the_numbers(
    site: str,
    phone: Phone,
    codes: IssuedCredentials,
    loaded_election: sessionmaker[Session],
    screenshot_folder: Path,
    tmp_path: Path,
) -> None:
    page = phone.page
    enrol(page, site, codes.enrolment_codes["001-0001"][1])
    expect(page.locator("#entry")).to_be_visible()
    fill(page, PAPER)
    page.set_input_files("#f-photo", str(camera_photo(tmp_path / "IMG_0001.jpg")))
    expect(page.locator("#e-photo")).to_contain_text("location and camera data removed")
    shot(page, screenshot_folder, "10-photo-chosen")
    page.click("#to-review")
    expect(page.locator("#review-photo")).to_be_visible()
    shot(page, screenshot_folder, "11-photo-review")
    page.click("#sign")
    expect(page.locator("#answer-status")).to_have_text("Accepted and counted.")
    expect(page.locator("#answer-photo")).to_have_text("The photo was sent.", timeout=10_000)
    with transaction(loaded_election) as session:
        body = session.scalars(select(ProtocolVersionRow.body)).one()
        signed = json.loads(body)["photo_sha256"]
        stored = session.get(StoredFileRow, signed)
        assert stored is not None
        content = stored.content
    assert hashlib.sha256(content).hexdigest() == signed
    with Image.open(io.BytesIO(content)) as photo:
        assert photo.format == "JPEG"
        assert max(photo.size) == 1600  # scaled down from 2,400
        assert not photo.getexif()
    assert b"Phone maker" not in content
    page.goto(f"{site}/stations/001-0001?lang=en")
    article = page.locator("article.protocol.counted")
    expect(article).to_contain_text("760")
    image = article.locator(".protocol-photo img")
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('.protocol-photo img').naturalWidth === 1600")
    expect(article.locator(".protocol-photo")).to_contain_text(signed)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, screenshot_folder, "12-public-page-with-photo")


#: a browser whose WebCrypto has no Ed25519 (as older Safari and Firefox)
WITHOUT_ED25519 = """
(() => {
  const subtle = crypto.subtle;
  const refuse = (method) => {
    const original = subtle[method].bind(subtle);
    subtle[method] = (algorithm, ...rest) => {
      const name = typeof algorithm === "string" ? algorithm : algorithm && algorithm.name;
      if (String(name).toLowerCase() === "ed25519") {
        return Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
      }
      return original(algorithm, ...rest);
    };
  };
  for (const method of ["generateKey", "importKey", "sign", "verify"]) refuse(method);
})();
"""


def test_without_webcrypto_ed25519_the_vendored_fallback_signs_what_the_server_verifies(
    site: str,
    phone: Phone,
    codes: IssuedCredentials,
    loaded_election: sessionmaker[Session],
) -> None:
    phone.context.add_init_script(WITHOUT_ED25519)
    page = phone.page
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    enrol(page, site, codes.enrolment_codes["001-0001"][1])
    expect(page.locator("#entry")).to_be_visible()
    assert any(url.endswith("/station/vendor/noble-ed25519/index.js") for url in loaded)
    kept = page.evaluate(
        """async () => {
          const db = await new Promise((resolve, reject) => {
            const request = indexedDB.open("tallyroom-station");
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
          const device = await new Promise((resolve) => {
            const request = db.transaction("device").objectStore("device").get("current");
            request.onsuccess = () => resolve(request.result);
          });
          const signer = device.signer;
          let exported = "refused";
          try { await crypto.subtle.exportKey("raw", signer.wrapKey); exported = "exported"; }
          catch { exported = "refused"; }
          return {
            kind: signer.kind,
            algorithm: signer.wrapKey.algorithm.name,
            extractable: signer.wrapKey.extractable,
            exported,
            sealedBytes: signer.sealed.byteLength,
          };
        }"""
    )
    # 32 secret bytes + a 16-byte GCM tag, under a key the page cannot export
    assert kept == {
        "kind": "noble",
        "algorithm": "AES-GCM",
        "extractable": False,
        "exported": "refused",
        "sealedBytes": 48,
    }
    fill(page, PAPER)
    page.click("#to-review")
    page.click("#sign")
    expect(page.locator("#answer-status")).to_have_text("Accepted and counted.")
    # The turnout report too: the server checks its signature with the enrolled key.
    page.select_option("#turnout-hour", "10:00")
    page.fill("#turnout-voters", "212")
    page.click("#turnout-form button[type=submit]")
    expect(page.locator("#outbox-list li[data-kind=turnout][data-state=delivered]")).to_have_count(
        1
    )
    with transaction(loaded_election) as session:
        (version, key) = session.execute(
            select(ProtocolVersionRow, StationKeyRow).join(
                StationKeyRow, StationKeyRow.id == ProtocolVersionRow.station_key_id
            )
        ).one()
        assert version.status == "accepted"
        assert key.made == "device"
        assert signature_is_valid(version.body.encode(), version.signature, key.public_key)
