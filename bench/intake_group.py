"""The protocol intake's cost per group, in process and free of HTTP: statements and round
trips per group, the writer's CPU and (on PostgreSQL) its database backend's CPU per
protocol, for groups as the intake process commits them. CPU per protocol holds up on a
loaded machine better than a throughput ratio does.

    PYTHONPATH=src:. .venv/bin/python bench/intake_group.py --database-url postgresql://… \
        [--stations 1000] [--group 10 | --group 0 (sizes 1–16 at random)] [--statements]

The database is migrated and an election defined in it: give a fresh one.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).parent))

from ingest import signed_requests
from tallyroom.api.protocol_intake import ProtocolIntake
from tallyroom.store.database import make_engine, session_factory, with_driver

#: groups judged before measuring (statement caches, prepared statements)
WARM_GROUPS = 3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--group", type=int, default=10, help="0: sizes 1–16 at random")
    parser.add_argument("--statements", action="store_true", help="list them per group")
    arguments = parser.parse_args()
    url = with_driver(arguments.database_url)
    requests = signed_requests(arguments.stations, url)
    items = [
        (headers["Authorization"].split()[1], body["protocol"], body["signature"])
        for body, headers in requests
    ]
    engine = make_engine(url, writer=True)
    counts: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    backends: set[int] = set()
    measuring = False
    started = 0.0

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection: Any, _record: Any) -> None:
        if engine.dialect.name == "postgresql":
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backends.add(int(cursor.fetchone()[0]))

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_: Any) -> None:
        nonlocal started
        started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(
        _connection: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, many: bool
    ) -> None:
        if measuring:
            key = " ".join(statement.split())[:100] + (" [executemany]" if many else "")
            counts[key] += 1
            seconds[key] += time.perf_counter() - started

    intake = ProtocolIntake(session_factory(engine), write_lock=None, on_error=lambda _: None)
    chooser = random.Random(11)

    def sizes() -> int:
        return arguments.group or chooser.randint(1, 16)

    position = 0
    for _ in range(WARM_GROUPS):
        size = sizes()
        for future in intake.judge_now(items[position : position + size]):
            future.result()
        position += size
    measuring = True
    first = position
    groups = 0
    cpu, wall, database = time.process_time(), time.perf_counter(), _cpu_seconds(backends)
    while position < len(items):
        size = sizes()
        for future in intake.judge_now(items[position : position + size]):
            future.result()
        position += size
        groups += 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    database = _cpu_seconds(backends) - database
    measuring = False
    engine.dispose()
    protocols = len(items) - first
    print(
        f"{protocols} protocols in {groups} groups "
        f"({arguments.group or 'sizes 1–16 at random'}), {engine.dialect.name}, "
        f"load average {os.getloadavg()[0]:.1f}\n"
        f"  writer CPU {1000 * cpu / protocols:.3f} ms per protocol; database backend CPU "
        f"{1000 * database / protocols:.3f} ms; wall {1000 * wall / protocols:.3f} ms\n"
        f"  statements {sum(counts.values()) / groups:.1f} per group, waiting on them "
        f"{1000 * sum(seconds.values()) / protocols:.3f} ms per protocol"
    )
    if arguments.statements:
        for key, count in counts.most_common():
            print(f"  {count / groups:6.2f}/group {1000 * seconds[key] / protocols:7.3f} ms  {key}")


def _cpu_seconds(pids: set[int]) -> float:
    """CPU time of these processes (the database backends, when on this machine)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


if __name__ == "__main__":
    main()
