"""The command routes take a person signed in to the console as they take a machine token:
a commission member's session (with its CSRF token) registers cameras and issues an enrolment
code; staff are refused with 403, a change without the CSRF token and a NUL character too."""

from __future__ import annotations

from sqlalchemy import func, select

from tallyroom.service.people.console_sessions import CSRF_HEADER
from tallyroom.service.people.people import PersonRole
from tallyroom.store.database import transaction
from tallyroom.store.schema import WebcamRow
from tests.console_people import Console, make_account

CAMERAS = {"cameras": [{"station": "001-0001", "viewing_url": "https://cams.example/1"}]}


def _cameras(console: Console) -> int:
    with transaction(console.sessions) as session:
        return int(session.scalar(select(func.count(WebcamRow.id))) or 0)


def test_a_signed_in_commission_member_acts_on_a_command_route(console: Console) -> None:
    csrf = console.sign_in(make_account(console.sessions, "aysel"))
    without_csrf = console.client.post("/api/v1/webcams", json=CAMERAS)
    assert without_csrf.status_code in (401, 403), without_csrf.text
    with_nul = console.client.post(
        "/api/v1/webcams",
        json={"cameras": [{"station": "001-0001", "viewing_url": "https://cams/\u0000"}]},
        headers={CSRF_HEADER: csrf},
    )
    assert with_nul.status_code == 422, with_nul.text
    assert with_nul.json()["error"]["code"] == "nul_character"
    assert _cameras(console) == 0
    registered = console.client.post("/api/v1/webcams", json=CAMERAS, headers={CSRF_HEADER: csrf})
    assert registered.status_code == 201, registered.text
    assert _cameras(console) == 1
    code = console.client.post(
        "/api/v1/stations/001-0002/enrolment-code", headers={CSRF_HEADER: csrf}
    )
    assert code.status_code == 201, code.text


def test_a_signed_in_person_of_the_wrong_role_is_refused(console: Console) -> None:
    staff = make_account(console.sessions, "rauf", PersonRole.COMMISSION_STAFF)
    csrf = console.sign_in(staff)
    refused = console.client.post("/api/v1/webcams", json=CAMERAS, headers={CSRF_HEADER: csrf})
    assert refused.status_code == 403, refused.text
    assert _cameras(console) == 0
