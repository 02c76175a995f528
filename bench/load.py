"""Definition loading benchmark (issue 2): the az-2024 scenario and a generated large definition.

    .venv/bin/python bench/load.py [--stations N] [--postgresql URL] [--skip-large]

Prints one table. Each load runs in a fresh child process (so peak memory is that load's own,
read with os.wait4), on a fresh database in a temporary folder:

- reference: the raw cost on this machine of parsing the scenario's CSV files with the csv
  module and executemany-ing the same rows into empty SQLite tables (WAL, synchronous=FULL,
  one transaction), so that the figures can be compared across machines;
- `tallyroom load` of az-2024 end to end (interpreter start, imports, validation, storing,
  commit), and its start-up alone (`tallyroom --help`);
- the phases of the same load in-process: validation (read_definition), storing
  (define_election), commit;
- the same on PostgreSQL when --postgresql names a database (it is dropped and created
  afresh: its name must start with "tallyroom_bench");
- the generated definition (default 1,000,000 stations, see bench/large_definition.py),
  on SQLite: time and peak memory. Run time is bounded: every child has a time limit.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: Targets of issue 2.
SCENARIO_TARGET_S = 10.0
LARGE_TARGET_S = 180.0
LARGE_MEMORY_TARGET_MIB = 2048.0
#: No child may run longer than this.
CHILD_TIME_LIMIT_S = 900


def child_load(folder: Path, url: str) -> None:
    """In a child process: load the folder as `tallyroom load` does, printing phase times."""
    started = time.perf_counter()
    from tallyroom.cli.definition_commands import definition_digest
    from tallyroom.definition.reader import read_definition
    from tallyroom.service.definition.election_setup import define_election
    from tallyroom.store.database import make_engine, migrate, session_factory, transaction

    imported = time.perf_counter()
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    migrated = time.perf_counter()
    definition = read_definition(folder)
    validated = time.perf_counter()
    with transaction(sessions) as session:
        define_election(
            session, definition=definition, digest=definition_digest(folder), actor="bench"
        )
        stored = time.perf_counter()
    committed = time.perf_counter()
    print(
        json.dumps(
            {
                "imports": imported - started,
                "migrate": migrated - imported,
                "validate": validated - migrated,
                "store": stored - validated,
                "commit": committed - stored,
                "stations": len(definition.stations),
                "observers": len(definition.observers),
            }
        )
    )


def run_measured(command: list[str], environment: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command: wall and CPU time, its own peak resident memory (os.wait4), output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            command, stdout=out, stderr=err, env={**os.environ, **(environment or {})}
        )
        deadline = started + CHILD_TIME_LIMIT_S
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                raise SystemExit(f"time limit of {CHILD_TIME_LIMIT_S} s reached: {command}")
            time.sleep(0.02)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(
                f"failed ({process.returncode}): {' '.join(command)}\n{err.read().decode()}"
            )
        return {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mib": usage.ru_maxrss / 1024,
            "stdout": out.read().decode(),
        }


def reference(folder: Path, database: Path) -> dict[str, float]:
    """Raw csv parsing and SQLite executemany of the folder's CSV files."""
    started = time.perf_counter()
    tables: dict[str, list[list[str]]] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            tables[path.stem] = list(csv.reader(handle))
    parsed = time.perf_counter()
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("BEGIN")
    for name, (header, *rows) in tables.items():
        connection.execute(f'CREATE TABLE "{name}" ({", ".join(f"c{i}" for i in header)})')
        placeholders = ", ".join("?" for _ in header)
        connection.executemany(f'INSERT INTO "{name}" VALUES ({placeholders})', rows)
    inserted = time.perf_counter()
    connection.execute("COMMIT")
    connection.close()
    committed = time.perf_counter()
    return {
        "rows": sum(len(rows) - 1 for rows in tables.values()),
        "parse": parsed - started,
        "insert": inserted - parsed,
        "commit": committed - inserted,
    }


def fresh_postgresql(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    if not name.startswith("tallyroom_bench"):
        raise SystemExit("--postgresql: the database name must start with tallyroom_bench")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=1_000_000)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--postgresql", metavar="URL", help="e.g. postgresql://.../tallyroom_bench")
    parser.add_argument("--child", nargs=2, metavar=("FOLDER", "URL"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child_load(Path(arguments.child[0]), arguments.child[1])
        return

    print(machine())
    python = sys.executable
    tallyroom = str(Path(python).with_name("tallyroom"))
    rows: list[tuple[str, str, str]] = []

    def phases(result: dict[str, Any]) -> str:
        figures = json.loads(result["stdout"].strip().splitlines()[-1])
        return (
            f"validate {figures['validate']:.1f} s, store {figures['store']:.1f} s, "
            f"commit {figures['commit']:.1f} s (imports {figures['imports']:.1f} s, "
            f"migrate {figures['migrate']:.1f} s)"
        )

    def verdict(value: float, target: float) -> str:
        return "met" if value < target else "MISSED"

    with tempfile.TemporaryDirectory(prefix="tallyroom-bench-") as scratch:
        work = Path(scratch)
        from tallyroom.definition.writer import write_definition
        from tallyroom.scenarios.az_2024 import build_definition

        scenario = work / "az-2024"
        write_definition(build_definition(2024), scenario)

        figures = reference(scenario, work / "reference.db")
        rows.append(
            (
                f"reference: csv-parse + SQLite executemany of the scenario's "
                f"{figures['rows']:,} CSV rows",
                "",
                f"{figures['parse'] + figures['insert'] + figures['commit']:.2f} s "
                f"(parse {figures['parse']:.2f}, insert {figures['insert']:.2f}, "
                f"commit {figures['commit']:.2f})",
            )
        )

        startup = run_measured([tallyroom, "--help"])
        rows.append(
            ("`tallyroom --help` (interpreter start + imports)", "", f"{startup['wall']:.1f} s")
        )

        sqlite_url = f"sqlite:///{work / 'cli.db'}"
        cli = run_measured(
            [tallyroom, "load", str(scenario)], {"TALLYROOM_DATABASE_URL": sqlite_url}
        )
        rows.append(
            (
                "az-2024: `tallyroom load`, SQLite, end to end",
                f"< {SCENARIO_TARGET_S:.0f} s",
                f"{cli['wall']:.1f} s (CPU {cli['cpu']:.1f} s, peak {cli['peak_mib']:.0f} MiB) "
                f"{verdict(cli['wall'], SCENARIO_TARGET_S)}",
            )
        )
        inner = run_measured(
            [python, __file__, "--child", str(scenario), f"sqlite:///{work / 'phases.db'}"]
        )
        rows.append(("az-2024, SQLite, phases", "", phases(inner)))

        if arguments.postgresql:
            fresh_postgresql(arguments.postgresql)
            postgresql = run_measured(
                [python, __file__, "--child", str(scenario), arguments.postgresql]
            )
            rows.append(
                (
                    "az-2024, PostgreSQL, in-process load",
                    "",
                    f"{postgresql['wall']:.1f} s: {phases(postgresql)}",
                )
            )

        if not arguments.skip_large:
            from large_definition import write_large_definition

            large = work / "large"
            started = time.perf_counter()
            write_large_definition(large, arguments.stations)
            written = time.perf_counter() - started
            sizes = {
                path.name: sum(1 for _ in path.open(encoding="utf-8")) - 1
                for path in large.glob("*.csv")
            }
            label = (
                f"{arguments.stations:,} stations ({sizes['observers.csv']:,} observers, "
                f"{sizes['candidates.csv']:,} candidates), SQLite"
            )
            result = run_measured(
                [python, __file__, "--child", str(large), f"sqlite:///{work / 'large.db'}"]
            )
            rows.append(
                (
                    f"{label}: load",
                    f"< {LARGE_TARGET_S:.0f} s",
                    f"{result['wall']:.1f} s {verdict(result['wall'], LARGE_TARGET_S)}: "
                    f"{phases(result)}",
                )
            )
            rows.append(
                (
                    f"{label}: peak memory",
                    f"< {LARGE_MEMORY_TARGET_MIB:.0f} MiB",
                    f"{result['peak_mib']:.0f} MiB "
                    f"{verdict(result['peak_mib'], LARGE_MEMORY_TARGET_MIB)}",
                )
            )
            rows.append((f"(writing the generated definition: {written:.1f} s)", "", ""))

    width = max(len(row[0]) for row in rows)
    target_width = max(len(row[1]) for row in rows)
    print(f"{'figure':<{width}}  {'target':<{target_width}}  measured")
    for figure, target, measured in rows:
        print(f"{figure:<{width}}  {target:<{target_width}}  {measured}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
