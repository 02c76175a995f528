"""`tallyroom register` and `tallyroom pollbook check-in` end to end: generate, load, count,
audit, export; a second check-in exits non-zero naming the station where the voter voted."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.cli.credential_folder import read_credential_folder
from tallyroom.simulator.local_server import LocalServer

runner = CliRunner()


@pytest.fixture
def register_file(
    use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path
) -> tuple[Path, Path]:
    register, previous = tmp_path / "register.csv", tmp_path / "previous.csv"
    generated = runner.invoke(
        app, ["register", "scenario", str(register), "--previous", str(previous)]
    )
    assert generated.exit_code == 0, generated.output
    return register, previous


def test_load_then_stats_and_audit(register_file: tuple[Path, Path], tmp_path: Path) -> None:
    register, previous = register_file
    loaded = runner.invoke(app, ["register", "load", str(register)])
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 2,750 voters" in loaded.stdout
    stats = json.loads(runner.invoke(app, ["register", "stats", "--json"]).stdout)
    assert stats["voters"] == 2_750
    assert (stats["oldest_female_age"], stats["oldest_male_age"]) == (134, 109)
    audited = runner.invoke(app, ["register", "audit", "--json", "--previous", str(previous)])
    report = json.loads(audited.stdout)
    assert len(report["implausible_ages"]) == 2
    assert len(report["likely_duplicates"]) >= 3
    assert len(report["crowded_addresses"]) == len(report["abnormal_growth"]) == 1
    extract = tmp_path / "extract.csv"
    assert runner.invoke(app, ["register", "export", str(extract), "--extract"]).exit_code == 0
    with extract.open(encoding="utf-8") as file:
        assert next(csv.reader(file))[0] == "surname"
    # the observers' audit of the published extract finds the same duplicates
    on_extract = json.loads(
        runner.invoke(app, ["register", "audit", "--json", "--extract", str(extract)]).stdout
    )
    assert len(on_extract["likely_duplicates"]) >= 3
    again = runner.invoke(app, ["register", "load", str(register)])
    assert again.exit_code != 0
    assert "twice" in again.output
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    refused = runner.invoke(app, ["register", "purge"])
    assert refused.exit_code != 0
    assert "certified" in refused.output


def test_a_file_that_is_not_a_register_is_refused(use_database: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["register", "load", str(bad)])
    assert result.exit_code != 0


@pytest.fixture
def server(
    register_file: tuple[Path, Path], database_url: str, tmp_path: Path
) -> Iterator[tuple[str, Path]]:
    assert runner.invoke(app, ["register", "load", str(register_file[0])]).exit_code == 0
    folder = tmp_path / "credentials"
    assert (
        runner.invoke(app, ["credentials", "issue", "--central-keys", str(folder)]).exit_code == 0
    )
    with LocalServer(database_url) as local:
        yield local.url, folder


def test_pollbook_check_in_twice(server: tuple[str, Path], tmp_path: Path) -> None:
    url, folder = server
    credentials = read_credential_folder(folder)
    with (tmp_path / "register.csv").open(encoding="utf-8") as file:
        rows = list(csv.reader(file))
    voter = next(row[0] for row in rows[20:] if row[7] == "001-0002")

    def check_in(station: str) -> object:
        return runner.invoke(
            app,
            [
                "pollbook", "check-in", "--station", station, "--voter", voter,
                "--server", url, "--token", credentials.stations[station][1], "--match", "yes",
            ],
        )  # fmt: skip

    first = check_in("001-0002")
    assert first.exit_code == 0, first.output
    second = check_in("001-0002")
    assert second.exit_code == 1
    assert "001-0002" in second.output
    assert "already voted" in second.output
    shown = runner.invoke(app, ["pollbook", "figures", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["figures"]["check_ins"] == 1
    station = json.loads(
        runner.invoke(app, ["pollbook", "figures", "--json", "--station", "001-0002"]).stdout
    )
    assert station["figures"]["second_attempts_refused"] == 1
    assert runner.invoke(app, ["pollbook", "figures", "--station", "nope"]).exit_code != 0


def test_a_desk_enrolled_from_the_cli_checks_in_with_the_token_enrolment_gave(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    url, folder = server
    commission = str(folder / "commission.token")
    with (tmp_path / "register.csv").open(encoding="utf-8") as file:
        rows = list(csv.reader(file))
    voters = [row[0] for row in rows[20:] if row[7] == "001-0001"][:2]
    issued = runner.invoke(
        app,
        ["pollbook", "code", "--station", "001-0001", "--server", url, "--token-file", commission],
    )
    assert issued.exit_code == 0, issued.output
    code = issued.stdout.split("001-0001: ", 1)[1].split()[0]
    desk_folder = tmp_path / "desk"
    enrolled = runner.invoke(
        app,
        [
            "pollbook", "enrol", "--station", "001-0001", "--code", code, "--server", url,
            "--out", str(desk_folder),
        ],
    )  # fmt: skip
    assert enrolled.exit_code == 0, enrolled.output
    token_file = desk_folder / "001-0001-pollbook-1.token"
    assert (desk_folder / "001-0001-pollbook-1.key").stat().st_mode & 0o777 == 0o600
    token = token_file.read_text(encoding="ascii").strip()
    assert token.startswith("pbk_")
    again = runner.invoke(
        app, ["pollbook", "enrol", "--station", "001-0001", "--code", code, "--server", url,
              "--out", str(tmp_path / "other")],
    )  # fmt: skip
    assert again.exit_code != 0
    assert "enrolment_code_used" in again.output

    def check_in(voter: str) -> object:
        return runner.invoke(
            app,
            [
                "pollbook", "check-in", "--station", "001-0001", "--voter", voter,
                "--server", url, "--token", token,
            ],
        )  # fmt: skip

    first = check_in(voters[0])
    assert first.exit_code == 0, first.output
    revoked = runner.invoke(
        app,
        [
            "pollbook", "revoke", "--station", "001-0001", "--desk", "1", "--reason", "stolen",
            "--server", url, "--token-file", commission,
        ],
    )  # fmt: skip
    assert revoked.exit_code == 0, revoked.output
    assert "station-001-0001/pollbook-1 revoked" in revoked.stdout
    assert check_in(voters[1]).exit_code != 0
