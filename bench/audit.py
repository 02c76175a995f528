"""The audit log at scale: `audit verify` and the `--against` proof check on the night of
bench/scale.py (a million stations by default), and what logging costs per protocol.

    .venv/bin/python bench/audit.py [--stations N] [--database URL] [--workers W]

The night is built by bench/scale.py's own functions (definition, keys, signed protocols).
A tree head is signed and kept halfway through submission, another at the end; then
`audit verify` (chain, row images, replay, signatures, totals, signed heads) and
`audit verify --against` the kept head are timed, the latter split into building the Merkle
tree from the stored entries and the consistency proof itself (logarithmic: the figure with
the target, < 1 s). Logging cost: `record_many` of as many protocol entries into an empty
log, per entry, against a raw `executemany` of the same rows (the reference).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from scale import (
    ELECTION,
    add_night_arguments,
    commission,
    definition,
    open_store,
    protocol_documents,
    signed_envelopes,
)
from tallyroom.domain.tree_head import extension_problems
from tallyroom.service.audit import audit_log, audit_tree
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import issue_credentials
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.protocols.bulk_submission import ProcessPoolExaminer, submit_protocols
from tallyroom.store.database import make_engine, migrate, session_factory, transaction


def logging_cost(count: int) -> tuple[float, float]:
    """µs per entry of `record_many` into an empty log, and of a raw executemany of the same
    rows (no hashing, no canonical JSON) into an empty SQLite table."""
    payload = {
        "station": "001-00001",
        "version": 1,
        "body_sha256": "0" * 64,
        "signature": "1" * 128,
        "status": "accepted",
        "reasons": [],
        "amendment_reason": None,
        "submitted_at": "2024-06-01T18:00:00.000000+00:00",
    }
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'log.db'}")
        migrate(engine)
        sessions = session_factory(engine)
        commands = [
            ("bench", "protocol.submitted", dict(payload, station=f"{i:09d}")) for i in range(count)
        ]
        started = time.perf_counter()
        for start in range(0, count, 100_000):
            with transaction(sessions) as session:
                audit_log.record_many(session, commands[start : start + 100_000], returning=False)
        logged = (time.perf_counter() - started) / count * 1e6
        engine.dispose()
        connection = sqlite3.connect(Path(folder) / "raw.db", isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(
            "CREATE TABLE entry (sequence INTEGER PRIMARY KEY, recorded_at TEXT, actor TEXT,"
            " action TEXT, payload TEXT, previous_hash TEXT, entry_hash TEXT)"
        )
        text = str(payload)
        started = time.perf_counter()
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO entry VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (i, "2024-06-01", "bench", "protocol.submitted", text, "0" * 64, "1" * 64)
                for i in range(count)
            ),
        )
        connection.execute("COMMIT")
        raw = (time.perf_counter() - started) / count * 1e6
        connection.close()
    return logged, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_night_arguments(parser)
    parser.add_argument("--skip-logging-cost", action="store_true")
    arguments = parser.parse_args()
    n = arguments.stations
    print(f"load average at start: {os.getloadavg()}")
    examiner = ProcessPoolExaminer(arguments.workers)
    signers = ProcessPoolExecutor(
        arguments.workers, mp_context=multiprocessing.get_context("forkserver")
    )
    engine, sessions = open_store(arguments.database, "tallyroom-audit-")

    built = definition(n, min(arguments.constituencies, n), arguments.candidates)
    started = time.perf_counter()
    with transaction(sessions) as session:
        define_election(session, definition=built, digest="0" * 64, actor="bench")
        issued = issue_credentials(session, actor="bench", election=ELECTION)
        key = audit_tree.create_tree_head_key(session, actor="bench")
    print(
        f"definition loaded, keys issued (row images logged): {time.perf_counter() - started:.1f} s"
    )
    envelopes = signed_envelopes(signers, protocol_documents(built), issued)
    signers.shutdown()
    principal = commission(sessions)

    kept = None
    started = time.perf_counter()
    for start in range(0, n, arguments.transaction):
        with transaction(sessions) as session:
            submit_protocols(
                session,
                principal=principal,
                envelopes=envelopes[start : start + arguments.transaction],
                examiner=examiner,
            )
        if kept is None and start + arguments.transaction >= n // 2:
            with transaction(sessions) as session:
                kept = audit_tree.sign_tree_head(session, key)
    submission = time.perf_counter() - started
    examiner.close()
    with transaction(sessions) as session:
        latest = audit_tree.sign_tree_head(session, key) or audit_tree.latest_head(session)
        size, _ = audit_log.head(session)
    assert kept is not None
    assert latest is not None
    print(
        f"bulk submission of {n:,} protocols (heads signed halfway and at the end): "
        f"{submission:.1f} s, {submission / n * 1e6:.0f} µs per protocol; log of {size:,} entries"
    )

    started = time.perf_counter()
    with transaction(sessions) as session:
        problems = audit_discrepancies(session)
    print(f"audit verify: {len(problems)} discrepancies, {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    with transaction(sessions) as session:
        tree = audit_tree.log_tree(session)
        keys = audit_tree.tree_head_keys(session)
    built_seconds = time.perf_counter() - started
    started = time.perf_counter()
    against = extension_problems(tree, kept, announced_keys=keys)
    proof_seconds = time.perf_counter() - started
    print(
        f"audit verify --against the head of {kept.tree_size:,} entries: {against or 'extends'}; "
        f"Merkle tree of {tree.size:,} entries built from the store in {built_seconds:.1f} s, "
        f"consistency proof made and checked in {proof_seconds * 1000:.2f} ms"
    )
    logged, raw = logging_cost(n)
    print(
        f"logging cost: record_many {logged:.1f} µs per entry; reference raw executemany "
        f"{raw:.1f} µs per row"
    )
    print(f"load average at end: {os.getloadavg()}")
    engine.dispose()


if __name__ == "__main__":
    main()
