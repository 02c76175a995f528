"""`tallyroom station enrol` over HTTP: the key is made in the terminal's process, the server
gets its public half only, the code is spent, and the key signs what `protocol submit` sends."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.cli.credential_folder import read_credential_folder
from tallyroom.domain.key_fingerprint import key_fingerprint
from tallyroom.domain.signature import load_private_key, public_key_hex
from tallyroom.store.database import transaction
from tallyroom.store.schema import StationKeyRow
from tests.web.live_server import serving, site_app

runner = CliRunner()


def test_station_enrol_from_a_terminal(
    use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = tmp_path / "credentials"
    assert runner.invoke(app, ["credentials", "issue", str(folder)]).exit_code == 0
    code = read_credential_folder(folder).enrolment_codes["001-0001"][1]
    out = tmp_path / "device"
    with serving(site_app(use_database)) as url:
        arguments = ["station", "enrol", "--station", "001-0001", "--code", code]
        result = runner.invoke(app, [*arguments, "--server", url, "--out", str(out)])
        assert result.exit_code == 0, result.output
        key = load_private_key((out / "001-0001.key").read_bytes())
        assert key_fingerprint(public_key_hex(key)) in " ".join(result.stdout.split())
        assert stat.S_IMODE((out / "001-0001.key").stat().st_mode) == 0o600
        again = runner.invoke(
            app, [*arguments, "--server", url, "--out", str(tmp_path / "second-device")]
        )
        assert again.exit_code == 1
        assert "enrolment_code_used" in again.stderr
    with transaction(loaded_election) as session:
        stored = session.scalars(
            select(StationKeyRow).where(StationKeyRow.revoked_at.is_(None))
        ).all()
        assert [(row.public_key, row.made) for row in stored] == [(public_key_hex(key), "device")]
