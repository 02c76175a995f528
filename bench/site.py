"""Public-site benchmark: concurrent readers of the overview page, a constituency page and
the national JSON while stations keep submitting protocols (6,478 stations, loopback, a
bounded run). Prints requests/s and p50/p99 per target, and an idle reference.

Readers are `wrk` processes (Debian's package `wrk`), one per target, so that the load
generator's own cost does not decide the latencies; without wrk, a Python client reads
instead (its figures then include the client's own queueing). A static file is read the
same way as the server's floor.

    .venv/bin/python bench/site.py [--stations 6478] [--readers 16] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
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
from tallyroom.store.database import make_engine, migrate, session_factory, transaction

TARGETS = {
    "overview page": "/",
    "constituency page": "/constituencies/1",
    "national JSON": "/api/v1/results",
}
REFERENCE = {"static file (floor)": "/static/site.css"}
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _wrk(url: str, connections: int, duration: str) -> tuple[float, float, float]:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _seconds(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _seconds(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses")
    return rate, p50, p99


def wrk_readers(
    url: str, targets: dict[str, str], connections: int, seconds: float, *, cold: bool = False
) -> dict[str, tuple[float, float, float]]:
    """One wrk (one thread, `connections` connections) per target, one target after the
    other, `seconds` in all: a single load generator at a time, so on a small machine the
    readers do not take the CPU the server needs. (requests/s, p50 s, p99 s) per target.

    Each target is read for one second before it is measured: on polling night the site is
    warm. With `cold`, that first second's figures are reported too (first build of each
    page, templates compiled, catalogues loaded)."""
    figures: dict[str, tuple[float, float, float]] = {}
    share = max(1, round(seconds / len(targets)))
    for name, path in targets.items():
        first_second = _wrk(url + path, connections, "1s")
        if cold:
            figures[f"{name}, first second (cold)"] = first_second
        figures[name] = _wrk(url + path, connections, f"{share}s")
    return figures


async def submit_only(
    url: str, submissions: list[tuple[dict[str, Any], dict[str, str]]], seconds: float, writers: int
) -> int:
    _, submitted, _ = await read_and_write(url, submissions, 0, seconds, writers)
    return submitted


async def read_and_write(
    url: str,
    submissions: list[tuple[dict[str, Any], dict[str, str]]],
    readers: int,
    seconds: float,
    writers: int,
) -> tuple[dict[str, list[float]], int, float]:
    latencies: dict[str, list[float]] = {name: [] for name in TARGETS}
    submitted = 0
    stop = time.perf_counter() + seconds
    queue = list(reversed(submissions))
    limits = httpx.Limits(max_connections=readers + writers + 2)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def reader(offset: int) -> None:
            names = list(TARGETS)
            turn = offset
            while time.perf_counter() < stop:
                name = names[turn % len(names)]
                turn += 1
                started = time.perf_counter()
                response = await client.get(TARGETS[name])
                if response.status_code != 200:
                    raise RuntimeError(f"{TARGETS[name]}: {response.status_code}")
                latencies[name].append(time.perf_counter() - started)

        async def writer() -> None:
            nonlocal submitted
            while queue and time.perf_counter() < stop:
                body, headers = queue.pop()
                response = await client.post("/api/v1/protocols", json=body, headers=headers)
                if response.status_code in (200, 201):
                    submitted += 1

        started = time.perf_counter()
        await asyncio.gather(
            *(reader(index) for index in range(readers)), *(writer() for _ in range(writers))
        )
        elapsed = time.perf_counter() - started
    return latencies, submitted, elapsed


def summarised(
    latencies: dict[str, list[float]], elapsed: float
) -> dict[str, tuple[float, float, float]]:
    """(requests/s, p50 s, p99 s) per target from the Python client's latencies."""
    return {
        name: (len(values) / elapsed, percentile(values, 0.5), percentile(values, 0.99))
        for name, values in latencies.items()
    }


def report_figures(title: str, figures: dict[str, tuple[float, float, float]]) -> None:
    print(title)
    for name, (rate, p50, p99) in figures.items():
        print(
            f"  {name:38} {rate:8.0f} req/s   p50 {p50 * 1000:6.1f} ms   "
            f"p99 {p99 * 1000:6.1f} ms   (target p99 < 50 ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=6478)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tallyroom-site-"))
    database_url = arguments.database_url or f"sqlite:///{folder / 'site.db'}"
    engine = make_engine(database_url)
    migrate(engine)
    sessions = session_factory(engine)
    definition = bench_definition(arguments.stations, stations_per_constituency=52)
    with transaction(sessions) as session:
        define_election(session, definition=definition, digest="0" * 64, actor="bench")
    with transaction(sessions) as session:
        credentials = issue_credentials(session, actor="bench")
    engine.dispose()
    submissions = []
    for index, station in enumerate(definition.stations):
        _, token, pem = credentials.stations[station.code]
        document = document_of(
            election="bench",
            station=station.code,
            version=1,
            figures=bench_figures(index, station.constituency),
        )
        signature = sign_document(document, load_private_key(pem))
        submissions.append(
            ({"protocol": document, "signature": signature}, {"Authorization": f"Bearer {token}"})
        )
    port = free_port()
    server = start_server("tallyroom.api.app:create_app", port, database_url)
    url = f"http://127.0.0.1:{port}"
    try:
        # Half the stations report before the readers arrive, as on polling night.
        half = len(submissions) // 2
        asyncio.run(read_and_write(url, submissions[:half], 0, 3600, 4))
        if shutil.which("wrk"):
            per_target = arguments.readers
            idle_figures = wrk_readers(
                url, REFERENCE | TARGETS, per_target, arguments.seconds, cold=True
            )
            with ThreadPoolExecutor(1) as pool:
                writing = pool.submit(
                    asyncio.run,
                    submit_only(url, submissions[half:], arguments.seconds + 4, 2),
                )
                time.sleep(0.5)
                busy_figures = wrk_readers(url, TARGETS, per_target, arguments.seconds)
                submitted = writing.result()
            busy_elapsed = arguments.seconds
            readers = f"wrk, {per_target} connections, one target at a time"
        else:
            idle, _, idle_elapsed = asyncio.run(
                read_and_write(url, [], arguments.readers, arguments.seconds / 2, 0)
            )
            busy, submitted, busy_elapsed = asyncio.run(
                read_and_write(url, submissions[half:], arguments.readers, arguments.seconds, 2)
            )
            idle_figures = summarised(idle, idle_elapsed)
            busy_figures = summarised(busy, busy_elapsed)
            readers = "a Python client (wrk not installed)"
    finally:
        server.terminate()
        server.wait()
    print(
        f"site benchmark: {arguments.stations} stations, {arguments.readers} concurrent readers,"
        f" SQLite; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}"
    )
    print(f"readers: {readers}")
    report_figures("reference: readers only (no ingest)", idle_figures)
    report_figures(
        f"while ingesting ({submitted / busy_elapsed:.0f} protocols/s accepted)", busy_figures
    )


if __name__ == "__main__":
    main()
