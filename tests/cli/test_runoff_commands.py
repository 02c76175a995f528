"""`tallyroom runoff define` against a running server: refused (exit 1, the server's code)
before round 1 is certified and for a candidate who did not qualify; then round 2 defined
with a withdrawal."""

from __future__ import annotations

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
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.store.database import transaction
from tests.polled_election import poll_small_election
from tests.runoff_election import two_round_copy
from tests.station_client import Api
from tests.web.live_server import serving

runner = CliRunner()


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


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


def _run(server: str, token: str, *arguments: str) -> tuple[int, str]:
    result = runner.invoke(
        app, [arguments[0], "--server", server, "--token", token, *arguments[1:]]
    )
    return result.exit_code, result.output


def test_runoff_define(
    server: str, credentials: IssuedCredentials, loaded_election: sessionmaker[Session]
) -> None:
    token = credentials.commission_token
    with httpx.Client(base_url=server, timeout=30) as client:
        poll_small_election(Api(client, credentials, loaded_election))  # type: ignore[arg-type]
    code, output = _run(server, token, "runoff", "define", "constituency-1")
    assert code == 1
    assert "round_one_not_certified" in output
    code, output = _run(server, token, "decide", "certify", "1", "--reason", "as counted")
    assert code == 0, output
    code, output = _run(server, token, "runoff", "define", "constituency-1", "--withdraw", "C003")
    assert code == 1
    assert "not_qualified" in output
    code, output = _run(
        server,
        token,
        *("runoff", "define", "constituency-1", "--withdraw", "C002", "--reason", "declared"),
    )
    assert code == 0, output
    assert "constituency-1/round-2 defined: standing C001; withdrawn C002" in output
    # Round 2 is certified on its own, once its stations have reported.
    code, output = _run(server, token, "runoff", "certify", "constituency-1")
    assert code == 1
    assert "stations_missing" in output
    code, output = _run(server, token, "runoff", "withdraw", "constituency-1", "--reason", "x")
    assert code == 1
    assert "not_certified" in output
