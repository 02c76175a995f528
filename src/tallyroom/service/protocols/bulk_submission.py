"""Bulk protocol submission: many signed protocols in one command, under exactly the rules of
`submit_protocol` (protocols/protocols.py), but set-wise per batch so that a million stations
take minutes, not hours.

Per batch: one query for the stations and their current keys, one each for their stored
versions, annulments and counted results; canonical JSON and Ed25519 verification (the bulk
of the cost) handed to an `Examiner`, optionally a process pool, while the previous batch is
written; then executemany inserts of versions, station results and audit entries (the chain
computed in order, one head update). The running totals move by deltas summed over the
whole command, one update per constituency and candidate.
Protocols are judged in their order, as if submitted one by one: a later envelope of the
same station sees the versions stored by an earlier one. A refused protocol is reported in
the outcome and nothing of it is stored. A round-2 protocol (its contest
"constituency-N/round-2") goes to `results/runoff_protocols.py`, in its place in the order."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from tallyroom.domain.canonical_json import canonical_json, sha256_hex
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import (
    MalformedProtocol,
    ProtocolDocument,
    parse_protocol_document,
)
from tallyroom.domain.rule_set import RuleSet
from tallyroom.domain.signature import signature_is_valid
from tallyroom.service.audit import audit_log
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.definition.election_structure import ElectionStructure
from tallyroom.service.errors import ServiceError
from tallyroom.service.protocols.election_rules import rule_set_for_judging
from tallyroom.service.protocols.protocols import (
    SUBMITTED,
    ProtocolStatus,
    SubmissionOutcome,
    flag_revoked_key,
    is_stored_already,
    judge_protocol,
    parse_submission,
    refuse_all_zero,
    refuse_party_strangers,
    refuse_strangers,
    require_contest,
    require_election,
    require_named_list_contest,
    require_scope,
    require_signature,
    require_station_key,
    revoked_key_that_signed,
    signature_refusal,
    submission_payload,
    unknown_station,
)
from tallyroom.service.register.poll_book_figures import station_check_ins
from tallyroom.service.results.certified_contests import certified_constituencies, contest_certified
from tallyroom.service.results.runoff_protocols import is_runoff_document, submit_runoff_protocol
from tallyroom.service.results.tally import adjust_totals, bump_revision, figures_of
from tallyroom.store.schema import (
    PollingStationRow,
    ProtocolVersionRow,
    StationDecisionRow,
    StationKeyRow,
    StationResultRow,
)

#: A signed protocol as a station sends it: the document and the hex signature.
Envelope = tuple[Any, Any]
DEFAULT_BATCH = 2_000
#: batches handed to the examiner before the writer needs them: with one, verifying workers
#: sat idle while the writer wrote (its waits were 12 % of the run at 30,000 stations)
BATCHES_AHEAD = 3


@dataclass(frozen=True, slots=True)
class Refusal:
    """A protocol refused whole, with the error the one-by-one command would have raised."""

    index: int
    station: str | None
    code: str
    message: str
    #: the HTTP status the API answers with for this error
    http_status: int
    #: the error's details (the problems of a malformed protocol, say)
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, index: int, station: str | None, error: ServiceError) -> Refusal:
        return cls(index, station, error.code, error.message, error.status, error.details)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "station": self.station,
            "code": self.code,
            "message": self.message,
            "http_status": self.http_status,
            "details": self.details,
        }


@dataclass(slots=True)
class BulkOutcome:
    """One entry per envelope, in the order given: what was stored, or why it was refused."""

    outcomes: list[SubmissionOutcome | Refusal] = field(default_factory=list)
    #: counts by "accepted", "flagged", "received", "already_stored" and "refused"
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: SubmissionOutcome | Refusal) -> None:
        self.outcomes.append(outcome)
        if isinstance(outcome, Refusal):
            self.counts["refused"] += 1
        elif outcome.already_stored:
            self.counts["already_stored"] += 1
        else:
            self.counts[outcome.status.value] += 1

    @property
    def refusals(self) -> list[Refusal]:
        return [outcome for outcome in self.outcomes if isinstance(outcome, Refusal)]

    @property
    def stored(self) -> int:
        """New versions stored (accepted, flagged or received)."""
        return sum(self.counts[status.value] for status in ProtocolStatus)


# --- the CPU-bound part: parsing, canonical JSON, hashing, Ed25519 ---------------------------


@dataclass(frozen=True, slots=True)
class Examination:
    """What can be worked out of an envelope without the database. `parsed` is None when the
    document is malformed (the command then re-parses it to raise the exact error)."""

    parsed: ProtocolDocument | None
    body: bytes
    body_sha256: str
    #: whether the signature verifies with the key the station had when the batch was read
    signature_valid: bool

    def __reduce__(self) -> tuple[type[Examination], tuple[Any, ...]]:
        # Sent back from the workers (see ProtocolFigures.__reduce__).
        return (Examination, (self.parsed, self.body, self.body_sha256, self.signature_valid))


#: (document, signature, the station's current public key if the station and a key exist)
ExaminationRequest = tuple[Any, Any, str | None]


def examine(requests: Sequence[ExaminationRequest]) -> list[Examination]:
    """Parse, canonicalise, hash and verify each request (runs in worker processes too)."""
    examined: list[Examination] = []
    for document, signature, public_key in requests:
        try:
            parsed = parse_protocol_document(document)
        except MalformedProtocol:
            examined.append(Examination(None, b"", "", False))
            continue
        body = canonical_json(document)
        valid = (
            public_key is not None
            and isinstance(signature, str)
            and bool(signature)
            and signature_is_valid(body, signature, public_key)
        )
        examined.append(Examination(parsed, body, sha256_hex(body), valid))
    return examined


class Examiner(Protocol):
    def start(self, requests: list[ExaminationRequest]) -> Callable[[], list[Examination]]:
        """Begin examining; the returned call waits for and returns the examinations."""


class InProcessExaminer:
    """Examines in the calling process, when asked for the result."""

    def start(self, requests: list[ExaminationRequest]) -> Callable[[], list[Examination]]:
        return lambda: examine(requests)


def _yield_to_the_writer() -> None:
    # The one writing process is the command's critical path; with as many workers as cores
    # the scheduler would give it two thirds of a core. Lower-priority workers take what it
    # leaves (30,000 stations on 2 cores: 183 → see bench/RESULTS.md µs per protocol).
    os.nice(10)


class ProcessPoolExaminer:
    """Examines in worker processes, so verification overlaps the database writes of the
    previous batch and uses every core. Workers are started by a fork server: they never
    share the parent's database connections."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_yield_to_the_writer,
        )

    def start(self, requests: list[ExaminationRequest]) -> Callable[[], list[Examination]]:
        size = -(-len(requests) // self.workers) or 1
        futures: list[Future[list[Examination]]] = [
            self._pool.submit(examine, requests[start : start + size])
            for start in range(0, len(requests), size)
        ]
        return lambda: [examination for future in futures for examination in future.result()]

    def close(self) -> None:
        self._pool.shutdown()

    def __enter__(self) -> ProcessPoolExaminer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


# --- the command ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Station:
    """A station as the command needs it; also what the scope rule reads (StationScope)."""

    id: int
    code: str
    election_id: int
    constituency_id: int
    registered_voters: int
    key_id: int | None
    public_key: str | None
    #: round-1 check-ins where the station uses a poll book (the check-ins rule), else None
    check_ins: int | None


@dataclass(frozen=True, slots=True)
class _Version:
    version: int
    body_sha256: str
    status: str
    reasons: str
    rule_set_version: str | None = None


@dataclass(slots=True)
class _Deltas:
    """Changes to the running totals summed over the whole command: applied once at its end,
    in its transaction, so a constituency's row is updated once however many batches touch
    it (543 constituencies and 8,000 candidates would otherwise be updated every batch)."""

    constituencies: dict[int, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    )
    candidates: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def count(
        self, election: ElectionStructure, constituency_id: int, figures: ProtocolFigures, sign: int
    ) -> None:
        delta = self.constituencies[constituency_id]
        delta[0] += sign
        delta[1] += sign * figures.registered_voters
        delta[2] += sign * figures.voters_added
        delta[3] += sign * figures.ballots_cast
        delta[4] += sign * figures.invalid_ballots
        delta[5] += sign * (figures.blank_votes or 0)
        for code, votes in figures.votes.items():
            self.candidates[election.candidate_ids[(constituency_id, code)]] += sign * votes

    def apply(self, session: Session) -> None:
        adjust_totals(
            session,
            constituencies={
                key: (delta[0], delta[1], delta[2], delta[3], delta[4], delta[5])
                for key, delta in self.constituencies.items()
            },
            candidates=self.candidates,
        )


@dataclass(slots=True)
class _Batch:
    start: int
    envelopes: list[Envelope]
    stations: dict[str, _Station]
    examinations: Callable[[], list[Examination]]


def submit_protocols(
    session: Session,
    *,
    principal: Principal,
    envelopes: Iterable[Envelope],
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH,
    examiner: Examiner | None = None,
    principals: Sequence[Principal] | None = None,
    structure: ElectionStructure | None = None,
    rule_set: RuleSet | None = None,
) -> BulkOutcome:
    """Submit many signed protocols in the caller's transaction, each judged exactly as
    `submit_protocol` judges it, in the order given.

    `principals`, one per envelope, when the envelopes come from different callers of the
    same election (the server's group commit); otherwise `principal` submits them all.
    `structure` saves reading the election's fixed structure again. `rule_set`, when the
    caller has read it with `rule_set_for_judging` in this transaction already; otherwise it
    is read so here, before anything is stored (a rules change waits for this command, or
    this command for the change: service/protocols/election_rules.py)."""
    moment = now or datetime.now(UTC)
    election = structure or ElectionStructure.load(session, principal.election_id)
    rules = rule_set or rule_set_for_judging(session, election.id)
    callers = _Callers(principal, principals)
    examining = examiner or InProcessExaminer()
    outcome = BulkOutcome()
    deltas = _Deltas()
    # Batches examined ahead: their verification runs while the ones before are written.
    in_flight: deque[_Batch] = deque()
    start = 0
    for envelopes_of_batch in _batches(envelopes, batch_size):
        stations = _stations(session, election.id, envelopes_of_batch)
        requests = [
            (document, signature, _public_key(stations, document))
            for document, signature in envelopes_of_batch
        ]
        in_flight.append(_Batch(start, envelopes_of_batch, stations, examining.start(requests)))
        start += len(envelopes_of_batch)
        if len(in_flight) > BATCHES_AHEAD:
            _apply(session, callers, election, rules, in_flight.popleft(), moment, outcome, deltas)
    while in_flight:
        _apply(session, callers, election, rules, in_flight.popleft(), moment, outcome, deltas)
    deltas.apply(session)
    return outcome


@dataclass(frozen=True, slots=True)
class _Callers:
    principal: Principal
    principals: Sequence[Principal] | None

    def of(self, index: int) -> Principal:
        return self.principals[index] if self.principals is not None else self.principal


def _batches(envelopes: Iterable[Envelope], size: int) -> Iterator[list[Envelope]]:
    iterator = iter(envelopes)
    while batch := list(islice(iterator, size)):
        yield batch


def _station_code(document: Any) -> str | None:
    code = document.get("station") if isinstance(document, dict) else None
    return code if isinstance(code, str) else None


def _public_key(stations: dict[str, _Station], document: Any) -> str | None:
    station = stations.get(_station_code(document) or "")
    return station.public_key if station else None


#: Statements built once: building and cache-keying a statement costs more than running it
#: for the small groups the server commits (about 300 against 80 µs).
_STATIONS = (
    select(
        PollingStationRow.id,
        PollingStationRow.code,
        PollingStationRow.constituency_id,
        PollingStationRow.registered_voters,
        StationKeyRow.id,
        StationKeyRow.public_key,
        station_check_ins(),
    )
    .outerjoin(
        StationKeyRow,
        and_(
            StationKeyRow.station_id == PollingStationRow.id,
            StationKeyRow.revoked_at.is_(None),
        ),
    )
    .where(
        PollingStationRow.election_id == bindparam("election_id"),
        PollingStationRow.code.in_(bindparam("codes", expanding=True)),
    )
    .order_by(StationKeyRow.id)
)
_VERSIONS = (
    select(
        ProtocolVersionRow.station_id,
        ProtocolVersionRow.version,
        ProtocolVersionRow.body_sha256,
        ProtocolVersionRow.status,
        ProtocolVersionRow.reasons,
        ProtocolVersionRow.rule_set_version,
    )
    .where(ProtocolVersionRow.station_id.in_(bindparam("station_ids", expanding=True)))
    .order_by(ProtocolVersionRow.station_id, ProtocolVersionRow.version)
)
_DECISIONS = (
    select(StationDecisionRow.station_id, StationDecisionRow.kind)
    .where(
        StationDecisionRow.station_id.in_(bindparam("station_ids", expanding=True)),
        # a recount order never lifts an annulment
        StationDecisionRow.kind != "recount",
    )
    .order_by(StationDecisionRow.id)
)
_NEW_VERSIONS = insert(ProtocolVersionRow).returning(
    ProtocolVersionRow.id, ProtocolVersionRow.station_id, ProtocolVersionRow.version
)
_NEW_RESULTS = insert(StationResultRow)
_REPLACED_RESULTS = delete(StationResultRow).where(
    StationResultRow.station_id.in_(bindparam("station_ids", expanding=True))
)


def _stations(session: Session, election_id: int, envelopes: list[Envelope]) -> dict[str, _Station]:
    codes = {code for document, _ in envelopes if (code := _station_code(document))}
    stations: dict[str, _Station] = {}
    if not codes:
        return stations
    rows = session.connection().execute(
        _STATIONS, {"election_id": election_id, "codes": sorted(codes)}
    )
    for station_id, code, constituency, registered, key_id, public_key, check_ins in rows:
        # The first current key, as `current_station_key` takes it.
        if code not in stations:
            stations[code] = _Station(
                station_id,
                code,
                election_id,
                constituency,
                registered,
                key_id,
                public_key,
                check_ins,
            )
    return stations


def _versions(session: Session, station_ids: list[int]) -> dict[int, list[_Version]]:
    versions: dict[int, list[_Version]] = defaultdict(list)
    rows = session.connection().execute(_VERSIONS, {"station_ids": station_ids})
    for station_id, number, body_sha256, status, reasons, rule_set_version in rows.tuples():
        versions[station_id].append(
            _Version(number, body_sha256, status, reasons, rule_set_version)
        )
    return versions


def _annulled(session: Session, station_ids: list[int]) -> set[int]:
    last: dict[int, str] = {}
    rows = session.connection().execute(_DECISIONS, {"station_ids": station_ids})
    for station_id, kind in rows.tuples():
        last[station_id] = kind
    return {station_id for station_id, kind in last.items() if kind == "annulled"}


def _counted(session: Session, station_ids: list[int]) -> dict[int, ProtocolFigures]:
    """The figures each station counts now (for the deltas of an accepted amendment)."""
    return {
        station_id: figures_of(version)
        for station_id, version in session.execute(
            select(StationResultRow.station_id, ProtocolVersionRow)
            .join(ProtocolVersionRow, ProtocolVersionRow.id == StationResultRow.protocol_version_id)
            .where(StationResultRow.station_id.in_(station_ids))
        ).tuples()
    }


def _apply(
    session: Session,
    callers: _Callers,
    election: ElectionStructure,
    rule_set: RuleSet,
    batch: _Batch,
    moment: datetime,
    outcome: BulkOutcome,
    deltas: _Deltas,
) -> None:
    examinations = batch.examinations()
    station_ids = sorted({station.id for station in batch.stations.values()})
    versions = _versions(session, station_ids) if station_ids else {}
    #: only a station with a stored version can have a counted result to replace
    stored_before = {station_id for station_id, history in versions.items() if history}
    annulled = _annulled(session, station_ids) if station_ids else set()
    certified = certified_constituencies(
        session, {station.constituency_id for station in batch.stations.values()}
    )
    new_versions: list[dict[str, Any]] = []
    #: station → (index into new_versions, figures) of its last accepted new version
    counting: dict[int, tuple[int, ProtocolFigures, int]] = {}
    commands: list[tuple[str, str, dict[str, Any]]] = []
    for offset, ((document, signature), examination) in enumerate(
        zip(batch.envelopes, examinations, strict=True)
    ):
        station_code = _station_code(document)
        principal = callers.of(batch.start + offset)
        if is_runoff_document(document):
            # A round-2 protocol: its own contest, table and count, judged as one by one
            # (a round 2 is a few constituencies' stations, not the night's million).
            try:
                outcome.add(
                    submit_runoff_protocol(
                        session,
                        principal=principal,
                        document=document,
                        signature=signature,
                        now=moment,
                    )
                )
            except ServiceError as error:
                outcome.add(Refusal.of(batch.start + offset, station_code, error))
            continue
        try:
            parsed = examination.parsed or parse_submission(document)
            require_election(parsed, election.code)
            station = batch.stations.get(parsed.station)
            if station is None:
                raise unknown_station(parsed.station)
            require_scope(principal, station)
            require_contest(parsed, election.contest_codes[station.constituency_id])
            signed = require_signature(signature)
            key_id = station.key_id
            revoked = None
            if not examination.signature_valid:
                revoked = revoked_key_that_signed(session, station.id, examination.body, signed)
                if revoked is None:
                    require_station_key(station.code, station.key_id)
                    raise signature_refusal(station.code)
                key_id = revoked
            standing = election.standing[station.constituency_id]
            refuse_all_zero(parsed)
            refuse_strangers(parsed, standing)
            refuse_party_strangers(parsed, election.ballot_parties(station.constituency_id))
            require_named_list_contest(parsed, station.constituency_id in election.district_lists)
            history = versions.setdefault(station.id, [])
            if is_stored_already(
                station.code,
                parsed,
                examination.body_sha256,
                [(stored.version, stored.body_sha256) for stored in history],
            ):
                latest = history[-1]
                outcome.add(
                    SubmissionOutcome(
                        station=station.code,
                        version=latest.version,
                        status=ProtocolStatus(latest.status),
                        reasons=json.loads(latest.reasons),
                        already_stored=True,
                        rule_set_version=latest.rule_set_version,
                    )
                )
                continue
            # An idempotent repeat is answered above; anything new waits for a withdrawal.
            if station.constituency_id in certified:
                raise contest_certified(session, station.constituency_id, station.code)
            status, reasons = judge_protocol(
                parsed,
                standing=standing,
                registered_on_register=station.registered_voters,
                annulled=station.id in annulled,
                rule_set=rule_set,
                check_ins=station.check_ins,
                list_ballot=election.district_ballot(station.constituency_id),
            )
            if revoked is not None:
                status, reasons = flag_revoked_key(status, reasons)
        except ServiceError as error:
            outcome.add(Refusal.of(batch.start + offset, station_code, error))
            continue
        reasons_json = json.dumps(reasons, ensure_ascii=False)
        history.append(
            _Version(
                parsed.version,
                examination.body_sha256,
                status.value,
                reasons_json,
                rule_set.version,
            )
        )
        if status is ProtocolStatus.ACCEPTED:
            counting[station.id] = (len(new_versions), parsed.figures, station.constituency_id)
        new_versions.append(
            {
                "station_id": station.id,
                "contest_id": election.contest_ids[station.constituency_id],
                "version": parsed.version,
                "body": examination.body.decode(),
                "body_sha256": examination.body_sha256,
                "signature": signed,
                "station_key_id": key_id,
                "status": status.value,
                "reasons": reasons_json,
                "rule_set_version": rule_set.version,
                "amendment_reason": parsed.amendment_reason,
                "submitted_at": moment,
            }
        )
        commands.append(
            (
                principal.actor,
                SUBMITTED,
                submission_payload(
                    station.code, parsed, examination.body_sha256, signed, status, reasons, moment
                ),
            )
        )
        outcome.add(
            SubmissionOutcome(
                station=station.code,
                version=parsed.version,
                status=status,
                reasons=reasons,
                already_stored=False,
                rule_set_version=rule_set.version,
            )
        )
    if new_versions:
        _store(session, election, new_versions, counting, deltas, stored_before)
        audit_log.record_many(session, commands, returning=False)


def _store(
    session: Session,
    election: ElectionStructure,
    new_versions: list[dict[str, Any]],
    counting: dict[int, tuple[int, ProtocolFigures, int]],
    deltas: _Deltas,
    stored_before: set[int],
) -> None:
    connection = session.connection()
    # RETURNING without sort_by_parameter_order: the rows come back in batches of many
    # (one statement per batch instead of one per row), matched by (station, version).
    returned = {
        (station_id, version): version_id
        for version_id, station_id, version in connection.execute(
            _NEW_VERSIONS, new_versions
        ).tuples()
    }
    version_ids = [returned[(row["station_id"], row["version"])] for row in new_versions]
    if counting:
        # Counting a station replaces what it counted before: take the old figures out.
        maybe_counted = sorted(stored_before.intersection(counting))
        replaced = _counted(session, maybe_counted) if maybe_counted else {}
        results: list[dict[str, Any]] = []
        for station_id, (index, figures, constituency_id) in counting.items():
            deltas.count(election, constituency_id, figures, 1)
            if station_id in replaced:
                deltas.count(election, constituency_id, replaced[station_id], -1)
            results.append(
                {
                    "station_id": station_id,
                    "protocol_version_id": version_ids[index],
                    "constituency_id": constituency_id,
                    "registered_voters": figures.registered_voters,
                    "voters_added": figures.voters_added,
                    "ballots_cast": figures.ballots_cast,
                    "invalid_ballots": figures.invalid_ballots,
                    "blank_votes": figures.blank_votes,
                }
            )
        if replaced:
            connection.execute(_REPLACED_RESULTS, {"station_ids": sorted(replaced)})
        connection.execute(_NEW_RESULTS, results)
    bump_revision(session, election.id, changed_stations=counting.keys())
