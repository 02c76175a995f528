"""`tallyroom decide` against a running server: flagged protocols decided, a four-eyes
confirmation, certifications of every constituency and the nation, the unreported list;
refusals print the server's code and exit 1; a session file others may read is refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.api.app import create_app
from tallyroom.api.runtime import Runtime
from tallyroom.cli.app import app
from tallyroom.service.audit import audit_tree
from tallyroom.service.definition.credentials import (
    IssuedCredentials,
    authenticate,
    issue_commission_token,
)
from tallyroom.store.database import transaction
from tests.commission_console import flagged_protocol, set_four_eyes
from tests.polled_election import poll_small_election
from tests.station_client import Api
from tests.web.live_server import serving

runner = CliRunner()


@pytest.fixture
def server(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[str]:
    runtime = Runtime.for_database(database_url)
    runtime.results.freshness = 0.0
    with transaction(loaded_election) as session:
        runtime.tree_head_key = audit_tree.create_tree_head_key(session, actor="commission")
    with serving(create_app(runtime=runtime)) as url:
        yield url


def decide(server: str, token: str, *arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, ["decide", "--server", server, "--token", token, *arguments])
    return result.exit_code, result.output


def test_decide_from_flagged_to_the_nation_certified(
    server: str, api_over_http: Api, credentials: IssuedCredentials
) -> None:
    commission = credentials.commission_token
    poll_small_election(api_over_http)
    amended = flagged_protocol(version=2, amendment_reason="recounted")
    assert api_over_http.submit(amended).json()["status"] == "flagged"
    code, output = decide(server, commission, "queue")
    assert code == 0, output
    assert "001-0001" in output
    code, output = decide(server, commission, "certify", "1")
    assert code == 1
    assert "protocols_pending" in output
    code, output = decide(server, commission, "accept", "001-0001", "2", "--reason", "checked")
    assert code == 0, output
    assert "accepted" in output
    for number in ("1", "2"):
        code, output = decide(server, commission, "certify", number)
        assert code == 0, output
    code, output = decide(server, commission, "certify-nation")
    assert code == 0, output
    assert api_over_http.client.get("/api/v1/results").json()["status"] == "final"
    code, output = decide(server, commission, "withdraw", "1", "--reason", "a court ruling")
    assert code == 1
    assert "nation_certified" in output


def test_four_eyes_from_the_command_line(
    server: str,
    api_over_http: Api,
    credentials: IssuedCredentials,
    loaded_election: sessionmaker[Session],
) -> None:
    set_four_eyes(api_over_http, "annul")
    with transaction(loaded_election) as session:
        second = issue_commission_token(session, actor="test", label="member-2")
    code, output = decide(
        server, credentials.commission_token, "annul", "001-0001", "--reason", "seal", "--yes"
    )
    assert code == 0, output
    assert "decide confirm 1" in output
    code, output = decide(server, credentials.commission_token, "confirm", "1")
    assert code == 1
    assert "same_person" in output
    code, output = decide(server, second, "confirm", "1")
    assert code == 0, output
    assert "annulled" in output


def test_a_session_file_others_may_read_is_refused(server: str, tmp_path: Path) -> None:
    session_file = tmp_path / "session"
    session_file.write_text('{"cookie": "tallyroom_session=abc"}', encoding="utf-8")
    os.chmod(session_file, 0o644)
    result = runner.invoke(
        app, ["decide", "--server", server, "--session-file", str(session_file), "queue"]
    )
    assert result.exit_code == 2  # a usage error: nothing was sent
    assert "chmod 600" in result.output
    os.chmod(session_file, 0o600)
    result = runner.invoke(
        app, ["decide", "--server", server, "--session-file", str(session_file), "queue"]
    )
    # No such session on this server yet: refused by the server, not by the command.
    assert result.exit_code == 1
    assert "token_missing" in result.output or "401" in result.output


def test_unreported_as_csv_is_its_owners_alone(
    server: str, credentials: IssuedCredentials, tmp_path: Path
) -> None:
    out = tmp_path / "unreported.csv"
    code, output = decide(
        server, credentials.commission_token, "unreported", "1", "--csv", str(out)
    )
    assert code == 0, output
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("station,name")
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    station_token = credentials.stations["001-0001"][1]
    code, output = decide(server, station_token, "unreported", "1")
    assert code == 1
    assert "commission_only" in output


@pytest.fixture
def api_over_http(
    server: str, credentials: IssuedCredentials, loaded_election: sessionmaker[Session]
) -> Iterator[Api]:
    """The station client, talking to the live server."""
    with httpx.Client(base_url=server, timeout=30) as client:
        yield Api(client, credentials, loaded_election)  # type: ignore[arg-type]


def test_a_second_commission_token_is_issued_to_a_new_file(
    use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path
) -> None:
    out = tmp_path / "member-2.token"
    result = runner.invoke(app, ["credentials", "commission-token", "member 2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with transaction(loaded_election) as session:
        assert authenticate(session, out.read_text().strip()).actor == "commission:member 2"
    again = runner.invoke(app, ["credentials", "commission-token", "x", "--out", str(out)])
    assert again.exit_code == 2


def test_decide_rules_adopts_a_new_version_and_names_a_bad_file_s_line(
    server: str, api_over_http: Api, credentials: IssuedCredentials, tmp_path: Path
) -> None:
    from tallyroom.definition.rules_file import rules_yaml
    from tallyroom.domain.rule_set import REFERENCE_RULE_SET, RuleSet

    assert api_over_http.submit(flagged_protocol()).json()["status"] == "flagged"
    commission = credentials.commission_token
    looser = RuleSet(
        tuple(
            rule
            for rule in REFERENCE_RULE_SET.rules
            if rule.id != "issued_and_unused_differ_from_received"
        )
    )
    good = tmp_path / "rules.yaml"
    good.write_text(rules_yaml(looser), encoding="utf-8")
    code, output = decide(server, commission, "rules", str(good), "--reason", "resolution 12")
    assert code == 0, output
    assert "001-0001 version 1: flagged → accepted" in output
    assert api_over_http.client.get("/api/v1/rules").json()["version"] == looser.version
    code, output = decide(server, commission, "rules", str(good), "--reason", "again")
    assert code == 0, output
    assert "in force already" in output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: tallyroom-rules/1\nrules:\n  - id: x\n    check: ballots_cast <<< 1\n"
        "    message: {az: a, en: b, ru: c}\n",
        encoding="utf-8",
    )
    code, output = decide(server, commission, "rules", str(bad), "--reason", "typo")
    assert code != 0
    assert f"{bad}:4: x.check:" in output.replace("\n", "")
    code, output = decide(server, commission, "rules", str(tmp_path / "none.yaml"), "--reason", "x")
    assert code != 0
    station = credentials.stations["001-0001"][1]
    code, output = decide(server, station, "rules", str(good), "--reason", "mine")
    assert code == 1
    assert "commission_only" in output
