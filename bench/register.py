"""Register and poll-book benchmark: loading the register on SQLite against a raw sqlite3
executemany of the same CSV rows (same run, same table and indexes, same pragmas), with each
side's peak memory; then a real server on loopback taking batched check-ins from 16 poll
books, and single check-ins (and refused second ones) with p50/p99, beside a bare FastAPI
JSON echo under the same server settings (as bench/ingest.py): first closed-loop (16 clients
back to back), then open-loop as desks send them (random arrivals at the national peak
hour's rate, derived from the scenario, or --single-rate), where the p99 target is judged.

    .venv/bin/python bench/register.py [--voters 500000] [--books 16] [--singles 2000]
    .venv/bin/python bench/register.py --replay 2200000    # the day replayed in process

The full register is 6,421,960 voters; on a shared machine run a part of it (the first
stations, whole) and extrapolate linearly: both sides are one pass of constant cost per row.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import multiprocessing
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from ingest import cpu_seconds
from loopback_server import free_port, percentile
from tallyroom.domain.voter import REGISTER_COLUMNS
from tallyroom.scenarios.az_2024 import build_definition
from tallyroom.scenarios.voter_register import RegisterGenerator, StationRegister
from tallyroom.service.definition.credentials import issue_credentials
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.register.voter_register import load_register
from tallyroom.store.database import make_engine, migrate, session_factory, transaction

FULL_REGISTER = 6_421_960


def start_server(factory: str, port: int, database_url: str) -> subprocess.Popen[bytes]:
    """uvicorn with one worker, as loopback_server.start_server, keeping the caller's
    PYTHONPATH (a worktree's sources) after the bench folder."""
    environment = {
        **os.environ,
        "TALLYROOM_DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join(
            part for part in (str(Path(__file__).parent), os.environ.get("PYTHONPATH")) if part
        ),
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "--no-access-log",
        ],
        env=environment,
    )  # fmt: skip
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{factory} did not start")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _lines(path: Path) -> Iterator[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        next(reader)
        yield from reader


def load_with_tallyroom(database: str, register: Path, answer: Any) -> None:
    engine = make_engine(f"sqlite:///{database}")
    sessions = session_factory(engine)
    started = time.perf_counter()
    with transaction(sessions) as session:
        outcome = load_register(session, actor="bench", lines=_lines(register))
    answer.send((time.perf_counter() - started, outcome.voters, _peak_mib()))
    engine.dispose()


def load_raw(database: str, register: Path, answer: Any) -> None:
    """The reference: the same CSV rows into the same table by sqlite3's executemany, in one
    transaction, with nothing else (no validation, no hashes, no audit log)."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    stations = dict(connection.execute("SELECT code, id FROM polling_station").fetchall())
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    chunk: list[tuple[Any, ...]] = []
    count = 0
    statement = (
        "INSERT INTO voter (id, election_id, voter_number, surname, given_name, patronymic, sex, "
        "birth_date, address, station_id, status, removal_reason, chunk) "
        "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    for line in _lines(register):
        count += 1
        chunk.append(
            (
                count,
                line[0],
                line[1],
                line[2],
                line[3],
                line[4],
                line[5],
                line[6],
                stations[line[7]],
                line[8],
                line[9] or None,
                count // 5_000,
            )
        )
        if len(chunk) == 5_000:
            connection.executemany(statement, chunk)
            chunk.clear()
    connection.executemany(statement, chunk)
    connection.execute("COMMIT")
    answer.send((time.perf_counter() - started, count, _peak_mib()))
    connection.close()


def in_process(target: Any, *arguments: Any) -> tuple[float, int, float]:
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(*arguments, sending))
    process.start()
    result: tuple[float, int, float] = receiving.recv()
    process.join()
    return result


async def drive(
    url: str, path: str, requests: list[tuple[Any, dict[str, str]]], clients: int
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[tuple[Any, dict[str, str]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=clients + 2)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                body, headers = queue.get_nowait()
                started = time.monotonic()
                response = await client.post(path, json=body, headers=headers)
                latencies.append(time.monotonic() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.monotonic() - started
    return {
        "elapsed": elapsed,
        "rate": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "statuses": statuses,
    }


#: the day's check-ins nationally (a third of the register turns out)
DAY_CHECK_INS = 2_200_000
#: the busiest hour against the day's average hour
PEAK_OVER_AVERAGE = 2.0


def polling_hours() -> float:
    """The scenario's polling hours (08:00 to 19:00 in az-2024)."""
    hours = build_definition(2024).election.voting_hours
    opened = hours.opens.hour * 60 + hours.opens.minute
    return (hours.closes.hour * 60 + hours.closes.minute - opened) / 60


def national_peak_rate() -> float:
    """Single check-ins a second reaching the server in the national peak hour: the day's
    check-ins spread over the polling hours, times the peak hour's excess."""
    return DAY_CHECK_INS / (polling_hours() * 3600) * PEAK_OVER_AVERAGE


async def drive_open(
    url: str, path: str, requests: list[tuple[Any, dict[str, str]]], rate: float
) -> dict[str, Any]:
    """Requests sent as desks send them: arrivals at random (Poisson) at `rate` a second,
    each sent when it is due whether or not earlier ones were answered (open loop); a
    latency runs from when the request was due, so a request kept waiting for a free
    connection counts its wait."""
    rng = random.Random(14)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def send(body: Any, headers: dict[str, str], due: float) -> None:
            response = await client.post(path, json=body, headers=headers)
            latencies.append(time.monotonic() - due)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = due = time.monotonic()
        sending: list[asyncio.Task[None]] = []
        for body, headers in requests:
            due += rng.expovariate(rate)
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            sending.append(asyncio.create_task(send(body, headers, due)))
        await asyncio.gather(*sending)
        elapsed = time.monotonic() - started
    return {
        "elapsed": elapsed,
        "rate": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "statuses": statuses,
    }


def with_server_cpu(pid: int, driving: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """The figures of one driven run, with the server's CPU per request (its process and
    threads, from /proc: what the machine's load does not stretch as it stretches time)."""
    before = cpu_seconds(pid)
    figures = asyncio.run(driving)
    answered = sum(figures["statuses"].values())
    figures["cpu_ms"] = (cpu_seconds(pid) - before) / answered * 1000
    return figures


def postgresql_load(url: str, wanted: int) -> None:
    """The register loaded by tallyroom (COPY) and by a raw psycopg COPY of the same CSV rows
    into a table like the voter table (same columns and indexes), in the same run."""
    import psycopg

    base, _, name = url.rpartition("/")
    if not name.startswith("tallyroom_bench"):
        raise SystemExit("--postgresql: the database name must start with tallyroom_bench")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    definition = build_definition(2024)
    stations = [
        StationRegister(s.code, s.registered_voters, s.turning_18) for s in definition.stations
    ]
    running, limit = 0, 0
    while limit < len(stations) and running < wanted:
        running += stations[limit].registered_voters
        limit += 1
    generator = RegisterGenerator(
        stations, polling_day=definition.election.polling_day, limit_stations=limit
    )
    rows = [row for chunk in generator.chunks() for row in chunk]
    engine = make_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    migrate(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        define_election(session, definition=definition, digest="0" * 64, actor="bench")
    begun = time.monotonic()
    with transaction(sessions) as session:
        load_register(session, actor="bench", lines=iter(rows))
    ours = time.monotonic() - begun
    engine.dispose()
    with psycopg.connect(url) as connection:
        connection.execute("CREATE TABLE voter_raw (LIKE voter INCLUDING ALL)")
        station_of = dict(connection.execute("SELECT code, id FROM polling_station").fetchall())
        election = connection.execute("SELECT id FROM election").fetchone()
        assert election is not None
        columns = [
            "election_id", "voter_number", "surname", "given_name", "patronymic", "sex",
            "birth_date", "address", "station_id", "status", "chunk",
        ]  # fmt: skip
        begun = time.monotonic()
        with connection.cursor().copy(f"COPY voter_raw ({', '.join(columns)}) FROM STDIN") as copy:
            for number, row in enumerate(rows):
                copy.write_row(
                    (election[0], row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                     station_of[row[7]], "active", number // 5_000 + 1)
                )  # fmt: skip
        connection.commit()
        raw = time.monotonic() - begun
    print(
        f"register load on PostgreSQL ({url.rsplit('@', 1)[-1]}), {len(rows):,} voters "
        f"({limit:,} stations)"
    )
    print(f"  raw psycopg COPY (reference)   {raw:7.1f} s  {len(rows) / raw:9,.0f} rows/s")
    print(
        f"  tallyroom register load (COPY) {ours:7.1f} s  {len(rows) / ours:9,.0f} rows/s  "
        f"ratio {ours / raw:.2f} ×"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--voters", type=int, default=500_000, help="about this many (whole stations)"
    )
    parser.add_argument("--books", type=int, default=16, help="poll books sending batches")
    parser.add_argument("--singles", type=int, default=2_000, help="single online check-ins")
    parser.add_argument(
        "--single-rate",
        type=float,
        help="single check-ins a second, sent open-loop (default: the national peak hour, "
        f"{DAY_CHECK_INS:,} a day over the scenario's polling hours × {PEAK_OVER_AVERAGE:g})",
    )
    parser.add_argument(
        "--replay",
        type=int,
        metavar="CHECK_INS",
        help="only the in-process replay of a polling day's check-ins (the whole day: "
        "2200000), 5 %% of poll books offline for an hour, planted double votes",
    )
    parser.add_argument(
        "--postgresql",
        metavar="URL",
        help="only the register load on PostgreSQL (COPY) beside a raw psycopg COPY of the "
        "same rows; the database's name must start with tallyroom_bench (it is recreated)",
    )
    arguments = parser.parse_args()
    if arguments.postgresql:
        postgresql_load(arguments.postgresql, arguments.voters)
        return
    if arguments.replay:
        from poll_book_replay import replay

        replay(arguments.replay)
        return
    folder = Path(tempfile.mkdtemp(prefix="tallyroom-register-"))
    definition = build_definition(2024)
    stations = [
        StationRegister(s.code, s.registered_voters, s.turning_18) for s in definition.stations
    ]
    running, limit = 0, 0
    while limit < len(stations) and running < arguments.voters:
        running += stations[limit].registered_voters
        limit += 1
    generator = RegisterGenerator(
        stations, polling_day=definition.election.polling_day, limit_stations=limit
    )
    register = folder / "register.csv"
    with register.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(REGISTER_COLUMNS)
        for chunk in generator.chunks():
            writer.writerows(chunk)
    empty = folder / "empty.db"
    engine = make_engine(f"sqlite:///{empty}")
    migrate(engine)
    with transaction(session_factory(engine)) as session:
        define_election(session, definition=definition, digest="0" * 64, actor="bench")
    engine.dispose()
    ours_db = folder / "ours.db"
    # the raw side first and then ours, then again in the other order: the machine's speed
    # drifts, the ratio is of the sums
    ours_time = raw_time = 0.0
    peaks = {"ours": 0.0, "raw": 0.0}
    for order in (("raw", "ours"), ("ours", "raw")):
        for side in order:
            target = folder / f"{side}-run.db"
            shutil.copyfile(empty, target)
            elapsed, count, peak = in_process(
                load_raw if side == "raw" else load_with_tallyroom, str(target), register
            )
            assert count == generator.voters, (side, count)
            peaks[side] = max(peaks[side], peak)
            if side == "raw":
                raw_time += elapsed
            else:
                ours_time += elapsed
                shutil.copyfile(target, ours_db)
    voters = generator.voters
    print(
        f"register benchmark: {voters:,} voters ({limit:,} of {len(stations):,} stations), "
        "SQLite (WAL, synchronous=FULL), each side twice, alternating"
    )
    print(
        f"  raw sqlite3 executemany (reference)  {raw_time / 2:7.1f} s  "
        f"{2 * voters / raw_time:9,.0f} rows/s  peak {peaks['raw']:6.0f} MiB"
    )
    print(
        f"  tallyroom register load              {ours_time / 2:7.1f} s  "
        f"{2 * voters / ours_time:9,.0f} rows/s  peak {peaks['ours']:6.0f} MiB"
    )
    print(f"  ratio                                {ours_time / raw_time:7.2f} ×  (target ≤ 3 ×)")
    scale = FULL_REGISTER / voters
    print(
        f"  extrapolated to {FULL_REGISTER:,} voters: tallyroom {ours_time / 2 * scale:6.0f} s, "
        f"raw {raw_time / 2 * scale:6.0f} s (linear; memory does not grow with the rows)"
    )

    # --- the poll book through the API ---------------------------------------------------
    engine = make_engine(f"sqlite:///{ours_db}")
    with transaction(session_factory(engine)) as session:
        credentials = issue_credentials(session, actor="bench")
    engine.dispose()
    by_station: dict[str, list[str]] = {}
    for line in _lines(register):
        by_station.setdefault(line[7], []).append(line[0])
    codes = [s.code for s in stations[:limit]]
    books = codes[: arguments.books]
    batches: list[tuple[Any, dict[str, str]]] = []
    for code in books:
        token = credentials.stations[code][1]
        voters_here = by_station[code]
        for start in range(0, len(voters_here), 500):
            batches.append(
                (
                    {
                        "check_ins": [
                            {
                                "voter": voter,
                                "client_reference": f"{code}-{n}",
                                "identity_match": "yes",
                            }
                            for n, voter in enumerate(voters_here[start : start + 500], start)
                        ],
                        "offline": False,
                    },
                    {"Authorization": f"Bearer {token}"},
                )
            )
    checked_in = sum(len(body["check_ins"]) for body, _ in batches)
    # voters of the stations after the batched ones: the first half checked in closed-loop,
    # the second half open-loop (each voter's first check-in once)
    singles: list[tuple[Any, dict[str, str]]] = []
    for code in codes[arguments.books :]:
        token = credentials.stations[code][1]
        for n, voter in enumerate(by_station[code]):
            singles.append(
                (
                    {"voter": voter, "client_reference": f"s{n}"},
                    {"Authorization": f"Bearer {token}"},
                )
            )
            if len(singles) >= 2 * arguments.singles:
                break
        if len(singles) >= 2 * arguments.singles:
            break
    singles, opened = singles[: arguments.singles], singles[arguments.singles :]
    # the same voters again from another desk reference: each is refused, naming the station
    seconds = [
        ({**body, "client_reference": body["client_reference"] + "-again"}, headers)
        for body, headers in singles
    ]
    echo_port, port = free_port(), free_port()
    database_url = f"sqlite:///{ours_db}"
    echo = start_server("echo_app:create_echo_app", echo_port, database_url)
    server = start_server("tallyroom.api.app:create_app", port, database_url)
    try:
        echo_single = with_server_cpu(
            echo.pid, drive(f"http://127.0.0.1:{echo_port}", "/echo", singles, 16)
        )
        batched = with_server_cpu(
            server.pid,
            drive(
                f"http://127.0.0.1:{port}",
                "/api/v1/pollbook/check-ins/batch",
                batches,
                arguments.books,
            ),
        )
        single = with_server_cpu(
            server.pid, drive(f"http://127.0.0.1:{port}", "/api/v1/pollbook/check-ins", singles, 16)
        )
        refused = with_server_cpu(
            server.pid, drive(f"http://127.0.0.1:{port}", "/api/v1/pollbook/check-ins", seconds, 16)
        )
        # the same check-ins again as desks send them (open loop at the peak rate): first
        # check-ins of fresh references, then their duplicates, beside the echo driven alike
        rate = arguments.single_rate or national_peak_rate()
        again = [
            ({**body, "client_reference": body["client_reference"] + "-again"}, headers)
            for body, headers in opened
        ]
        echo_open = with_server_cpu(
            echo.pid, drive_open(f"http://127.0.0.1:{echo_port}", "/echo", opened, rate)
        )
        open_first = with_server_cpu(
            server.pid,
            drive_open(f"http://127.0.0.1:{port}", "/api/v1/pollbook/check-ins", opened, rate),
        )
        open_refused = with_server_cpu(
            server.pid,
            drive_open(f"http://127.0.0.1:{port}", "/api/v1/pollbook/check-ins", again, rate),
        )
    finally:
        for process in (echo, server):
            process.terminate()
            process.wait()
    print(
        f"poll book through the API (uvicorn, one worker, SQLite durable), register of {voters:,}"
    )
    print(
        f"  batched check-ins, {arguments.books} poll books × batches of ≤ 500  "
        f"{checked_in / batched['elapsed']:8,.0f} check-ins/s  "
        f"(batch p50 {batched['p50']:.0f} ms, p99 {batched['p99']:.0f} ms; server CPU "
        f"{batched['cpu_ms'] * len(batches) / checked_in:.2f} ms a check-in; "
        f"statuses {batched['statuses']})  (target ≥ 2,000/s)"
    )
    print(
        f"  reference: bare FastAPI JSON echo     {echo_single['rate']:8,.0f} req/s  "
        f"p50 {echo_single['p50']:5.1f} ms  p99 {echo_single['p99']:5.1f} ms  server CPU "
        f"{echo_single['cpu_ms']:.2f} ms a request (16 clients)"
    )
    print(
        f"  single online check-in                {single['rate']:8,.0f} /s     "
        f"p50 {single['p50']:5.1f} ms  p99 {single['p99']:5.1f} ms  "
        f"CPU {single['cpu_ms']:.2f} ms  statuses "
        f"{single['statuses']}  (closed loop: 16 clients back to back)"
    )
    print(
        f"  second check-in refused               {refused['rate']:8,.0f} /s     "
        f"p50 {refused['p50']:5.1f} ms  p99 {refused['p99']:5.1f} ms  "
        f"CPU {refused['cpu_ms']:.2f} ms  statuses "
        f"{refused['statuses']}"
    )
    print(
        f"  open loop, as desks send them: Poisson arrivals at {rate:,.1f}/s "
        + (
            "(--single-rate)"
            if arguments.single_rate
            else f"(the national peak hour: {DAY_CHECK_INS:,} check-ins over {polling_hours():g} "
            f"polling hours = {DAY_CHECK_INS / polling_hours() / 3600:,.1f}/s on average, "
            f"× {PEAK_OVER_AVERAGE:g} at the peak)"
        )
        + f", {len(opened):,} of each; latency from when each was due"
    )
    for label, figures, note in (
        ("reference: bare FastAPI JSON echo", echo_open, ""),
        ("single online check-in", open_first, "  (target p99 < 50 ms)"),
        ("second check-in refused", open_refused, "  (as fast)"),
    ):
        print(
            f"  {label:<37} {figures['rate']:8,.0f} /s     p50 {figures['p50']:5.1f} ms  "
            f"p99 {figures['p99']:5.1f} ms  CPU {figures['cpu_ms']:.2f} ms  "
            f"statuses {figures['statuses']}{note}"
        )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
