"""India-scale ingestion: a million polling stations, each with a signed protocol, submitted
through the service layer's bulk command; then the national results read at that scale.

    .venv/bin/python bench/scale.py [--stations N] [--database URL] [--workers W]

The election has India's shape by default (543 constituencies, 15 candidates in each, about
8,100 in all). Set-up (loading the definition, issuing a million Ed25519 keys) and the
stations' own signing are measured apart from submission, which is the figure with the
target (< 3 minutes for 1,000,000). In the same run, two references: the raw rate of
`executemany` of as many rows into an empty SQLite table, and the raw Ed25519 verify rate.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.candidate import Candidate, Nomination
from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.constituency import Constituency
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import Election, VotingHours
from tallyroom.domain.party import Party
from tallyroom.domain.polling_station import PollingStation, StationKind
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import document_of
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import (
    IssuedCredentials,
    Principal,
    Role,
    issue_credentials,
)
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.protocols.bulk_submission import ProcessPoolExaminer, submit_protocols
from tallyroom.service.results.results import ResultsCache, build_national_results
from tallyroom.store.database import make_engine, migrate, session_factory, transaction
from tallyroom.store.schema import ElectionRow, ProtocolVersionRow

ELECTION = "india-scale"
PARTIES = [Party(f"P{number:02d}", f"Party {number}", "#888888") for number in range(1, 41)]


def definition(stations: int, constituencies: int, candidates: int) -> ElectionDefinition:
    """A synthetic election of the given size, built in memory (no files)."""
    rng = random.Random(2024)
    election = Election(
        code=ELECTION,
        name=f"Synthetic general election, {stations:,} stations",
        country="IN",
        polling_day=date(2024, 6, 1),
        timezone="Asia/Kolkata",
        voting_hours=VotingHours(clock_time(7), clock_time(18)),
        turnout_report_times=(clock_time(9), clock_time(11), clock_time(13), clock_time(15)),
        seats=constituencies,
    )
    built = ElectionDefinition(election=election, parties=list(PARTIES))
    built.constituencies = [
        Constituency(number, f"Constituency {number}") for number in range(1, constituencies + 1)
    ]
    for number in range(1, constituencies + 1):
        parties = rng.sample(PARTIES, candidates)
        for index in range(1, candidates + 1):
            party = parties[index - 1].short_name if index < candidates else None
            built.candidates.append(
                Candidate(
                    code=f"C{number:03d}-{index:02d}",
                    constituency=number,
                    full_name=f"Candidate {index} of {number}",
                    nomination=Nomination.PARTY if party else Nomination.NON_PARTY,
                    party=party,
                )
            )
    built.stations = [
        PollingStation(
            code=f"{1 + index % constituencies:03d}-{index // constituencies + 1:05d}",
            constituency=1 + index % constituencies,
            name=f"Station {index + 1}",
            kind=StationKind.PERMANENT,
            registered_voters=rng.randint(300, 1500),
        )
        for index in range(stations)
    ]
    return built


def figures(rng: random.Random, registered: int, codes: Sequence[str]) -> ProtocolFigures:
    cast = rng.randint(registered // 2, registered)
    invalid = cast // 50
    shares = [rng.random() ** 2 for _ in codes]
    scale = (cast - invalid) / sum(shares)
    votes = {code: int(share * scale) for code, share in zip(codes, shares, strict=True)}
    votes[codes[0]] += cast - invalid - sum(votes.values())
    return ProtocolFigures(
        registered_voters=registered,
        voters_added=0,
        ballots_received=registered,
        ballots_issued_in_station=cast - 10 if cast > 10 else cast,
        ballots_issued_portable=10 if cast > 10 else 0,
        ballots_cast=cast,
        invalid_ballots=invalid,
        unused_ballots=registered - cast,
        votes=votes,
    )


def sign_many(work: Sequence[tuple[dict[str, Any], bytes]]) -> list[str]:
    """A station's software: load the key, sign the document (runs in worker processes)."""
    return [sign_document(document, load_private_key(pem)) for document, pem in work]


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def add_night_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a synthetic night, shared by bench/scale.py and bench/audit.py."""
    parser.add_argument("--stations", type=int, default=1_000_000)
    parser.add_argument("--constituencies", type=int, default=543)
    parser.add_argument("--candidates", type=int, default=15)
    parser.add_argument("--database", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--transaction", type=int, default=100_000, help="protocols per commit")


def open_store(database: str | None, prefix: str) -> tuple[Engine, sessionmaker[Session]]:
    """The given empty database, or a new SQLite file in a fresh temporary folder, migrated."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    engine = make_engine(database or f"sqlite:///{folder / 'night.db'}")
    migrate(engine)
    return engine, session_factory(engine)


def protocol_documents(built: ElectionDefinition) -> list[dict[str, Any]]:
    """One protocol per station (seeded); one in a hundred has an arithmetic slip, so it is
    flagged, not counted."""
    rng = random.Random(7)
    standing: dict[int, list[str]] = {}
    for candidate in built.candidates:
        standing.setdefault(candidate.constituency, []).append(candidate.code)
    documents: list[dict[str, Any]] = []
    for index, station in enumerate(built.stations):
        counted = figures(rng, station.registered_voters, standing[station.constituency])
        if index % 100 == 0:
            counted = replace(counted, ballots_cast=counted.ballots_cast + 1)
        documents.append(
            document_of(election=ELECTION, station=station.code, version=1, figures=counted)
        )
    return documents


def signed_envelopes(
    signers: ProcessPoolExecutor, documents: list[dict[str, Any]], issued: IssuedCredentials
) -> list[tuple[dict[str, Any], str]]:
    """Each document with its station's signature, signed in the worker processes."""
    work = [(document, issued.stations[document["station"]][2]) for document in documents]
    signatures = [
        signature for signed in signers.map(sign_many, chunks(work, 5_000)) for signature in signed
    ]
    return list(zip(documents, signatures, strict=True))


def commission(sessions: sessionmaker[Session]) -> Principal:
    """The commission, as the bulk command's principal."""
    with transaction(sessions) as session:
        election_id = session.scalars(select(ElectionRow.id)).one()
    return Principal(0, Role.COMMISSION, election_id, None, None, "commission")


def raw_executemany_rate(rows: int, body: str) -> float:
    """Rows/s of one executemany into an empty SQLite table, durable like the store."""
    with tempfile.TemporaryDirectory() as folder:
        connection = sqlite3.connect(Path(folder) / "raw.db", isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(
            "CREATE TABLE version (id INTEGER PRIMARY KEY, station_id INTEGER, version INTEGER,"
            " body TEXT, body_sha256 TEXT, signature TEXT, status TEXT, reasons TEXT)"
        )
        values = ((index, 1, body, "0" * 64, "1" * 128, "accepted", "[]") for index in range(rows))
        started = time.perf_counter()
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO version (station_id, version, body, body_sha256, signature, status,"
            " reasons) VALUES (?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        connection.execute("COMMIT")
        elapsed = time.perf_counter() - started
        connection.close()
    return rows / elapsed


def raw_verify_rate(count: int = 5_000) -> float:
    """Ed25519 verifications/s in one process (cryptography / OpenSSL)."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    message = b"x" * 500
    signature = key.sign(message)
    started = time.perf_counter()
    for _ in range(count):
        public.verify(signature, message)
    return count / (time.perf_counter() - started)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_night_arguments(parser)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--skip-audit", action="store_true", help="skip the final audit verify")
    arguments = parser.parse_args()
    n = arguments.stations
    constituencies = min(arguments.constituencies, n)
    print(f"load average at start: {os.getloadavg()}")

    # Workers first, before any database connection exists in this process.
    examiner = ProcessPoolExaminer(arguments.workers)
    signers = ProcessPoolExecutor(
        arguments.workers, mp_context=multiprocessing.get_context("forkserver")
    )
    engine, sessions = open_store(arguments.database, "tallyroom-scale-")

    started = time.perf_counter()
    built = definition(n, constituencies, arguments.candidates)
    print(f"definition built in memory: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with transaction(sessions) as session:
        define_election(session, definition=built, digest="0" * 64, actor="bench")
    print(f"definition loaded: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    with transaction(sessions) as session:
        issued = issue_credentials(session, actor="bench", election=ELECTION)
    keys_seconds = time.perf_counter() - started
    print(f"keys and tokens issued for {n:,} stations: {keys_seconds:.1f} s")

    documents = protocol_documents(built)
    started = time.perf_counter()
    envelopes = signed_envelopes(signers, documents, issued)
    signing_seconds = time.perf_counter() - started
    print(
        f"signed by the stations ({arguments.workers} processes): {signing_seconds:.1f} s, "
        f"{n / signing_seconds:,.0f} protocols/s"
    )
    signers.shutdown()

    load_before = os.getloadavg()
    started = time.perf_counter()
    counts: dict[str, int] = {}
    principal = commission(sessions)
    for start in range(0, n, arguments.transaction):
        with transaction(sessions) as session:
            outcome = submit_protocols(
                session,
                principal=principal,
                envelopes=envelopes[start : start + arguments.transaction],
                batch_size=arguments.batch,
                examiner=examiner,
            )
        for key, value in outcome.counts.items():
            counts[key] = counts.get(key, 0) + value
    submission_seconds = time.perf_counter() - started
    examiner.close()
    print(
        f"bulk submission of {n:,} protocols: {submission_seconds:.1f} s, "
        f"{n / submission_seconds:,.0f} protocols/s ({counts}); "
        f"load average before {load_before}, after {os.getloadavg()}"
    )
    with transaction(sessions) as session:
        stored = session.scalar(select(func.count(ProtocolVersionRow.id)))
    print(f"protocol versions stored: {stored:,}")

    timings: list[float] = []
    with transaction(sessions) as session:
        for _ in range(max(3, arguments.reads // 20)):
            began = time.perf_counter()
            national = build_national_results(session)
            timings.append(time.perf_counter() - began)
    print(
        f"build_national_results ({national.stations_reporting:,} of "
        f"{national.stations_total:,} stations, {len(national.constituencies)} constituencies):"
        f" p50 {statistics.median(timings) * 1000:.1f} ms,"
        f" p99 {percentile(timings, 0.99) * 1000:.1f} ms over {len(timings)} builds"
    )
    cache = ResultsCache(freshness=0.0)
    reads: list[float] = []
    for _ in range(arguments.reads):
        began = time.perf_counter()
        cache.national(sessions)
        reads.append(time.perf_counter() - began)
    print(
        f"national results read through ResultsCache (revision checked on every read): "
        f"p50 {statistics.median(reads) * 1000:.2f} ms, p99 {percentile(reads, 0.99) * 1000:.2f}"
        f" ms over {len(reads)} reads (the first builds)"
    )

    print(
        f"reference: raw executemany of {n:,} rows into an empty SQLite table: "
        f"{raw_executemany_rate(n, canonical_json(documents[0]).decode()):,.0f} rows/s"
    )
    print(f"reference: raw Ed25519 verify, one process: {raw_verify_rate():,.0f}/s")
    if not arguments.skip_audit:
        started = time.perf_counter()
        with transaction(sessions) as session:
            problems = audit_discrepancies(session)
        print(f"audit verify: {len(problems)} discrepancies, {time.perf_counter() - started:.1f} s")
    print(f"load average at end: {os.getloadavg()}")
    engine.dispose()


if __name__ == "__main__":
    main()
