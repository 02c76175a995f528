"""What reading the rule set for share costs the bulk path (service/protocols/election_rules.py
`rule_set_for_judging`): the same signed protocols submitted with `submit_protocols` in groups
of the size the server commits, with the rules read locked in each group's transaction
("locked", as the code runs) and taken from a cache without any query ("cached", as the
server's intake did before). Each run on a fresh PostgreSQL schema; only submitting is timed.

    .venv/bin/python bench/rules_lock.py --database-url postgresql://postgres@127.0.0.1/DB \
        [--stations 2000] [--group 32] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))

from bench_election import bench_definition, bench_figures
from tallyroom.domain.protocol_document import document_of
from tallyroom.domain.rule_set import RuleSet
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.definition.credentials import Principal, Role, issue_credentials
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.definition.election_structure import ElectionStructure
from tallyroom.service.protocols import bulk_submission
from tallyroom.service.protocols.election_rules import election_rule_set, rule_set_for_judging
from tallyroom.store.database import make_engine, migrate, session_factory, transaction
from tallyroom.store.schema import ElectionRow

#: transactions that only read the rule set, plainly or for share, after each run
READS = 300
READ_TIMES: dict[str, list[float]] = {}


def run(base: str, stations: int, group: int, locked: bool) -> tuple[float, int]:
    schema = f"b_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(f"{base}?options=-csearch_path%3D{schema}")
    try:
        migrate(engine)
        sessions = session_factory(engine)
        definition = bench_definition(stations)
        with transaction(sessions) as session:
            define_election(session, definition=definition, digest="0" * 64, actor="bench")
        with transaction(sessions) as session:
            credentials = issue_credentials(session, actor="bench")
            election_id = session.scalars(select(ElectionRow.id)).one()
            structure = ElectionStructure.load(session, election_id)
            cached = election_rule_set(session, election_id)
        envelopes: list[tuple[Any, Any]] = []
        for index, station in enumerate(definition.stations):
            document = document_of(
                election="bench",
                station=station.code,
                version=1,
                figures=bench_figures(index, station.constituency),
            )
            key = load_private_key(credentials.stations[station.code][2])
            envelopes.append((document, sign_document(document, key)))
        principal = Principal(0, Role.COMMISSION, election_id, None, None, "bench")
        reader: Callable[[Session, int], RuleSet] = (
            rule_set_for_judging if locked else (lambda _session, _id: cached)
        )
        stored = 0
        started = time.perf_counter()
        for start in range(0, len(envelopes), group):
            with transaction(sessions) as session:
                outcome = bulk_submission.submit_protocols(
                    session,
                    principal=principal,
                    envelopes=envelopes[start : start + group],
                    structure=structure,
                    rule_set=reader(session, election_id),
                )
                stored += outcome.counts["accepted"] + outcome.counts["flagged"]
        elapsed = time.perf_counter() - started
        for name, read in (("plain", election_rule_set), ("for share", rule_set_for_judging)):
            begun = time.perf_counter()
            for _ in range(READS):
                with transaction(sessions) as session:
                    read(session, election_id)
            READ_TIMES.setdefault(name, []).append((time.perf_counter() - begun) / READS)
        return elapsed, stored
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--stations", type=int, default=2000)
    parser.add_argument("--group", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    base = "postgresql+psycopg://" + arguments.database_url.split("://", 1)[1]
    timings: dict[str, list[float]] = {"cached": [], "locked": []}
    for _ in range(arguments.rounds):
        for mode in ("cached", "locked"):
            elapsed, stored = run(base, arguments.stations, arguments.group, mode == "locked")
            assert stored == arguments.stations, stored
            timings[mode].append(elapsed)
            print(f"{mode}: {elapsed:.3f} s ({arguments.stations / elapsed:,.0f} protocols/s)")
    for mode, values in timings.items():
        best = min(values)
        print(
            f"{mode} best of {arguments.rounds}: {best:.3f} s, median "
            f"{statistics.median(values):.3f} s; {arguments.stations / best:,.0f} protocols/s "
            f"in groups of {arguments.group}"
        )
    cost = (min(timings["locked"]) - min(timings["cached"])) / (
        arguments.stations / arguments.group
    )
    print(f"locked read: {cost * 1000:+.3f} ms per group (best against best)")
    for name, values in READ_TIMES.items():
        print(f"a transaction reading the rules {name}: {min(values) * 1e6:.0f} µs (best)")


if __name__ == "__main__":
    main()
