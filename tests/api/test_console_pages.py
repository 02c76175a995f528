"""The console's people page and readable audit log: who may use them, what they show, the
links of an entry, a constituency member kept to her constituency; hostile searches."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tallyroom.service.audit.audit_search import AuditQuery, search_audit
from tallyroom.service.people.people import PersonRole, person_by_login, principal_of_person
from tallyroom.store.schema import AuditEntryRow, PersonRow
from tests.console_people import Console, csrf_of, make_account
from tests.station_client import good_figures, protocol


def _submit(console: Console, station: str) -> None:
    from tallyroom.domain.signature import load_private_key, sign_document

    document = (
        protocol(station)
        if station.startswith("001")
        else protocol(station, figures=good_figures(votes={"C004": 300, "C005": 200}))
    )
    _, token, pem = console.credentials.stations[station]
    response = console.client.post(
        "/api/v1/protocols",
        json={"protocol": document, "signature": sign_document(document, load_private_key(pem))},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text


def test_a_commission_member_creates_an_account_and_gets_its_secrets_once(
    console: Console,
) -> None:
    member = make_account(console.sessions, "leyla")
    csrf = console.sign_in(member)
    created = console.client.post(
        "/console/people?lang=en",
        data={
            "csrf_token": csrf,
            "login": "nigar",
            "full_name": "Nigar Əliyeva",
            "email": "nigar@example.org",
            "role": "commission_member",
            "constituency": "",
            "second_factor": "totp",
        },
    )
    assert created.status_code == 200, created.text
    assert 'id="issued-password"' in created.text
    assert 'id="issued-totp"' in created.text
    assert 'src="data:image/svg+xml' in created.text
    people = console.client.get("/console/people")
    assert 'data-login="nigar"' in people.text
    assert "Nigar Əliyeva" in people.text
    with console.sessions() as session:
        nigar = session.scalars(select(PersonRow).where(PersonRow.login == "nigar")).one()
        entry = session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.action == "person.created")
            .order_by(AuditEntryRow.sequence.desc())
        ).first()
    assert entry is not None
    assert entry.actor == f"commission:person-{member.person_id}"
    assert f'"person":{nigar.id}' in entry.payload


def test_an_invalid_account_from_the_console_is_a_422_page(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    csrf = console.sign_in(member)
    for fields in (
        {"login": "x", "full_name": "X", "role": "nonsense"},
        {"login": "Bad Login", "full_name": "X", "role": "commission_staff"},
        {"login": "aynur", "full_name": "A", "role": "constituency_member", "constituency": "abc"},
        {"login": "aynur", "full_name": "A", "role": "commission_staff", "second_factor": "sms"},
    ):
        refused = console.client.post("/console/people", data={"csrf_token": csrf, **fields})
        assert refused.status_code == 422, (fields, refused.text)
    unknown = console.client.post("/console/people/nobody/deactivate", data={"csrf_token": csrf})
    assert unknown.status_code == 404
    nonsense = console.client.post("/console/people/leyla/explode", data={"csrf_token": csrf})
    assert nonsense.status_code == 404


def test_the_people_page_is_for_commission_members(console: Console) -> None:
    staff = make_account(console.sessions, "tural", PersonRole.COMMISSION_STAFF)
    csrf = console.sign_in(staff)
    assert console.client.get("/console/people").status_code == 403
    forged = console.client.post(
        "/console/people",
        data={"csrf_token": csrf, "login": "x1", "full_name": "X", "role": "commission_member"},
    )
    assert forged.status_code == 403
    assert "commission_member_only" in forged.text


def test_the_audit_log_is_searched_and_each_entry_links_to_what_it_changed(
    console: Console,
) -> None:
    member = make_account(console.sessions, "leyla")
    _submit(console, "001-0001")
    _submit(console, "002-0001")
    console.sign_in(member)
    page = console.client.get("/console/audit?station=001-0001&lang=en")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-sequence="\d+" data-action="([^"]+)"', page.text)
    assert rows == ["protocol.submitted"]
    assert 'href="/stations/001-0001" data-link="station"' in page.text
    # the protocol version it stored, anchored on the station page's list of versions
    assert 'href="/stations/001-0001#version-1" data-link="protocol"' in page.text
    station_page = console.client.get("/stations/001-0001?lang=en")
    assert 'id="version-1"' in station_page.text
    by_action = console.client.get("/console/audit?action=person")
    actions = set(re.findall(r'data-action="([^"]+)"', by_action.text))
    assert actions == {"person.created", "person.signed_in"}
    assert f'href="/console/people#person-{member.person_id}"' in by_action.text
    assert 'data-actor-login="leyla"' in by_action.text
    # the account's row image links to the account
    created = console.client.get("/console/audit?action=rows.recorded")
    assert f'href="/console/people#person-{member.person_id}" data-link="person"' in created.text
    by_person = console.client.get(f"/console/audit?person={member.person_id}")
    assert set(re.findall(r'data-action="([^"]+)"', by_person.text)) == {
        "person.signed_in",
        "person.created",
        "rows.recorded",
    }
    by_time = console.client.get("/console/audit?since=2000-01-01T00:00&until=2000-01-02")
    assert "data-sequence" not in by_time.text
    constituency = console.client.get("/console/audit?constituency=2")
    assert set(re.findall(r'href="/stations/([^"#]+)', constituency.text)) == {"002-0001"}


def test_a_constituency_member_sees_only_her_constituency(console: Console) -> None:
    local = make_account(console.sessions, "aynur", PersonRole.CONSTITUENCY_MEMBER, constituency=1)
    _submit(console, "001-0001")
    _submit(console, "002-0001")
    console.sign_in(local)
    page = console.client.get("/console/audit")
    assert page.status_code == 200
    assert set(re.findall(r'href="/stations/([^"#]+)', page.text)) == {"001-0001"}
    assert "rows.recorded" not in page.text
    assert "data-actor-login" not in page.text
    other = console.client.get("/console/audit?constituency=2")
    assert other.status_code == 403
    assert "outside_constituency" in other.text
    assert "data-sequence" not in console.client.get("/console/audit?station=002-0001").text


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "constituency=one",
        "person=-1",
        "before=99999999999999",
        "station=" + "x" * 65,
        "action=%25%25",
    ],
)
def test_hostile_audit_searches_are_refused_or_empty_never_a_5xx(
    console: Console, query: str
) -> None:
    member = make_account(console.sessions, "leyla")
    console.sign_in(member)
    response = console.client.get(f"/console/audit?{query}")
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        csrf_of(response.text)


def test_the_audit_log_pages_through_older_entries(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    with console.sessions() as session:
        leyla = principal_of_person(person_by_login(session, "leyla"))
        first = search_audit(session, principal=leyla, query=AuditQuery(), page_size=3)
        assert first.next_before is not None
        second = search_audit(
            session, principal=leyla, query=AuditQuery(before=first.next_before), page_size=3
        )
    assert len(first.lines) == 3
    assert second.lines
    assert max(line.sequence for line in second.lines) < min(line.sequence for line in first.lines)
    console.sign_in(member)
    page = console.client.get(f"/console/audit?before={first.next_before}&action=rows")
    assert page.status_code == 200
    numbers = [int(n) for n in re.findall(r'data-sequence="(\d+)"', page.text)]
    assert numbers
    assert all(number < first.next_before for number in numbers)


def test_pages_need_a_session(console: Console) -> None:
    for path in ("/console", "/console/people", "/console/audit"):
        response = console.client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/console/sign-in"


def test_the_console_has_the_sites_security_headers_and_no_inline_script(
    console: Console,
) -> None:
    page = console.client.get("/console/sign-in")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text
    assert "style=" not in page.text
    script = console.client.get("/static/console/security_key.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert console.client.get("/static/console/nothing.js").status_code == 404


def test_a_garbage_security_key_answer_is_refused(console: Console) -> None:
    member = make_account(console.sessions, "leyla")
    first = console.client.post(
        "/console/session", json={"login": member.login, "password": member.password}
    )
    csrf = first.json()["csrf_token"]
    no_key = console.client.post(
        "/console/second-factor/security-key/options", headers={"X-CSRF-Token": csrf}
    )
    assert no_key.status_code == 401  # a TOTP account has no security key
    garbage = console.client.post(
        "/console/second-factor/security-key",
        json={"id": "x", "rawId": "x", "response": {}, "type": "public-key"},
        headers={"X-CSRF-Token": csrf},
    )
    assert garbage.status_code == 401
    enrol = console.client.post(
        "/console/enrolment/options",
        json={"enrolment_code": "AAAA"},
        headers={"X-CSRF-Token": csrf},
    )
    assert enrol.status_code == 401  # not at the enrolment step
