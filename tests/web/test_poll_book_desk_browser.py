"""The station app's poll-book screen in Debian's Chromium: a desk enrols with the one-time
desk code a commission issued (its key made in the browser), checks a voter in under its own
name, and is refused a second check-in naming the station; the station's signing code does
not enrol a desk."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.store.database import transaction
from tallyroom.store.schema import CheckInRow, PollBookDeviceRow, VoterRow
from tests.register_fixture import load_small_register
from tests.web.test_station_app import Phone, browser, codes, phone, site, small_election

pytestmark = pytest.mark.browser
__all__ = ["browser", "codes", "phone", "site", "small_election"]


def test_a_desk_enrols_with_its_code_and_checks_voters_in(
    phone: Phone, site: str, codes: IssuedCredentials, loaded_election: sessionmaker[Session]
) -> None:
    load_small_register(loaded_election)
    with transaction(loaded_election) as session:
        voter = session.scalars(
            select(VoterRow.voter_number).where(VoterRow.station_id == 1).offset(10).limit(1)
        ).one()
    page = phone.page
    page.goto(f"{site}/station/poll-book?lang=en")
    # the station's signing-device code is refused here and stays unspent
    page.fill("#desk-station", "001-0001")
    page.fill("#desk-code", codes.enrolment_codes["001-0001"][1])
    page.click("#desk-enrol button[type=submit]")
    expect(page.locator("#desk-enrol-error")).to_contain_text("signing device's code")
    issued = httpx.post(
        f"{site}/api/v1/stations/001-0001/poll-book-codes",
        headers={"Authorization": f"Bearer {codes.commission_token}"},
    )
    assert issued.status_code == 201, issued.text
    page.fill("#desk-code", issued.json()["code"])
    page.click("#desk-enrol button[type=submit]")
    expect(page.locator("#desk-name")).to_contain_text("station-001-0001/pollbook-1")
    page.fill("#check-in-voter", voter)
    page.select_option("#check-in-match", "yes")
    page.click("#check-in button[type=submit]")
    expect(page.locator("#check-in-answer")).to_have_text("Checked in.")
    page.fill("#check-in-voter", voter)
    page.click("#check-in button[type=submit]")
    expect(page.locator("#check-in-answer")).to_contain_text("001-0001")
    expect(page.locator("#check-in-answer")).to_have_class("answer-refused")
    with transaction(loaded_election) as session:
        assert session.scalars(select(CheckInRow.device)).all() == ["station-001-0001/pollbook-1"]
        assert session.scalars(select(CheckInRow.identity_match)).all() == ["yes"]
        (desk,) = session.scalars(select(PollBookDeviceRow)).all()
        assert desk.revoked_at is None
    # the signing code still enrols the station's own device
    page.goto(f"{site}/station/?lang=en")
    page.fill("#enrol-station", "001-0001")
    page.fill("#enrol-code", codes.enrolment_codes["001-0001"][1])
    page.click("#enrol button[type=submit]")
    expect(page.locator("#device-station")).to_contain_text("001-0001")
