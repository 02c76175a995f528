"""The station app in round 2 (Debian's Chromium, a phone-sized screen): once round 2 is
defined the secretary sees the round in progress chosen, its sheet holds the two qualified
candidates in ballot order, the signed document names the round-2 contest and is counted in
round 2 (round 1 untouched), and hourly turnout goes to round 2's own polling day."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.signature import signature_is_valid
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.definition.station_enrolment import issue_enrolment_code
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    ProtocolVersionRow,
    RunoffProtocolRow,
    RunoffTurnoutReportRow,
    StationKeyRow,
)
from tests.runoff_election import poll_and_certify, two_round_copy
from tests.station_client import Api

from .live_server import serving, site_app
from .test_station_app import Phone, browser, enrol, fill, phone, shot  # noqa: F401

pytestmark = pytest.mark.browser

#: station 001-0001's round-2 paper protocol (1,200 registered)
ROUND_TWO_PAPER = {
    "registered_voters": 1200,
    "voters_added": 0,
    "ballots_received": 1200,
    "ballots_issued_in_station": 810,
    "ballots_issued_portable": 0,
    "unused_ballots": 390,
    "ballots_cast": 810,
    "invalid_ballots": 10,
    "votes-C001": 300,
    "votes-C002": 500,
}


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


@pytest.fixture
def round_two_code(api: Api) -> str:
    """Round 1 polled and certified, round 2 defined for 15 September, and a fresh
    enrolment code for station 001-0001's phone."""
    poll_and_certify(api, 1)
    defined = api.client.post(
        "/api/v1/contests/constituency-1/runoff",
        json={"polling_date": "2024-09-15"},
        headers=api.commission,
    )
    assert defined.status_code == 201, defined.text
    with transaction(api.sessions) as session:
        commission = authenticate(session, api.credentials.commission_token)
        return issue_enrolment_code(session, principal=commission, station_code="001-0001")


@pytest.fixture
def site(round_two_code: str, database_url: str) -> Iterator[str]:
    with serving(site_app(database_url)) as url:
        yield url


def test_the_secretary_signs_round_two_with_its_contest_and_candidates(
    site: str,
    phone: Phone,  # noqa: F811
    round_two_code: str,
    loaded_election: sessionmaker[Session],
    screenshot_folder: Path,
) -> None:
    page = phone.page
    with transaction(loaded_election) as session:
        round_one_versions = len(session.scalars(select(ProtocolVersionRow)).all())
    enrol(page, site, round_two_code)
    expect(page.locator("#entry")).to_be_visible()
    # The round in progress is chosen, and round 1 can be chosen back.
    expect(page.locator("#round-choice")).to_be_visible()
    assert page.locator("#round").input_value() == "2"
    assert page.locator("#round option").all_inner_texts() == [
        "Round 1 (2024-09-01)",
        "Round 2 (2024-09-15)",
    ]
    # Round 2's sheet: the two qualified, in ballot order, numbered 1 and 2.
    labels = page.locator("#votes label").all_inner_texts()
    assert [label.split(" ")[0] for label in labels] == ["1.", "2."]
    assert [
        page.locator("#votes input").nth(i).get_attribute("data-candidate") for i in (0, 1)
    ] == [
        "C001",
        "C002",
    ]
    # Round 2 is a first version: no amendment asked for, though round 1 has versions.
    expect(page.locator("#amendment")).to_be_hidden()
    shot(page, screenshot_folder, "round-2-sheet")
    fill(page, ROUND_TWO_PAPER)
    expect(page.locator("#checks")).to_be_empty()
    page.click("#to-review")
    page.click("#sign")
    expect(page.locator("#answer-status")).to_have_text("Accepted and counted.")
    with transaction(loaded_election) as session:
        (stored,) = session.scalars(select(RunoffProtocolRow)).all()
        document = json.loads(stored.body)
        key = session.scalars(
            select(StationKeyRow).where(
                StationKeyRow.station_id == stored.station_id, StationKeyRow.revoked_at.is_(None)
            )
        ).one()
        assert document["contest"] == "constituency-1/round-2"
        assert document["figures"]["votes"] == {"C001": 300, "C002": 500}
        assert signature_is_valid(stored.body.encode(), stored.signature, key.public_key)
        # Round 1 is untouched by round 2's sheet.
        assert len(session.scalars(select(ProtocolVersionRow)).all()) == round_one_versions
    expect(page.locator("#receipt-hash")).to_have_text(stored.body_sha256)
    # Round 2's hourly turnout, signed over its contest.
    page.select_option("#turnout-hour", "10:00")
    page.fill("#turnout-voters", "212")
    page.click("#turnout-form button[type=submit]")
    expect(page.locator("#outbox-list li[data-kind=turnout][data-state=delivered]")).to_have_count(
        1
    )
    with transaction(loaded_election) as session:
        report = session.scalars(select(RunoffTurnoutReportRow)).one()
        assert (report.as_of, report.voters, report.status) == ("10:00", 212, "accepted")
        assert report.signature is not None
    # Round 1 chosen back: its three candidates, and its sheet asks for an amendment.
    page.select_option("#round", "1")
    expect(page.locator("#votes input")).to_have_count(3)
    expect(page.locator("#amendment")).to_be_visible()
    shot(page, screenshot_folder, "round-1-chosen-back")
