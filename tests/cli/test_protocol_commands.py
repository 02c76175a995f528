from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.cli.credential_folder import read_credential_folder
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.simulator.local_server import LocalServer
from tests.api.conftest import good_figures, protocol

runner = CliRunner()


@pytest.fixture
def issued(use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path) -> Path:
    folder = tmp_path / "credentials"
    assert (
        runner.invoke(app, ["credentials", "issue", str(folder), "--central-keys"]).exit_code == 0
    )
    return folder


@pytest.fixture
def server(issued: Path, database_url: str) -> Iterator[str]:
    with LocalServer(database_url) as local:
        yield local.url


def _write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def _credentials(folder: Path) -> IssuedCredentials:
    return read_credential_folder(folder)


def test_sign_then_submit_is_accepted_then_idempotent(
    issued: Path, server: str, tmp_path: Path
) -> None:
    document = _write(tmp_path / "protocol.json", protocol())
    envelope = tmp_path / "signed.json"
    key = issued / "001" / "001-0001.key"
    signed = runner.invoke(
        app, ["protocol", "sign", str(document), "--key", str(key), "--out", str(envelope)]
    )
    assert signed.exit_code == 0, signed.output
    assert set(json.loads(envelope.read_text())) == {"protocol", "signature"}
    token_file = issued / "001" / "001-0001.token"
    submitted = runner.invoke(
        app,
        ["protocol", "submit", str(envelope), "--server", server, "--token-file", str(token_file)],
    )
    assert submitted.exit_code == 0, submitted.output
    assert "station 001-0001 version 1: accepted" in submitted.stdout
    again = runner.invoke(
        app,
        ["protocol", "submit", str(envelope), "--server", server],
        env={"TALLYROOM_TOKEN": token_file.read_text().strip()},
    )
    assert again.exit_code == 0, again.output
    assert "stored already" in again.stdout


def test_sign_prints_to_stdout(issued: Path, tmp_path: Path) -> None:
    document = _write(tmp_path / "protocol.json", protocol())
    result = runner.invoke(
        app, ["protocol", "sign", str(document), "--key", str(issued / "001" / "001-0001.key")]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["signature"]) == 128


def test_flagged_protocol_lists_the_failed_checks(
    issued: Path, server: str, tmp_path: Path
) -> None:
    wrong = protocol(figures=good_figures(invalid_ballots=11))
    envelope = tmp_path / "signed.json"
    runner.invoke(
        app,
        [
            "protocol",
            "sign",
            str(_write(tmp_path / "p.json", wrong)),
            "--key",
            str(issued / "001" / "001-0001.key"),
            "--out",
            str(envelope),
        ],
    )
    token = _credentials(issued).stations["001-0001"][1]
    result = runner.invoke(
        app, ["protocol", "submit", str(envelope), "--server", server, "--token", token]
    )
    assert result.exit_code == 0, result.output
    assert "flagged" in result.stdout


def test_sign_malformed_json_names_line_and_column(issued: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "election": "small-2024",\n  "station": \n}\n')
    result = runner.invoke(
        app, ["protocol", "sign", str(broken), "--key", str(issued / "001" / "001-0001.key")]
    )
    assert result.exit_code == 2
    assert f"{broken}:4:1: not valid JSON" in result.stderr


def test_sign_malformed_document_lists_every_problem_with_its_line(
    issued: Path, tmp_path: Path
) -> None:
    document = protocol()
    document["figures"]["ballots_cast"] = -3
    document["figures"]["invalid_ballots"] = 1.5
    path = _write(tmp_path / "protocol.json", document)
    result = runner.invoke(
        app, ["protocol", "sign", str(path), "--key", str(issued / "001" / "001-0001.key")]
    )
    assert result.exit_code == 2
    lines = path.read_text().splitlines()
    cast_line = next(i for i, line in enumerate(lines, 1) if '"ballots_cast"' in line)
    assert f"{path}:{cast_line}: figures.ballots_cast: -3 is negative" in result.stderr
    assert "figures.invalid_ballots: must be a whole number, not a fraction" in result.stderr
    assert "nothing was signed" in result.stderr


def test_sign_with_an_unreadable_key(tmp_path: Path) -> None:
    path = _write(tmp_path / "protocol.json", protocol())
    key = tmp_path / "bad.key"
    key.write_text("not a key")
    result = runner.invoke(app, ["protocol", "sign", str(path), "--key", str(key)])
    assert result.exit_code == 2
    assert f"{key}:1: not a readable Ed25519 private key" in result.stderr


def test_submit_with_another_stations_token_is_refused_with_the_code(
    issued: Path, server: str, tmp_path: Path
) -> None:
    envelope = tmp_path / "signed.json"
    runner.invoke(
        app,
        [
            "protocol",
            "sign",
            str(_write(tmp_path / "p.json", protocol())),
            "--key",
            str(issued / "001" / "001-0001.key"),
            "--out",
            str(envelope),
        ],
    )
    other = _credentials(issued).stations["001-0002"][1]
    result = runner.invoke(
        app, ["protocol", "submit", str(envelope), "--server", server, "--token", other]
    )
    assert result.exit_code == 1
    assert "403 out_of_scope" in result.stderr


def test_submit_usage_errors(issued: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "p.json", protocol())
    no_token = runner.invoke(
        app, ["protocol", "submit", str(path), "--server", "http://127.0.0.1:9"], env={}
    )
    assert no_token.exit_code == 2
    assert "no token" in no_token.stderr
    not_envelope = runner.invoke(
        app, ["protocol", "submit", str(path), "--server", "http://127.0.0.1:9", "--token", "t"]
    )
    assert not_envelope.exit_code == 2
    assert f"{path}:1: expected a signed envelope" in not_envelope.stderr


def test_submit_to_a_server_that_is_not_there(tmp_path: Path) -> None:
    envelope = _write(tmp_path / "e.json", {"protocol": protocol(), "signature": "00"})
    result = runner.invoke(
        app, ["protocol", "submit", str(envelope), "--server", "http://127.0.0.1:9", "--token", "t"]
    )
    assert result.exit_code == 1
    assert "cannot reach http://127.0.0.1:9/api/v1/protocols" in result.stderr


def test_turnout_report_and_its_refusals(issued: Path, server: str) -> None:
    token = _credentials(issued).stations["001-0001"][1]
    base = ["turnout", "report", "--station", "001-0001", "--server", server, "--token", token]
    reported = runner.invoke(app, [*base, "--as-of", "10:00", "--voters", "300"])
    assert reported.exit_code == 0, reported.output
    assert "001-0001 at 10:00: 300 voters, accepted" in reported.stdout
    night = runner.invoke(app, [*base, "--as-of", "23:00", "--voters", "300"])
    assert night.exit_code == 1
    assert "outside_voting_hours" in night.stderr
    malformed = runner.invoke(app, [*base, "--as-of", "ten", "--voters", "300"])
    assert malformed.exit_code == 2
    assert "HH:MM" in malformed.stderr
    national = json.loads(runner.invoke(app, ["turnout", "--json"]).stdout)
    assert national["hours"][0]["voters"] == 300
