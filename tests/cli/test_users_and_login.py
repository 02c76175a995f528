"""`tallyroom users` (the database holder's account commands) and `tallyroom login` /
`logout` against a running server, with the session kept in a 0600 file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.cli.console_login import read_session
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.store.schema import AuditEntryRow, PersonRow
from tests.web.live_server import serving, site_app

runner = CliRunner()


def _create(*arguments: str) -> str:
    result = runner.invoke(app, ["users", "create", *arguments])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_first_commission_member_is_made_by_the_database_holder(
    use_database: str, loaded_election: sessionmaker[Session]
) -> None:
    output = _create("leyla", "--name", "Leyla Həsənova", "--role", "commission_member")
    assert "temporary password for leyla" in output
    assert "otpauth://totp/tallyroom:leyla?secret=" in output
    listed = runner.invoke(app, ["users", "list", "--json"])
    assert json.loads(listed.stdout)[0]["second_factor"] == "totp"
    with loaded_election() as session:
        entry = session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.action == "rows.recorded")
            .order_by(AuditEntryRow.sequence.desc())
        ).first()
        assert entry is not None
        assert entry.actor == "cli:users"
        # Personal data only as salted hashes in the log.
        assert "Həsənova" not in entry.payload
        assert "leyla" not in entry.payload
        assert "argon2" not in entry.payload
        assert audit_discrepancies(session) == []


def test_users_commands_refuse_what_the_rules_refuse(
    use_database: str, loaded_election: sessionmaker[Session]
) -> None:
    bad = runner.invoke(
        app, ["users", "create", "Bad Login", "--name", "X", "--role", "commission_staff"]
    )
    assert bad.exit_code == 1
    assert "invalid_account" in bad.output
    no_constituency = runner.invoke(
        app, ["users", "create", "aynur", "--name", "Aynur", "--role", "constituency_member"]
    )
    assert no_constituency.exit_code == 1
    no_factor = runner.invoke(
        app,
        [
            "users",
            "create",
            "leyla",
            "--name",
            "L",
            "--role",
            "commission_member",
            "--second-factor",
            "none",
        ],
    )
    assert no_factor.exit_code == 1
    _create("leyla", "--name", "Leyla", "--role", "commission_member")
    taken = runner.invoke(
        app, ["users", "create", "leyla", "--name", "L", "--role", "commission_staff"]
    )
    assert taken.exit_code == 1
    assert "login_taken" in taken.output
    last = runner.invoke(app, ["users", "deactivate", "leyla"])
    assert last.exit_code == 1
    assert "last_commission_member" in last.output


def test_deactivate_reset_and_lift(
    use_database: str, loaded_election: sessionmaker[Session]
) -> None:
    _create("leyla", "--name", "Leyla", "--role", "commission_member")
    _create("aynur", "--name", "Aynur", "--role", "constituency_member", "--constituency", "2")
    reset = runner.invoke(app, ["users", "reset-password", "aynur"])
    assert "temporary password for aynur" in reset.stdout
    key = runner.invoke(
        app, ["users", "reset-second-factor", "leyla", "--second-factor", "webauthn"]
    )
    assert "enrolment code" in key.stdout
    lift = runner.invoke(app, ["users", "lift-delay", "aynur"])
    assert "no delay on aynur" in lift.stdout
    assert runner.invoke(app, ["users", "deactivate", "aynur"]).exit_code == 0
    again = runner.invoke(app, ["users", "deactivate", "aynur"])
    assert "already_deactivated" in again.output
    unknown = runner.invoke(app, ["users", "deactivate", "nobody"])
    assert "unknown_person" in unknown.output
    with loaded_election() as session:
        assert sorted(session.scalars(select(PersonRow.login)).all()) == ["aynur", "leyla"]
        assert audit_discrepancies(session) == []


def test_login_keeps_the_session_in_a_private_file_and_logout_ends_it(
    use_database: str,
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
    tmp_path: Path,
) -> None:
    created = runner.invoke(
        app,
        [
            "users",
            "create",
            "leyla",
            "--name",
            "Leyla",
            "--role",
            "commission_member",
            "--ask-password",
        ],
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert created.exit_code == 0, created.output
    assert "temporary password" not in created.stdout
    with loaded_election() as session:
        secret = session.scalars(select(PersonRow.totp_secret)).one()
    assert secret is not None
    session_file = tmp_path / "config" / "session"
    with serving(site_app(use_database)) as url:
        result = runner.invoke(
            app,
            ["login", "--server", url, "--login", "leyla", "--session-file", str(session_file)],
            input=f"correct horse battery\n{pyotp.TOTP(secret).now()}\n",
        )
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
        stored = read_session(session_file)
        who = httpx.get(f"{url}/console/session", headers=stored.headers())
        assert who.status_code == 200
        assert who.json()["login"] == "leyla"
        annulled = httpx.post(
            f"{url}/api/v1/stations/001-0003/annulment",
            json={"reason": "seal broken", "confirmed": True},
            headers=stored.headers(),
        )
        assert annulled.status_code == 201, annulled.text
        out = runner.invoke(app, ["logout", "--session-file", str(session_file)])
        assert out.exit_code == 0, out.output
        assert "signed out" in out.stdout
        assert not session_file.exists()
        replayed = httpx.get(f"{url}/console/session", headers=stored.headers())
        assert replayed.status_code == 401


def test_login_with_a_wrong_password_keeps_nothing(
    use_database: str,
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
    tmp_path: Path,
) -> None:
    _create("leyla", "--name", "Leyla", "--role", "commission_member")
    session_file = tmp_path / "session"
    with serving(site_app(use_database)) as url:
        result = runner.invoke(
            app,
            ["login", "--server", url, "--login", "leyla", "--session-file", str(session_file)],
            input="wrong password\n",
        )
    assert result.exit_code == 1
    assert "sign_in_refused" in result.output
    assert not session_file.exists()
