"""Crash safety: the server is killed (SIGKILL) at random moments while stations submit;
after a restart every acknowledged protocol is stored exactly once, the audit chain
verifies, and the totals equal a recomputation."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import document_of
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.store.database import transaction
from tallyroom.store.schema import PollingStationRow, ProtocolVersionRow

STATIONS = 120


@pytest.fixture
def many_stations(small_election: Path) -> Path:
    with (small_election / "stations.csv").open("a", encoding="utf-8") as handle:
        for number in range(STATIONS):
            handle.write(f"001-1{number:03d},1,Klub {number},permanent,,no,1000,0\n")
    return small_election


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(database_url: str, port: int) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "TALLYROOM_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "tallyroom.api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=environment,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/audit/head", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def figures(votes: int) -> ProtocolFigures:
    return ProtocolFigures(
        registered_voters=1000,
        voters_added=0,
        ballots_received=1000,
        ballots_issued_in_station=votes + 20,
        ballots_issued_portable=0,
        ballots_cast=votes + 20,
        invalid_ballots=20,
        unused_ballots=1000 - votes - 20,
        votes={"C001": votes // 2, "C002": votes - votes // 2, "C003": 0},
    )


def test_acknowledged_protocols_survive_sigkill(
    loaded_many: sessionmaker[Session], credentials_many: IssuedCredentials, database_url: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acknowledged: dict[tuple[str, int], str] = {}
    lock = threading.Lock()
    stop = threading.Event()
    codes = [f"001-1{number:03d}" for number in range(STATIONS)]
    rng = random.Random(7)

    def station_worker(chunk: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=5) as client:
            for code in chunk:
                _, token, pem = credentials_many.stations[code]
                key = load_private_key(pem)
                for version in (1, 2):
                    document = document_of(
                        election="small-2024",
                        station=code,
                        version=version,
                        figures=figures(500 + version),
                        amendment_reason="recount" if version == 2 else None,
                    )
                    envelope = {"protocol": document, "signature": sign_document(document, key)}
                    while not stop.is_set():
                        try:
                            response = client.post(
                                "/api/v1/protocols",
                                json=envelope,
                                headers={"Authorization": f"Bearer {token}"},
                            )
                        except httpx.HTTPError:
                            time.sleep(0.05)  # the server is down: retry, as a station would
                            continue
                        if response.status_code in (200, 201):
                            with lock:
                                acknowledged[(code, version)] = envelope["signature"]
                            break
                        if response.status_code >= 500:
                            time.sleep(0.05)
                            continue
                        raise AssertionError(response.text)

    server = start_server(database_url, port)
    workers = [
        threading.Thread(target=station_worker, args=(codes[index::4],)) for index in range(4)
    ]
    for worker in workers:
        worker.start()
    kills = 0
    try:
        while any(worker.is_alive() for worker in workers) and kills < 4:
            time.sleep(rng.uniform(0.3, 1.2))
            server.send_signal(signal.SIGKILL)
            server.wait()
            kills += 1
            server = start_server(database_url, port)
        for worker in workers:
            worker.join(timeout=120)
    finally:
        stop.set()
        server.send_signal(signal.SIGKILL)
        server.wait()
    assert kills >= 1
    assert len(acknowledged) == 2 * STATIONS
    with transaction(loaded_many) as session:
        stored = (
            session.execute(
                select(
                    PollingStationRow.code, ProtocolVersionRow.version, ProtocolVersionRow.signature
                ).join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
            )
            .tuples()
            .all()
        )
        assert len(stored) == len({(code, version) for code, version, _ in stored})
        stored_signatures = {(code, version): signature for code, version, signature in stored}
        for key, signature in acknowledged.items():
            assert stored_signatures.get(key) == signature, key
        assert audit_discrepancies(session) == []


@pytest.fixture
def loaded_many(sessions: sessionmaker[Session], many_stations: Path) -> sessionmaker[Session]:
    from tallyroom.definition.reader import read_definition
    from tallyroom.service.definition.election_setup import define_election

    with transaction(sessions) as session:
        define_election(
            session, definition=read_definition(many_stations), digest="0" * 64, actor="test"
        )
    return sessions


@pytest.fixture
def credentials_many(loaded_many: sessionmaker[Session]) -> Any:
    from tallyroom.service.definition.credentials import issue_credentials

    with transaction(loaded_many) as session:
        return issue_credentials(session, actor="test")
