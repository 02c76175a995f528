"""`tallyroom lot enter` and `tallyroom lot confirm` against a running server: a tie the law
leaves to the lot, entered by one member, refused to the same member's confirmation, then
confirmed by a second."""

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
from tallyroom.service.definition.credentials import IssuedCredentials, issue_commission_token
from tallyroom.store.database import transaction
from tests.station_client import Api
from tests.tied_election import TIED_SEAT, poll_tie, tied_election_folder
from tests.web.live_server import serving

runner = CliRunner()


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return tied_election_folder(tmp_path, "lot")


@pytest.fixture
def server(loaded_election: sessionmaker[Session], database_url: str) -> Iterator[str]:
    runtime = Runtime.for_database(database_url)
    runtime.results.freshness = 0.0
    with serving(create_app(runtime=runtime)) as url:
        yield url


def _run(server: str, token: str, *arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, ["lot", "--server", server, "--token", token, *arguments])
    return result.exit_code, result.output


def test_lot_enter_and_confirm(
    server: str, credentials: IssuedCredentials, loaded_election: sessionmaker[Session]
) -> None:
    token = credentials.commission_token
    with httpx.Client(base_url=server, timeout=30) as client:
        poll_tie(Api(client, credentials, loaded_election))  # type: ignore[arg-type]
    code, output = _run(server, token, "enter", TIED_SEAT, "C001", "--account", "urn")
    assert code == 1
    assert "not_tied" in output
    code, output = _run(
        server, token, "enter", TIED_SEAT, "C005", "--account", "drawn from an urn in public"
    )
    assert code == 0, output
    assert f"lot 1 for {TIED_SEAT} entered: C005" in output
    code, output = _run(server, token, "confirm", "1")
    assert code == 1
    assert "same_person" in output
    with transaction(loaded_election) as session:
        second = issue_commission_token(session, actor="test", label="commission-member-2")
    code, output = _run(server, second, "confirm", "1")
    assert code == 0, output
    assert f"lot 1 confirmed: C005 takes {TIED_SEAT}" in output
