"""The integrity page in a real browser shows the figures of `tallyroom forensics --json` on
the same database, in the right units, and is reached from the site navigation."""

from __future__ import annotations

import json

import pytest
from babel.numbers import format_decimal
from typer.testing import CliRunner

from tallyroom.cli.app import app as cli
from tallyroom.service.definition.credentials import IssuedCredentials
from tests.polled_election import figures
from tests.station_client import good_figures, protocol

from .test_browser import Watched, browser, small_site, submit, watched

__all__ = ["browser", "small_site", "watched"]

pytestmark = pytest.mark.browser


def test_integrity_figures_match_the_command_line_report(
    small_site: str,
    watched: Watched,
    credentials: IssuedCredentials,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    submit(small_site, credentials, protocol("001-0001", figures=good_figures()))
    second = figures(
        {"C004": 300, "C005": 150}, registered=600, issued_in_station=470, portable=10, invalid=15
    )
    submit(small_site, credentials, protocol("002-0001", figures=second))
    monkeypatch.setenv("TALLYROOM_DATABASE_URL", database_url)
    outcome = CliRunner().invoke(cli, ["forensics", "--json"])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.output)

    page = watched.page
    page.goto(f"{small_site}/?lang=en")
    page.click('.site-nav a[href="/integrity"]')
    page.wait_for_url("**/integrity")
    figure = page.locator("#integrity-figures")
    assert figure.locator('[data-figure="stations"]').get_attribute("data-value") == str(
        report["stations"]
    )
    assert figure.locator('[data-figure="risk-stations"]').inner_text() == str(
        report["risk_stations"]
    )
    # two stations: no fingerprint, and the page says so instead of printing 0
    assert report["fingerprint"]["f_incremental"] is None
    assert figure.locator('[data-figure="f-incremental"]').inner_text() == "not computed"
    integer = report["integer_percent_excess"]["turnout_or_leader"]
    row = page.locator('[data-test="integer-turnout_or_leader"]')
    assert float(row.get_attribute("data-observed") or "nan") == integer["observed"]
    assert float(row.get_attribute("data-excess") or "nan") == pytest.approx(integer["excess"])
    assert f"{integer['observed']} stations" in row.inner_text()
    # proportions in the report are shown as percentages of the same value
    rows = page.locator("#integrity-constituencies tbody tr")
    assert rows.count() == len(report["regions"])
    for index, region in enumerate(report["regions"]):
        cells = rows.nth(index).locator("td")
        turnout = format_decimal(round(100 * region["turnout"], 1), "0.0", locale="en_GB")
        share = format_decimal(round(100 * region["leader_share"], 1), "0.0", locale="en_GB")
        assert cells.nth(1).inner_text() == f"{turnout}%"
        assert cells.nth(2).inner_text() == f"{share}%"
        assert 10 < float(turnout) < 100
    assert "-0.0" not in page.locator("main").inner_text()
    assert page.locator("#integrity-nulls dd").count() == 8
