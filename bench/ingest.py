"""Ingest benchmark: a real server on loopback, concurrent station clients submitting signed
protocols; accepted protocols/s, p50/p99 latency, national-results read latency and freshness
during ingest, and a bare FastAPI JSON echo under the same server settings as the reference.

    .venv/bin/python bench/ingest.py [--stations 3000] [--clients 16]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from bench_election import bench_definition, bench_figures
from loopback_server import free_port, percentile, start_server
from tallyroom.domain.protocol_document import document_of
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.credentials import issue_credentials
from tallyroom.service.election_setup import define_election
from tallyroom.store.database import (
    make_engine,
    migrate,
    session_factory,
    transaction,
)


def read_national_results(url: str, stop: Any, samples: Any) -> None:
    """A reader in a process of its own, as readers are other machines: national results
    every 20 ms until told to stop; sends back (latency, finished at, stations reporting)."""
    taken: list[tuple[float, float, int]] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        while not stop.is_set():
            started = time.monotonic()
            response = client.get("/api/v1/results/summary")
            finished = time.monotonic()
            taken.append((finished - started, finished, int(response.json()["stations_reporting"])))
            time.sleep(0.02)
    samples.send(taken)


async def drive(
    url: str,
    path: str,
    requests: list[tuple[dict[str, Any], dict[str, str]]],
    clients: int,
    watch_results: bool,
) -> dict[str, Any]:
    latencies: list[float] = []
    acknowledged_at: list[float] = []
    queue: asyncio.Queue[tuple[dict[str, Any], dict[str, str]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    failures = 0
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    receiving, sending = context.Pipe(duplex=False)
    reader = (
        context.Process(target=read_national_results, args=(url, stop, sending))
        if watch_results
        else None
    )
    if reader is not None:
        reader.start()
        await asyncio.sleep(1.0)
    limits = httpx.Limits(max_connections=clients + 2)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def submitter() -> None:
            nonlocal failures
            while not queue.empty():
                body, headers = queue.get_nowait()
                started = time.monotonic()
                response = await client.post(path, json=body, headers=headers)
                finished = time.monotonic()
                if response.status_code in (200, 201):
                    latencies.append(finished - started)
                    acknowledged_at.append(finished)
                else:
                    failures += 1

        started = time.monotonic()
        await asyncio.gather(*(submitter() for _ in range(clients)))
        elapsed = time.monotonic() - started
    taken: list[tuple[float, float, int]] = []
    if reader is not None:
        await asyncio.sleep(1.5)
        stop.set()
        taken = receiving.recv()
        reader.join()
    # Reads while protocols were being submitted, not before or after.
    during = [latency for latency, at, _ in taken if started <= at <= started + elapsed]
    samples = [(at, reporting) for _, at, reporting in taken]
    visible_after: list[float] = []
    if watch_results:
        acknowledged_at.sort()
        position = 0
        for count, moment in enumerate(acknowledged_at, 1):
            while position < len(samples) and samples[position][1] < count:
                position += 1
            if position < len(samples):
                visible_after.append(max(0.0, samples[position][0] - moment))
    return {
        "rate": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "failures": failures,
        "read_p50": percentile(during, 0.5) * 1000,
        "read_p99": percentile(during, 0.99) * 1000,
        "reads": len(during),
        "visible_max": max(visible_after) if visible_after else float("nan"),
        "visible_p99": percentile(visible_after, 0.99),
        "elapsed": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tallyroom-ingest-"))
    database_url = arguments.database_url or f"sqlite:///{folder / 'ingest.db'}"
    engine = make_engine(database_url)
    migrate(engine)
    sessions = session_factory(engine)
    definition = bench_definition(arguments.stations)
    with transaction(sessions) as session:
        define_election(session, definition=definition, digest="0" * 64, actor="bench")
    with transaction(sessions) as session:
        credentials = issue_credentials(session, actor="bench")
    engine.dispose()
    requests = []
    for index, station in enumerate(definition.stations):
        _, token, pem = credentials.stations[station.code]
        document = document_of(
            election="bench",
            station=station.code,
            version=1,
            figures=bench_figures(index, station.constituency),
        )
        envelope = {
            "protocol": document,
            "signature": sign_document(document, load_private_key(pem)),
        }
        requests.append((envelope, {"Authorization": f"Bearer {token}"}))

    port = free_port()
    echo = start_server("echo_app:create_echo_app", port, database_url)
    try:
        reference = asyncio.run(
            drive(f"http://127.0.0.1:{port}", "/echo", requests, arguments.clients, False)
        )
    finally:
        echo.terminate()
        echo.wait()
    port = free_port()
    server = start_server("tallyroom.api.app:create_app", port, database_url)
    try:
        ingest = asyncio.run(
            drive(
                f"http://127.0.0.1:{port}", "/api/v1/protocols", requests, arguments.clients, True
            )
        )
    finally:
        server.terminate()
        server.wait()
    kind = "PostgreSQL" if database_url.startswith("postgres") else "SQLite (WAL, synchronous=FULL)"
    print(
        f"ingest benchmark: {arguments.stations} stations, "
        f"{arguments.clients} concurrent clients, {kind}"
    )
    print(
        f"  reference: bare FastAPI JSON echo      {reference['rate']:8.0f} req/s   "
        f"p50 {reference['p50']:6.1f} ms  p99 {reference['p99']:6.1f} ms"
    )
    print(
        f"  signed protocols accepted (durable)    {ingest['rate']:8.0f} /s      "
        f"p50 {ingest['p50']:6.1f} ms  p99 {ingest['p99']:6.1f} ms  failures {ingest['failures']}"
    )
    print(
        "  ratio to echo                          "
        f"{100 * ingest['rate'] / reference['rate']:8.1f} %   (target ≥ 60 %)"
    )
    print(
        f"  national results read during ingest    p50 {ingest['read_p50']:6.1f} ms  "
        f"p99 {ingest['read_p99']:6.1f} ms over {ingest['reads']} reads  (target p99 < 20 ms)"
    )
    print(
        f"  accepted → visible in national results p99 {ingest['visible_p99']:6.2f} s  "
        f"max {ingest['visible_max']:6.2f} s  (target < 1 s)"
    )
    print(f"  machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
