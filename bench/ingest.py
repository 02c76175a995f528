"""Ingest benchmark: a real server on loopback, concurrent station clients submitting signed
protocols; accepted protocols/s, p50/p99 latency, national-results read latency and freshness
during ingest, and a bare FastAPI JSON echo under the same server settings as the reference.

    .venv/bin/python bench/ingest.py [--stations 3000] [--clients 16] [--rounds 3]
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
from tallyroom.service.definition.credentials import issue_credentials
from tallyroom.service.definition.election_setup import define_election
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
        # Stations already reporting when this run began (earlier rounds).
        before = [reporting for at, reporting in samples if at < started]
        baseline = before[-1] if before else 0
        acknowledged_at.sort()
        position = 0
        for count, moment in enumerate(acknowledged_at, 1):
            while position < len(samples) and samples[position][1] - baseline < count:
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


def cpu_seconds(pid: int, *, children_only: bool = False) -> float:
    """CPU time (user + system) of a process and its children still running (or of its
    children only: the intake process), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        # After the command: state, ppid, ..., utime (12th), stime (13th).
        if (int(entry.name) == pid and not children_only) or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def database_cpu_seconds(database_url: str) -> float:
    """CPU time of the PostgreSQL backends serving this database (the server's and the
    intake's connections; they share the machine's cores with the server); 0 on SQLite or
    when the database server's processes are not visible here."""
    if not database_url.startswith("postgres"):
        return 0.0
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            backends = connection.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).scalars()
            pids = list(backends)
    finally:
        engine.dispose()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def signed_requests(
    stations: int, database_url: str
) -> list[tuple[dict[str, Any], dict[str, str]]]:
    engine = make_engine(database_url)
    migrate(engine)
    sessions = session_factory(engine)
    definition = bench_definition(stations)
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
    return requests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=3000, help="protocols per round")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="echo and protocol runs alternate this many times; the ratio is of the medians "
        "(the machine's own speed moves by a quarter from one run to the next)",
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tallyroom-ingest-"))
    database_url = arguments.database_url or f"sqlite:///{folder / 'ingest.db'}"
    requests = signed_requests(arguments.stations * arguments.rounds, database_url)

    echo_port, port = free_port(), free_port()
    echo = start_server("echo_app:create_echo_app", echo_port, database_url)
    server = start_server("tallyroom.api.app:create_app", port, database_url)
    references: list[dict[str, Any]] = []
    ingests: list[dict[str, Any]] = []
    cpu_per_protocol: list[float] = []
    intake_cpu_per_protocol: list[float] = []
    database_cpu_per_protocol: list[float] = []
    load_averages: list[float] = []
    try:
        for round_number in range(arguments.rounds):
            batch = requests[
                round_number * arguments.stations : (round_number + 1) * arguments.stations
            ]
            references.append(
                asyncio.run(
                    drive(f"http://127.0.0.1:{echo_port}", "/echo", batch, arguments.clients, False)
                )
            )
            load_averages.append(os.getloadavg()[0])
            cpu_before = cpu_seconds(server.pid)
            intake_cpu_before = cpu_seconds(server.pid, children_only=True)
            database_cpu_before = database_cpu_seconds(database_url)
            ingests.append(
                asyncio.run(
                    drive(
                        f"http://127.0.0.1:{port}",
                        "/api/v1/protocols",
                        batch,
                        arguments.clients,
                        True,
                    )
                )
            )
            cpu_per_protocol.append((cpu_seconds(server.pid) - cpu_before) / len(batch))
            intake_cpu_per_protocol.append(
                (cpu_seconds(server.pid, children_only=True) - intake_cpu_before) / len(batch)
            )
            database_cpu_per_protocol.append(
                (database_cpu_seconds(database_url) - database_cpu_before) / len(batch)
            )
    finally:
        for process in (echo, server):
            process.terminate()
            process.wait()
    kind = "PostgreSQL" if database_url.startswith("postgres") else "SQLite (WAL, synchronous=FULL)"
    print(
        f"ingest benchmark: {arguments.stations} stations per round, {arguments.rounds} rounds "
        f"(echo and protocols alternating), {arguments.clients} concurrent clients, {kind}"
    )
    for number, (reference, ingest) in enumerate(zip(references, ingests, strict=True), 1):
        print(
            f"  round {number}: echo {reference['rate']:5.0f} req/s, protocols "
            f"{ingest['rate']:5.0f} /s = {100 * ingest['rate'] / reference['rate']:5.1f} %; "
            f"server CPU {cpu_per_protocol[number - 1] * 1000:.2f} ms per protocol "
            f"(intake process {intake_cpu_per_protocol[number - 1] * 1000:.2f})"
            + (
                f", database backends {database_cpu_per_protocol[number - 1] * 1000:.2f} ms"
                if database_url.startswith("postgres")
                else ""
            )
            + f"; load average {load_averages[number - 1]:.1f}"
        )
    reference = sorted(references, key=lambda run: run["rate"])[len(references) // 2]
    ingest = sorted(ingests, key=lambda run: run["rate"])[len(ingests) // 2]
    reads = sorted(ingests, key=lambda run: run["read_p99"])[len(ingests) // 2]
    print(
        f"  reference: bare FastAPI JSON echo      {reference['rate']:8.0f} req/s   "
        f"p50 {reference['p50']:6.1f} ms  p99 {reference['p99']:6.1f} ms  (median round)"
    )
    print(
        f"  signed protocols accepted (durable)    {ingest['rate']:8.0f} /s      "
        f"p50 {ingest['p50']:6.1f} ms  p99 {ingest['p99']:6.1f} ms  failures "
        f"{sum(run['failures'] for run in ingests)}  (median round)"
    )
    print(
        "  ratio of the medians                   "
        f"{100 * ingest['rate'] / reference['rate']:8.1f} %   (target ≥ 60 %)"
    )
    print(
        f"  national results read during ingest    p50 {reads['read_p50']:6.1f} ms  "
        f"p99 {reads['read_p99']:6.1f} ms (median round; rounds "
        + ", ".join(f"{run['read_p99']:.1f}" for run in ingests)
        + " ms)  (target p99 < 20 ms)"
    )
    print(
        f"  accepted → visible in national results p99 "
        f"{max(run['visible_p99'] for run in ingests):6.2f} s  "
        f"max {max(run['visible_max'] for run in ingests):6.2f} s  (worst round; target < 1 s)"
    )
    print(f"  machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
