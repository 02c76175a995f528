from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.cli.credential_folder import read_credential_folder
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.errors import Unauthorised
from tallyroom.store.database import transaction

runner = CliRunner()


def test_issue_writes_one_folder_per_constituency_with_private_keys(
    use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = tmp_path / "credentials"
    result = runner.invoke(
        app, ["credentials", "issue", str(folder), "--valid-days", "2", "--central-keys"]
    )
    assert result.exit_code == 0, result.output
    assert "issued 4 station keys" in result.stdout
    key = folder / "001" / "001-0001.key"
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert sorted(p.name for p in (folder / "002").iterdir()) == [
        "002-0001.key",
        "002-0001.token",
        "constituency.token",
    ]
    issued = read_credential_folder(folder)
    with transaction(loaded_election) as session:
        assert authenticate(session, issued.commission_token).role.value == "commission"
        assert authenticate(session, issued.stations["001-0002"][1]).label == "station-001-0002"
        assert authenticate(session, issued.constituency_tokens[2]).constituency_id is not None


def test_issue_refuses_a_folder_with_files(
    use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path
) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "old.key").write_text("secret")
    result = runner.invoke(app, ["credentials", "issue", str(tmp_path / "keys")])
    assert result.exit_code == 2
    assert "is not an empty folder; nothing was issued" in result.stderr
    assert (tmp_path / "keys" / "old.key").read_text() == "secret"


def test_issue_without_an_election_fails_clearly(use_database: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["credentials", "issue", str(tmp_path / "keys")])
    assert result.exit_code == 2
    assert "no election is loaded" in result.stderr
    assert not (tmp_path / "keys").exists()


def test_revoke_needs_the_commission_and_then_the_token_stops_working(
    use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = tmp_path / "credentials"
    assert (
        runner.invoke(app, ["credentials", "issue", str(folder), "--central-keys"]).exit_code == 0
    )
    issued = read_credential_folder(folder)
    station_token = issued.stations["001-0001"][1]
    refused = runner.invoke(
        app, ["credentials", "revoke", station_token, "--commission-token", station_token]
    )
    assert refused.exit_code == 1
    assert "commission_only" in refused.stderr
    revoked = runner.invoke(
        app,
        ["credentials", "revoke", station_token, "--commission-token", issued.commission_token],
    )
    assert revoked.exit_code == 0, revoked.output
    with transaction(loaded_election) as session, pytest.raises(Unauthorised) as refused_again:
        authenticate(session, station_token)
    assert refused_again.value.code == "token_revoked"
    unknown = runner.invoke(
        app, ["credentials", "revoke", "nope", "--commission-token", issued.commission_token]
    )
    assert unknown.exit_code == 1
    assert "token_unknown" in unknown.stderr


def _stored_counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from tallyroom.store.schema import AccessTokenRow, AuditEntryRow, StationKeyRow

    with transaction(sessions) as session:
        return (
            int(session.scalar(select(func.count(AccessTokenRow.id))) or 0),
            int(session.scalar(select(func.count(StationKeyRow.id))) or 0),
            int(session.scalar(select(func.count(AuditEntryRow.sequence))) or 0),
        )


@pytest.mark.parametrize("failure", ["disk_full_midway", "folder_under_a_file"])
def test_issue_into_an_unwritable_folder_changes_nothing(
    use_database: str,
    loaded_election: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    first = tmp_path / "first"
    assert runner.invoke(app, ["credentials", "issue", str(first), "--central-keys"]).exit_code == 0
    old = read_credential_folder(first)
    before = _stored_counts(loaded_election)
    if failure == "disk_full_midway":
        from tallyroom.cli import credential_folder

        real_write = credential_folder._write_secret
        calls = []

        def write_until_full(path: Path, data: bytes) -> None:
            calls.append(path)
            if len(calls) > 5:
                raise OSError(28, "No space left on device", str(path))
            real_write(path, data)

        monkeypatch.setattr(credential_folder, "_write_secret", write_until_full)
        target = tmp_path / "second"
    else:
        (tmp_path / "a-file").write_text("not a folder")
        target = tmp_path / "a-file" / "second"
    result = runner.invoke(app, ["credentials", "issue", str(target)])
    assert result.exit_code != 0
    assert "cannot write the credentials" in result.stderr
    assert "nothing was issued" in result.stderr
    assert _stored_counts(loaded_election) == before
    assert not target.exists() or not any(target.rglob("*"))
    with transaction(loaded_election) as session:
        assert authenticate(session, old.commission_token).role.value == "commission"
        assert authenticate(session, old.stations["001-0001"][1]).label == "station-001-0001"


def test_issue_by_default_writes_enrolment_codes_and_no_private_key(
    use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = tmp_path / "credentials"
    result = runner.invoke(app, ["credentials", "issue", str(folder)])
    assert result.exit_code == 0, result.output
    assert "4 station enrolment codes (no private key)" in result.stdout
    assert sorted(p.name for p in (folder / "002").iterdir()) == [
        "002-0001.enrolment",
        "constituency.token",
    ]
    for path in folder.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes()
    issued = read_credential_folder(folder)
    assert issued.stations == {}
    assert len(issued.enrolment_codes["001-0001"][1]) == 11
