"""The console's rules page in a real browser (Playwright driving Debian's Chromium): a
commission member reads the rules in force, adopts a new version that drops the check a
flagged protocol failed, and the protocol leaves the queue and is counted, while commission
staff read the queue and decide nothing. Screenshots into docs/screenshots/ with
--screenshots only."""

from __future__ import annotations

import httpx
from playwright.sync_api import BrowserContext
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.definition.rules_file import rules_yaml
from tallyroom.domain.rule_set import REFERENCE_RULE_SET, RuleSet
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.service.people.people import PersonRole
from tests.commission_console import flagged_protocol
from tests.console_people import make_account

from .test_browser import browser, submit
from .test_console_browser import Shots, console_site, context, script_errors, shots
from .test_console_queue_browser import open_live_queue, sign_in

__all__ = ["browser", "console_site", "context", "shots"]

#: the check the flagged protocol fails
RECEIVED_RULE = "issued_and_unused_differ_from_received"


def test_a_member_changes_the_rules_and_an_undecided_protocol_is_judged_again(
    console_site: str,
    context: BrowserContext,
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
    shots: Shots,
) -> None:
    submit(console_site, credentials, flagged_protocol())
    tural = make_account(loaded_election, "tural", PersonRole.COMMISSION_STAFF)
    member = make_account(loaded_election, "leyla")
    page = context.new_page()
    errors = script_errors(page)

    # Staff read the queue, with no decision forms, and have no rules page.
    sign_in(page, console_site, tural)
    assert page.locator('[data-task="queue"] a[href="/console/queue"]').count() == 1
    assert page.locator('[data-task="rules"]').count() == 0
    open_live_queue(page, console_site)
    assert page.locator("#item-001-0001").count() == 1
    assert page.locator("#item-001-0001 form.decision-form").count() == 0
    shots.take(page, "queue-staff")
    page.goto(f"{console_site}/console?lang=en")
    page.click(".sign-out button")
    page.wait_for_url("**/console/sign-in")

    sign_in(page, console_site, member)
    page.click('[data-task="rules"] a')
    page.wait_for_url("**/console/rules*")
    assert page.locator("#rule-set-version").inner_text() == REFERENCE_RULE_SET.version
    shown = page.locator("#rules-in-force tr[data-rule]")
    assert shown.count() == len(REFERENCE_RULE_SET.rules)
    looser = RuleSet(tuple(r for r in REFERENCE_RULE_SET.rules if r.id != RECEIVED_RULE))
    page.fill("#rules-yaml", rules_yaml(looser))
    page.fill("#rules-reason", "resolution 12/2024: the received count is checked on paper")
    shots.take(page, "rules")
    page.click("#rules-form button[type=submit]")
    page.wait_for_url("**/console/rules?version=*")
    assert page.locator("#rules-changed").get_attribute("data-reexamined") == "1"
    assert page.locator("#rule-set-version").inner_text() == looser.version
    assert page.locator(f'#rules-in-force tr[data-rule="{RECEIVED_RULE}"]').count() == 0
    shots.take(page, "rules-changed")

    open_live_queue(page, console_site)
    assert page.locator("#item-001-0001").count() == 0
    assert page.locator("#queue-empty").is_visible()
    overview = httpx.get(f"{console_site}/?lang=en").text
    assert 'data-stations-reporting="1"' in overview
    assert errors == []
