"""The console in a real browser (Playwright driving Debian's Chromium) at `localhost`
(WebAuthn refuses an IP address as its relying party): a commission member signs in with a
password and a TOTP code; another enrols a security key and signs in with it through
Chromium's virtual authenticator (CDP WebAuthn domain); a form posted without its CSRF token
is refused; the 6th failed sign-in in a minute is refused; a constituency member reads only
her constituency's audit log. Screenshots into docs/screenshots/ with --screenshots only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.service.people.people import PersonRole, SecondFactor
from tallyroom.store.schema import AuditEntryRow
from tests.console_people import Account, make_account
from tests.station_client import good_figures, protocol

from .live_server import serving, site_app
from .test_browser import browser, submit

__all__ = ["browser"]
pytestmark = pytest.mark.browser


@pytest.fixture
def console_site(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[str]:
    with serving(site_app(database_url)) as url:
        yield url.replace("127.0.0.1", "localhost")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


class Shots:
    def __init__(self, request: pytest.FixtureRequest, folder: Path) -> None:
        self.wanted = bool(request.config.getoption("--screenshots"))
        self.folder = folder

    def take(self, page: Page, name: str) -> None:
        if self.wanted:
            page.screenshot(path=str(self.folder / f"console-{name}.png"), full_page=False)


@pytest.fixture
def shots(request: pytest.FixtureRequest, screenshot_folder: Path) -> Shots:
    return Shots(request, screenshot_folder)


def script_errors(page: Page) -> list[str]:
    """Errors of the page's scripts (a refused request's own console line is expected)."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def password_step(page: Page, site: str, account: Account, password: str | None = None) -> None:
    page.goto(f"{site}/console/sign-in?lang=en")
    page.fill("#login", account.login)
    page.fill("#password", password or account.password)
    page.click("#sign-in-form button[type=submit]")


def test_a_commission_member_signs_in_with_password_and_totp(
    console_site: str, context: BrowserContext, loaded_election: sessionmaker[Session], shots: Shots
) -> None:
    member = make_account(loaded_election, "leyla")
    page = context.new_page()
    errors = script_errors(page)
    page.goto(f"{console_site}/console?lang=en")
    page.wait_for_url("**/console/sign-in")
    shots.take(page, "sign-in")
    password_step(page, console_site, member)
    page.wait_for_url("**/console/second-factor")
    page.fill("#code", member.code())
    page.click("#totp-form button[type=submit]")
    page.wait_for_url("**/console")
    assert page.locator("h1").inner_text() == "Leyla Əliyeva"
    assert page.locator('[data-task="people"]').count() == 1
    cookie = next(c for c in context.cookies() if c["name"] == "tallyroom_session")
    assert cookie["httpOnly"] is True
    assert cookie["secure"] is True
    assert cookie["sameSite"] == "Strict"
    shots.take(page, "home")
    page.goto(f"{console_site}/console/audit?lang=en")
    assert page.locator('#audit-entries tr[data-action="person.signed_in"]').count() == 1
    shots.take(page, "audit")
    page.click(".sign-out button")
    page.wait_for_url("**/console/sign-in")
    page.goto(f"{console_site}/console")
    page.wait_for_url("**/console/sign-in")
    assert errors == []


def test_a_commission_member_enrols_a_security_key_and_signs_in_with_it(
    console_site: str, context: BrowserContext, loaded_election: sessionmaker[Session], shots: Shots
) -> None:
    member = make_account(loaded_election, "nigar", second_factor=SecondFactor.WEBAUTHN)
    assert member.secret.enrolment_code is not None
    page = context.new_page()
    errors = script_errors(page)
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": False,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    password_step(page, console_site, member)
    page.wait_for_url("**/console/enrolment")
    page.fill("#enrolment-code", member.secret.enrolment_code)
    shots.take(page, "enrolment")
    page.click("#security-key")
    page.wait_for_url("**/console")
    assert page.locator("h1").inner_text() == "Nigar Əliyeva"
    page.click(".sign-out button")
    page.wait_for_url("**/console/sign-in")
    # Signing in again: the key enrolled is the second factor now.
    password_step(page, console_site, member)
    page.wait_for_url("**/console/second-factor")
    assert page.locator("#totp-form").count() == 0
    shots.take(page, "security-key")
    page.click("#security-key")
    page.wait_for_url("**/console")
    assert page.locator("h1").inner_text() == "Nigar Əliyeva"
    assert errors == []
    # The key enrolled and its counter moved are in the log: verify finds nothing amiss.
    with loaded_election() as session:
        assert audit_discrepancies(session) == []
        key_entries = session.scalars(
            select(AuditEntryRow.action).where(
                AuditEntryRow.actor == f"commission:person-{member.person_id}"
            )
        ).all()
    assert "person.security_key_enrolled" in key_entries
    assert key_entries.count("person.signed_in") == 2


def test_a_form_posted_without_its_csrf_token_is_refused(
    console_site: str, context: BrowserContext, loaded_election: sessionmaker[Session]
) -> None:
    member = make_account(loaded_election, "leyla")
    page = context.new_page()
    password_step(page, console_site, member)
    page.fill("#code", member.code())
    page.click("#totp-form button[type=submit]")
    page.wait_for_url("**/console")
    page.goto(f"{console_site}/console/people?lang=en")
    page.fill("#new-login", "tural")
    page.fill("#new-name", "Tural Vəliyev")
    page.select_option("#new-role", "commission_staff")
    page.select_option("#new-factor", "none")
    page.evaluate("document.querySelector('#create-person [name=csrf_token]').remove()")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.click("#create-person button[type=submit]")
    assert posted.value.status == 403
    assert page.locator('[data-code="csrf_token_invalid"]').count() == 1
    page.goto(f"{console_site}/console/people")
    assert page.locator('tr[data-login="tural"]').count() == 0


def test_the_sixth_failed_sign_in_in_a_minute_is_refused(
    console_site: str, context: BrowserContext, loaded_election: sessionmaker[Session], shots: Shots
) -> None:
    member = make_account(loaded_election, "leyla")
    page = context.new_page()
    for _ in range(5):
        password_step(page, console_site, member, "not the password!")
        assert page.locator('[data-code="sign_in_refused"]').count() == 1
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        password_step(page, console_site, member)
    assert posted.value.status == 429
    assert page.locator('[data-code="too_many_sign_ins"]').count() == 1
    shots.take(page, "rate-limited")


def test_a_constituency_member_sees_only_her_constituency_in_the_audit_log(
    console_site: str,
    context: BrowserContext,
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
) -> None:
    local = make_account(loaded_election, "aynur", PersonRole.CONSTITUENCY_MEMBER, constituency=2)
    submit(console_site, credentials, protocol())
    submit(
        console_site,
        credentials,
        protocol(station="002-0001", figures=good_figures(votes={"C004": 300, "C005": 200})),
    )
    page = context.new_page()
    errors = script_errors(page)
    password_step(page, console_site, local)
    page.wait_for_url("**/console")
    page.goto(f"{console_site}/console/audit?lang=en")
    links = page.locator('#audit-entries a[data-link="station"]')
    assert links.count() >= 1
    assert set(links.all_inner_texts()) == {"station 002-0001"}
    assert page.locator("text=001-0001").count() == 0
    links.first.click()
    page.wait_for_url("**/stations/002-0001")
    assert errors == []
