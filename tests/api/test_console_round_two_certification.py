"""The console's certification page lists each defined round 2 with its state; a commission
member certifies and withdraws it there as round 1 (the same service commands), staff read
only; hostile posts (no CSRF token, the wrong role, an undefined round 2, a malformed number,
an oversized or missing reason, a replayed certification) are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.people.people import PersonRole
from tests.api.test_round_two_certification import ROUND_TWO_VOTES
from tests.api.test_round_two_protocols import _round_two
from tests.commission_console import give_commission_key
from tests.console_people import Console, make_account
from tests.runoff_election import poll_and_certify, two_round_copy
from tests.station_client import Api

ROUND_TWO = "/console/certification/round-2/1"


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


def _row(page: str) -> str:
    start = page.index('data-round-two="1"')
    return page[start : page.index("</tr>", start)]


def test_round_two_certified_and_withdrawn_from_the_console(console: Console) -> None:
    api = Api(console.client, console.credentials, console.sessions)
    give_commission_key(api)
    poll_and_certify(api, 1)
    defined = console.client.post("/api/v1/contests/constituency-1/runoff", headers=api.commission)
    assert defined.status_code == 201, defined.text
    first, *others = ROUND_TWO_VOTES
    assert api.submit(_round_two(*first)).json()["status"] == "accepted"
    console.client.follow_redirects = False

    staff = make_account(console.sessions, "tural", PersonRole.COMMISSION_STAFF)
    staff_csrf = console.sign_in(staff)
    read = console.client.get("/console/certification?lang=en")
    assert read.status_code == 200
    assert "constituency-1/round-2" in _row(read.text)
    assert "<form" not in _row(read.text)
    assert console.client.post(ROUND_TWO, data={"csrf_token": staff_csrf}).status_code == 403

    csrf = console.sign_in(make_account(console.sessions, "leyla"))
    page = console.client.get("/console/certification?lang=en").text
    row = _row(page)
    assert 'data-certified="no"' in row
    assert "1 / 3" in row
    assert "once every station has reported" in row
    early = console.client.post(ROUND_TWO, data={"csrf_token": csrf})
    assert early.status_code == 409
    assert 'data-code="stations_missing"' in early.text
    for station, votes, registered in others:
        assert api.submit(_round_two(station, votes, registered)).json()["status"] == "accepted"
    assert 'id="certify-round-two-1"' in _row(console.client.get("/console/certification").text)

    assert console.client.post(ROUND_TWO, data={"reason": "x"}).status_code == 403
    assert console.client.post(ROUND_TWO, data={"csrf_token": "forged"}).status_code == 403
    assert (
        console.client.post(ROUND_TWO, data={"csrf_token": csrf, "reason": "x" * 2_001}).status_code
        == 422
    )
    assert (
        console.client.post(
            "/console/certification/round-2/2", data={"csrf_token": csrf}
        ).status_code
        == 404
    )
    assert (
        console.client.post(
            "/console/certification/round-2/one", data={"csrf_token": csrf}
        ).status_code
        == 404
    )
    certified = console.client.post(ROUND_TWO, data={"csrf_token": csrf, "reason": "as counted"})
    assert certified.status_code == 303, certified.text
    assert certified.headers["location"] == "/console/certification"
    runoffs = console.client.get("/api/v1/runoffs").json()["runoffs"]
    assert [r["certified"] for r in runoffs] == [True]
    row = _row(console.client.get("/console/certification?lang=en").text)
    assert 'data-certified="yes"' in row
    assert 'id="withdraw-round-two-1"' in row
    replayed = console.client.post(ROUND_TWO, data={"csrf_token": csrf})
    assert replayed.status_code == 409
    assert 'data-code="already_certified"' in replayed.text

    withdraw = f"{ROUND_TWO}/withdrawal"
    assert (
        console.client.post(withdraw, data={"csrf_token": csrf, "reason": " "}).status_code == 422
    )
    withdrawn = console.client.post(
        withdraw, data={"csrf_token": csrf, "reason": "complaint upheld"}
    )
    assert withdrawn.status_code == 303
    row = _row(console.client.get("/console/certification?lang=en").text)
    assert 'data-certified="no"' in row
    assert "complaint upheld" in row
    assert [r["certified"] for r in console.client.get("/api/v1/runoffs").json()["runoffs"]] == [
        False
    ]
    # Round 1 stays certified while its round 2 stands.
    round_one = console.client.post(
        "/console/constituencies/1/certification/withdrawal",
        data={"csrf_token": csrf, "reason": "recount"},
    )
    assert round_one.status_code == 409
    assert 'data-code="runoff_defined"' in round_one.text
    for language in ("az", "ru"):
        assert console.client.get(f"/console/certification?lang={language}").status_code == 200
    with console.sessions() as session:
        assert audit_discrepancies(session) == []
