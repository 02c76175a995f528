"""Signed tree heads on a served site: signed while entries arrive, published with their
consistency proofs, and watched by an observer's monitor."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.api.app import create_app
from tallyroom.api.runtime import Runtime
from tallyroom.cli.app import app as cli_app
from tallyroom.cli.audit_watch import LogMonitor
from tallyroom.domain.tree_head import SignedTreeHead, proof_verifies
from tallyroom.service.audit import audit_tree
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.store.database import transaction
from tests.api.conftest import Api, protocol
from tests.history_rewrite import rewrite_history


@pytest.fixture
def tree_head_key(loaded_election: sessionmaker[Session]) -> Ed25519PrivateKey:
    with transaction(loaded_election) as session:
        return audit_tree.create_tree_head_key(session, actor="commission")


@pytest.fixture
def signing_api(
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
    database_url: str,
    tree_head_key: Ed25519PrivateKey,
) -> Iterator[Api]:
    runtime = Runtime.for_database(database_url)
    runtime.results.freshness = 0.0
    runtime.tree_head_key = tree_head_key
    runtime.head_interval = 0.05
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        yield Api(client, credentials, loaded_election)


def _latest_head_covering(api: Api, size: int) -> SignedTreeHead:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        signed = api.client.get("/api/v1/audit/head").json()["signed_head"]
        if signed is not None and signed["tree_size"] >= size:
            return SignedTreeHead.from_json(signed)
        time.sleep(0.02)
    raise AssertionError(f"no signed head of {size} entries within 10 s")


def test_heads_are_signed_while_entries_arrive_and_proven_consistent(signing_api: Api) -> None:
    first = _latest_head_covering(signing_api, 1)
    assert first.signature_is_valid()
    assert signing_api.submit(protocol()).status_code in (200, 201)
    # The first head's own entry, then the protocol's.
    second = _latest_head_covering(signing_api, first.tree_size + 2)
    published = signing_api.client.get("/api/v1/audit/heads").json()
    assert published["keys"] == [first.key]
    sizes = [head["tree_size"] for head in published["heads"]]
    assert sizes == sorted(sizes)
    assert first.tree_size in sizes
    assert sizes[-1] == second.tree_size
    proof = signing_api.client.get(
        "/api/v1/audit/consistency",
        params={"first": first.tree_size, "second": second.tree_size},
    ).json()
    assert proof["first_root"] == first.root_hash
    assert proof["second_root"] == second.root_hash
    assert proof_verifies(first, second, proof["proof"])
    assert not proof_verifies(first, second, proof["proof"][:-1])


def test_consistency_with_sizes_the_log_does_not_have_is_refused(signing_api: Api) -> None:
    backwards = signing_api.client.get("/api/v1/audit/consistency?first=3&second=2")
    assert backwards.status_code == 422
    assert backwards.json()["error"]["code"] == "invalid_tree_sizes"
    beyond = signing_api.client.get("/api/v1/audit/consistency?first=1&second=999999")
    assert beyond.status_code == 404
    assert beyond.json()["error"]["code"] == "tree_size_unknown"
    missing = signing_api.client.get("/api/v1/audit/consistency?first=1")
    assert missing.status_code == 422


def test_the_monitor_keeps_heads_and_reports_a_rewritten_history(
    signing_api: Api,
    database_url: str,
    tree_head_key: Ed25519PrivateKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = tmp_path / "heads.json"
    monitor = LogMonitor(state)
    size = _latest_head_covering(signing_api, 1).tree_size
    assert monitor.look(signing_api.client) is None
    assert signing_api.submit(protocol()).status_code in (200, 201)
    _latest_head_covering(signing_api, size + 2)
    assert monitor.look(signing_api.client) is None
    kept = json.loads(state.read_text())["heads"]
    assert kept[-1]["tree_size"] >= size + 2

    # The operator rewrites an early entry and serves the forged log, with its heads signed
    # anew by the commission's own key: consistent in itself, not with what was published.
    rewrite_history(signing_api.sessions, sequence=2)
    forged = Runtime.for_database(database_url)
    forged.tree_head_key = tree_head_key
    forged.head_interval = 0.05
    with TestClient(create_app(runtime=forged), raise_server_exceptions=False) as client:
        forged_api = Api(client, signing_api.credentials, signing_api.sessions)
        amended = protocol(version=2, amendment_reason="a digit misread")
        assert forged_api.submit(amended).status_code in (200, 201)
        _latest_head_covering(forged_api, size + 3)
        evidence = LogMonitor(state).look(client)
        assert evidence is not None
        assert evidence["reason"] == "the new head does not extend the last one kept"
        assert evidence["kept"]["tree_size"] == kept[-1]["tree_size"]

        # The command line monitor: bounded, exit 1, the evidence printed as JSON.
        monkeypatch.setattr("httpx.Client", lambda **_options: client)
        watched = CliRunner().invoke(
            cli_app,
            ["audit", "watch", "http://testserver", "--state", str(state), "--rounds", "2"],
        )
        assert watched.exit_code == 1, watched.output
        assert json.loads(watched.stdout)["published"]["tree_size"] >= size + 2
