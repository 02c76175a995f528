"""People for the console tests: accounts made as `tallyroom users create` makes them,
TOTP codes computed as an authenticator app would, and a console client over HTTPS (the
session cookie is Secure)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.app import create_app
from tallyroom.api.runtime import Runtime
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.service.people.people import IssuedSecret, PersonRole, SecondFactor, create_person
from tallyroom.store.database import transaction

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    login: str
    person_id: int
    secret: IssuedSecret
    password: str = PASSWORD

    def code(self, at: datetime | None = None) -> str:
        assert self.secret.totp_secret is not None
        return pyotp.TOTP(self.secret.totp_secret).at(at or datetime.now(UTC))

    def next_code(self) -> str:
        """The code of the next 30 s step (a code already used is refused)."""
        return self.code(datetime.now(UTC) + timedelta(seconds=30))


def make_account(
    sessions: sessionmaker[Session],
    login: str,
    role: PersonRole = PersonRole.COMMISSION_MEMBER,
    *,
    constituency: int | None = None,
    second_factor: SecondFactor | None = None,
) -> Account:
    factor = second_factor or (
        SecondFactor.TOTP if role is PersonRole.COMMISSION_MEMBER else SecondFactor.NONE
    )
    with transaction(sessions) as session:
        view, secret = create_person(
            session,
            principal=None,
            login=login,
            full_name=f"{login.title()} Əliyeva",
            email=f"{login}@example.org",
            role=role,
            constituency=constituency,
            password=PASSWORD,
            second_factor=factor,
        )
    return Account(login, view.id, secret)


@dataclass
class Console:
    client: TestClient
    sessions: sessionmaker[Session]
    credentials: IssuedCredentials

    def sign_in_csrf(self) -> str:
        page = self.client.get("/console/sign-in")
        assert page.status_code == 200
        return csrf_of(page.text)

    def password(self, account: Account, password: str | None = None) -> object:
        return self.client.post(
            "/console/sign-in",
            data={
                "login": account.login,
                "password": password or account.password,
                "csrf_token": self.sign_in_csrf(),
            },
            follow_redirects=False,
        )

    def sign_in(self, account: Account) -> str:
        """Signed in with the password and (if any) a TOTP code; the session's CSRF token."""
        first = self.password(account)
        assert first.status_code == 303, first.text  # type: ignore[attr-defined]
        if first.headers["location"] == "/console/second-factor":  # type: ignore[attr-defined]
            page = self.client.get("/console/second-factor")
            done = self.client.post(
                "/console/second-factor/totp",
                data={"code": account.code(), "csrf_token": csrf_of(page.text)},
                follow_redirects=False,
            )
            assert done.status_code == 303, done.text
            assert done.headers["location"] == "/console"
        home = self.client.get("/console")
        assert home.status_code == 200, home.text
        return csrf_of(home.text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'data-csrf="([^"]+)"', html
    )
    assert found, html[:2000]
    return found.group(1)


@pytest.fixture
def console(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[Console]:
    runtime = Runtime.for_database(database_url, migrate_schema=False)
    runtime.results.freshness = 0.0
    app = create_app(runtime=runtime)
    with TestClient(app, base_url="https://testserver") as client:
        yield Console(client, loaded_election, credentials)
