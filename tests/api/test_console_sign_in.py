"""Signing in to the console: password then TOTP, the session cookie's flags, CSRF on every
change, the per-address rate limit and the per-account delay, sign-out and replay, idle
expiry, and a person's session accepted by the commission's commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.people.login_throttle import note_failure
from tallyroom.service.people.people import PersonRole, SecondFactor
from tallyroom.store.database import transaction
from tallyroom.store.schema import AccountDelayRow, AuditEntryRow, ConsoleSessionRow
from tests.console_people import Console, csrf_of, make_account


def test_password_then_totp_signs_in_with_a_strict_cookie(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    first = console.password(member)
    assert first.status_code == 303
    assert first.headers["location"] == "/console/second-factor"
    cookie = first.headers["set-cookie"].lower()
    for flag in ("secure", "httponly", "samesite=strict", "max-age=900"):
        assert flag in cookie
    # Half signed in is not signed in.
    assert console.client.get("/console", follow_redirects=False).status_code == 303
    csrf = console.sign_in(member)
    home = console.client.get("/console?lang=en")
    assert "Commission member" in home.text
    assert 'href="/console/people"' in home.text
    assert csrf
    with console.sessions() as session:
        actors = session.scalars(
            select(AuditEntryRow.actor).where(AuditEntryRow.action == "person.signed_in")
        ).all()
    assert actors == [f"commission:person-{member.person_id}"]
    with console.sessions() as session:
        assert audit_discrepancies(session) == []


@pytest.mark.parametrize(
    ("language", "title"), [("az", "Daxil ol"), ("en", "Sign in"), ("ru", "Войти")]
)
def test_the_console_speaks_the_readers_language(
    console: Console, language: str, title: str
) -> None:
    page = console.client.get(f"/console/sign-in?lang={language}")
    assert f'<html lang="{language}">' in page.text
    assert f'<h1 id="sign-in-heading">{title}</h1>' in page.text
    assert page.cookies.get("lang") == language


def test_a_wrong_totp_code_is_refused_and_a_used_one_too(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    console.password(member)
    csrf = csrf_of(console.client.get("/console/second-factor").text)
    wrong = console.client.post(
        "/console/second-factor/totp", data={"code": "000000", "csrf_token": csrf}
    )
    assert wrong.status_code == 401
    assert 'data-code="second_factor_refused"' in wrong.text
    code = member.code()
    assert (
        console.client.post(
            "/console/second-factor/totp",
            data={"code": code, "csrf_token": csrf},
            follow_redirects=False,
        ).status_code
        == 303
    )
    # The same code again, for a new sign-in: refused (replay).
    console.client.cookies.clear()
    console.password(member)
    csrf = csrf_of(console.client.get("/console/second-factor").text)
    again = console.client.post(
        "/console/second-factor/totp", data={"code": code, "csrf_token": csrf}
    )
    assert again.status_code == 401


def test_the_sign_in_form_without_its_csrf_token_is_refused(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    console.sign_in_csrf()
    response = console.client.post(
        "/console/sign-in", data={"login": member.login, "password": member.password}
    )
    assert response.status_code == 403
    assert "csrf_token_invalid" in response.text


def test_a_form_post_without_the_csrf_token_is_refused(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    console.sign_in(member)
    refused = console.client.post(
        "/console/people",
        data={"login": "tural", "full_name": "Tural", "role": "commission_staff"},
    )
    assert refused.status_code == 403
    assert 'data-code="csrf_token_invalid"' in refused.text
    forged = console.client.post(
        "/console/people",
        data={
            "login": "tural",
            "full_name": "Tural",
            "role": "commission_staff",
            "csrf_token": "x",
        },
    )
    assert forged.status_code == 403
    with console.sessions() as session:
        assert not session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "person.created").offset(1)
        ).all()


def test_the_sixth_failed_sign_in_in_a_minute_is_refused(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    for _ in range(5):
        assert console.password(member, "wrong password!").status_code == 401
    sixth = console.password(member)  # even the right password
    assert sixth.status_code == 429
    assert 'data-code="too_many_sign_ins"' in sixth.text
    assert int(sixth.headers["retry-after"]) > 0


def test_a_delayed_account_is_refused_and_the_commission_lifts_the_delay(
    console: Console,
) -> None:
    member = make_account(console.sessions, "leyla")
    other = make_account(console.sessions, "nigar")
    with transaction(console.sessions) as session:
        # Twelve failures from as many addresses: 5 minutes' delay (1 s after the sixth).
        for number in range(12):
            note_failure(
                session,
                address=f"10.0.0.{number}",
                person_id=member.person_id,
                now=datetime.now(UTC),
            )
    refused = console.password(member)  # the right password, from a fresh address
    assert refused.status_code == 429
    assert 'data-code="account_delayed"' in refused.text
    with console.sessions() as session:
        delay = session.get(AccountDelayRow, member.person_id)
        assert delay is not None
        assert delay.failures == 12
        assert delay.not_before is not None
    console.client.cookies.clear()
    csrf = console.sign_in(other)
    people = console.client.get("/console/people?lang=en")
    assert "delayed until" in people.text
    lifted = console.client.post(
        f"/console/people/{member.login}/lift-delay",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert lifted.status_code == 303
    with console.sessions() as session:
        delay = session.get(AccountDelayRow, member.person_id)
        assert delay is not None
        assert delay.failures == 0
        assert delay.not_before is None
        entry = session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "person.delay_lifted")
        ).one()
        assert entry.actor == f"commission:person-{other.person_id}"
    console.client.cookies.clear()
    assert console.password(member).status_code == 303


def test_a_session_replayed_after_sign_out_is_refused(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    csrf = console.sign_in(member)
    cookie = console.client.cookies.get("tallyroom_session")
    out = console.client.post(
        "/console/sign-out", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert out.status_code == 303
    assert out.headers["location"] == "/console/sign-in"
    console.client.cookies.set("tallyroom_session", cookie)
    assert console.client.get("/console", follow_redirects=False).status_code == 303
    who = console.client.get("/console/session")
    assert who.status_code == 401
    assert who.json()["error"]["code"] == "session_ended"


def test_an_idle_session_expires_after_fifteen_minutes(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    console.sign_in(member)
    assert console.client.get("/console/session").status_code == 200
    with transaction(console.sessions) as session:
        session.execute(
            update(ConsoleSessionRow).values(
                last_seen_at=datetime.now(UTC) - timedelta(minutes=15, seconds=1)
            )
        )
    expired = console.client.get("/console/session")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "session_expired"


def test_a_deactivated_persons_session_ends(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    other = make_account(console.sessions, "nigar")
    csrf = console.sign_in(other)
    done = console.client.post(
        f"/console/people/{member.login}/deactivate",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    console.client.cookies.clear()
    refused = console.password(member)
    assert refused.status_code == 401


def test_a_persons_session_takes_a_commission_decision_named_by_her(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    csrf = console.sign_in(member)
    # Without the CSRF header the cookie alone is not enough.
    no_csrf = console.client.post(
        "/api/v1/stations/001-0003/annulment",
        json={"reason": "ballot stuffing seen", "confirmed": True},
    )
    assert no_csrf.status_code == 403
    assert no_csrf.json()["error"]["code"] == "csrf_token_invalid"
    annulled = console.client.post(
        "/api/v1/stations/001-0003/annulment",
        json={"reason": "ballot stuffing seen", "confirmed": True},
        headers={"X-CSRF-Token": csrf},
    )
    assert annulled.status_code == 201, annulled.text
    with console.sessions() as session:
        entry = session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "station.annulled")
        ).one()
    assert entry.actor == f"commission:person-{member.person_id}"


def test_staff_and_constituency_members_are_not_the_commission(console: Console) -> None:
    staff = make_account(console.sessions, "tural", PersonRole.COMMISSION_STAFF)
    csrf = console.sign_in(staff)  # no second factor required of staff
    refused = console.client.post(
        "/api/v1/stations/001-0003/annulment",
        json={"reason": "ballot stuffing seen", "confirmed": True},
        headers={"X-CSRF-Token": csrf},
    )
    assert refused.status_code == 403
    assert console.client.get("/console/people").status_code == 403
    console.client.cookies.clear()
    local = make_account(console.sessions, "aynur", PersonRole.CONSTITUENCY_MEMBER, constituency=2)
    console.sign_in(local)
    home = console.client.get("/console?lang=en")
    assert "constituency 2" in home.text


@pytest.mark.parametrize(
    "body",
    [
        b"login=a&password=" + b"x" * 70_000,
        b"\xff\xfe=1",
    ],
    ids=["oversized", "not-utf8"],
)
def test_a_malformed_or_oversized_sign_in_is_refused_without_a_5xx(
    console: Console, body: bytes
) -> None:
    console.sign_in_csrf()
    response = console.client.post(
        "/console/sign-in",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (400, 403, 413), response.text


def test_a_json_sign_in_is_refused_by_the_form(console: Console) -> None:
    console.sign_in_csrf()
    response = console.client.post("/console/sign-in", json={"login": "leyla"})
    assert response.status_code == 400


def test_the_cli_sign_in_in_json(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    first = console.client.post(
        "/console/session", json={"login": member.login, "password": member.password}
    )
    assert first.status_code == 200, first.text
    assert first.json()["stage"] == "second_factor"
    assert first.json()["second_factors"] == ["totp"]
    done = console.client.post(
        "/console/session/totp",
        json={"code": member.code()},
        headers={"X-CSRF-Token": first.json()["csrf_token"]},
    )
    assert done.status_code == 200, done.text
    assert done.json()["stage"] == "active"
    who = console.client.get("/console/session").json()
    assert who["login"] == "leyla"
    assert who["role"] == "commission_member"
    ended = console.client.delete(
        "/console/session", headers={"X-CSRF-Token": done.json()["csrf_token"]}
    )
    assert ended.status_code == 204
    assert console.client.get("/console/session").status_code == 401


def test_hostile_json_sign_ins(console: Console) -> None:
    for body in ({}, {"login": "x" * 65, "password": "y"}, {"login": "a", "password": 5}):
        response = console.client.post("/console/session", json=body)
        assert response.status_code == 422, response.text
    assert console.client.post("/console/session", content=b"[1").status_code == 400
    no_session = console.client.post("/console/session/totp", json={"code": "123456"})
    assert no_session.status_code == 401


def test_totp_is_refused_for_someone_without_a_second_factor_step(console: Console) -> None:
    staff = make_account(
        console.sessions, "tural", PersonRole.COMMISSION_STAFF, second_factor=SecondFactor.NONE
    )
    first = console.client.post(
        "/console/session", json={"login": staff.login, "password": staff.password}
    )
    assert first.json()["stage"] == "active"
    again = console.client.post(
        "/console/session/totp",
        json={"code": "123456"},
        headers={"X-CSRF-Token": first.json()["csrf_token"]},
    )
    assert again.status_code == 401


def test_a_second_factor_too_long_after_the_password_is_refused(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    console.password(member)
    csrf = csrf_of(console.client.get("/console/second-factor").text)
    with transaction(console.sessions) as session:
        session.execute(
            update(ConsoleSessionRow).values(
                created_at=datetime.now(UTC) - timedelta(minutes=5, seconds=1)
            )
        )
    late = console.client.post(
        "/console/second-factor/totp", data={"code": member.code(), "csrf_token": csrf}
    )
    assert late.status_code == 401
    assert 'data-code="sign_in_expired"' in late.text


def test_a_reset_ends_the_persons_sessions(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    other = make_account(console.sessions, "nigar")
    console.sign_in(member)
    member_cookie = console.client.cookies.get("tallyroom_session")
    console.client.cookies.clear()
    csrf = console.sign_in(other)
    reset = console.client.post(
        f"/console/people/{member.login}/reset-second-factor",
        data={"csrf_token": csrf, "second_factor": "webauthn"},
    )
    assert reset.status_code == 200
    assert 'id="issued-enrolment"' in reset.text
    own = console.client.post(
        f"/console/people/{other.login}/reset-password", data={"csrf_token": csrf}
    )
    assert own.status_code == 403
    assert "another_member_required" in own.text
    console.client.cookies.clear()
    console.client.cookies.set("tallyroom_session", member_cookie or "")
    assert console.client.get("/console/session").status_code == 401
    # Her next sign-in goes to enrolling a security key.
    console.client.cookies.clear()
    assert console.password(member).headers["location"] == "/console/enrolment"


def test_a_forged_or_unknown_session_cookie_is_refused(console: Console) -> None:
    console.client.cookies.set("tallyroom_session", "forged" * 40)
    assert console.client.get("/console/session").status_code == 401
    refused = console.client.post(
        "/api/v1/stations/001-0003/annulment",
        json={"reason": "ballot stuffing seen", "confirmed": True},
        headers={"X-CSRF-Token": "anything"},
    )
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "session_unknown"


def test_an_oversized_json_sign_in_is_413(console: Console) -> None:
    response = console.client.post(
        "/console/session",
        content=b'{"login": "' + b"a" * 70_000 + b'", "password": "x"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_sessions_past_their_longest_life_are_forgotten(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    console.sign_in(member)
    with transaction(console.sessions) as session:
        session.execute(
            update(ConsoleSessionRow).values(created_at=datetime.now(UTC) - timedelta(hours=13))
        )
    console.client.cookies.clear()
    console.password(member)
    with console.sessions() as session:
        assert len(session.scalars(select(ConsoleSessionRow)).all()) == 1
