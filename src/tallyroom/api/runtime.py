"""What a running server holds: writer and reader sessions and the results cache."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import InitVar, dataclass, field
from typing import Any, Protocol, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.check_in_gathering import CheckInGathering
from tallyroom.api.intake_process import ProtocolIntakeProcess
from tallyroom.api.protocol_intake import ProtocolIntake
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.domain.tree_head import SignedTreeHead
from tallyroom.service.audit import audit_tree
from tallyroom.service.audit.audit_tree import LogTreeCache
from tallyroom.service.definition import election_drill
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import Conflict, TooLarge
from tallyroom.service.people.console_sessions import ConsoleCredential, authenticate_caller
from tallyroom.service.protocols.protocols import SubmissionOutcome
from tallyroom.service.results.results import ResultsCache
from tallyroom.store.database import make_engine, migrate, session_factory, transaction
from tallyroom.web.page_cache import PageCache

Outcome = TypeVar("Outcome")
logger = logging.getLogger(__name__)
#: Protocols and reports are small; anything larger is a mistake or an attack.
MAXIMUM_BODY_BYTES = 64 * 1024


class Intake(Protocol):
    """Where submitted protocols go: a thread of this process or a process of its own."""

    def submit(
        self, token: str | None, document: Any, signature: Any
    ) -> Future[SubmissionOutcome]: ...

    def start(self) -> None: ...

    def close(self) -> None: ...


@dataclass
class Runtime:
    writer: sessionmaker[Session]
    reader: sessionmaker[Session]
    results: ResultsCache = field(default_factory=ResultsCache)
    #: response bodies rendered once per results revision and part
    rendered: PageCache = field(default_factory=PageCache)
    #: SQLite has one writer at a time; queueing writers here instead of in SQLite's busy
    #: handler (which sleeps and retries) keeps throughput and latency steady under load
    write_lock: threading.Lock | None = None
    #: the engines behind the sessions, disposed when the server stops
    engines: list[Engine] = field(default_factory=list)
    #: the time turnout reports are judged by; a served site names its own (`tallyroom serve`
    #: real time, `--drill`), the default is a drill standing at the close of voting (tests)
    clock: ElectionClock = field(default_factory=lambda: ElectionClock.drill(speed=0))
    #: set when the server begins to stop: open live-update streams end at once
    stopping: threading.Event = field(default_factory=threading.Event)
    #: the database URL when the intake runs in a process of its own (api/intake_process.py);
    #: None for a thread of this process
    intake_process_url: InitVar[str | None] = None
    #: protocols from many stations committed together (see api/protocol_intake.py)
    intake: Intake = field(init=False)
    #: single online check-ins from many desks committed together (api/check_in_gathering.py)
    check_ins: CheckInGathering = field(init=False)
    #: the commission's tree-head key: with it, the server signs the audit log's head every
    #: `head_interval` seconds while entries arrive (service/audit/audit_tree.py)
    tree_head_key: Ed25519PrivateKey | None = None
    head_interval: float = 60.0
    #: the audit log's Merkle tree, extended as entries arrive
    log_tree: LogTreeCache = field(default_factory=LogTreeCache)
    _head_signer: threading.Thread | None = field(default=None, init=False)
    #: elections known to be marked as drilled (a drill clock marks each it writes for)
    _drilled: set[int] = field(default_factory=set, init=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False)

    def __post_init__(self, intake_process_url: str | None) -> None:
        self.intake = (
            ProtocolIntakeProcess(intake_process_url)
            if intake_process_url
            else ProtocolIntake(self.writer, write_lock=self.write_lock, on_error=database_conflict)
        )
        self.check_ins = CheckInGathering(
            self.writer,
            write_lock=self.write_lock,
            run_alone=self.command,
            mark_drilled=self._mark_drilled_in,
        )

    @classmethod
    def for_database(
        cls,
        url: str,
        *,
        migrate_schema: bool = True,
        intake_process: bool = False,
        clock: ElectionClock | None = None,
    ) -> Runtime:
        """The runtime for a database. A served site takes protocols in a process of its own
        (`intake_process`), so its readers never wait for the writer; tests keep one process."""
        writer_engine = make_engine(url, writer=True)
        if migrate_schema:
            migrate(writer_engine)
        reader_engine = (
            make_engine(url, writer=False) if url.startswith("sqlite") else writer_engine
        )
        return cls(
            writer=session_factory(writer_engine),
            reader=session_factory(reader_engine),
            write_lock=threading.Lock() if url.startswith("sqlite") else None,
            engines=[writer_engine]
            if reader_engine is writer_engine
            else [writer_engine, reader_engine],
            intake_process_url=url if intake_process else None,
            clock=clock or ElectionClock.drill(speed=0),
        )

    def command(
        self,
        token: str | ConsoleCredential | None,
        action: Callable[[Session, Principal], Outcome],
    ) -> Outcome:
        """Run one command in one transaction, with the caller authenticated inside it: a
        machine token, or a person's console session (api/acting_person.py `caller_of`)."""
        try:
            with self.write_lock or nullcontext(), transaction(self.writer) as session:
                principal = authenticate_caller(session, token)
                remember = self._mark_drilled_in(session, [principal.election_id])
                outcome = action(session, principal)
            remember()
            return outcome
        except IntegrityError as error:
            raise database_conflict(error) or error from None

    def _mark_drilled_in(self, session: Session, election_ids: list[int]) -> Callable[[], None]:
        """On a drill clock, mark these elections as drilled in the caller's transaction;
        what remembers them once it has committed (a refused command rolls the mark back)."""
        wanted = [i for i in election_ids if i not in self._drilled] if self.clock.is_drill else []
        if not wanted:
            return lambda: None
        election_drill.mark_drilled(session, wanted, clock=self.clock.describe())
        return lambda: self._drilled.update(wanted)

    def unauthenticated_command(self, action: Callable[[Session], Outcome]) -> Outcome:
        """Run a command that proves its right itself (a device enrolling with its one-time
        code) in one transaction."""
        try:
            with self.write_lock or nullcontext(), transaction(self.writer) as session:
                return action(session)
        except IntegrityError as error:
            raise database_conflict(error) or error from None

    def start(self) -> None:
        if self.clock.is_drill:
            self._mark_drilled()
        self.intake.start()
        if self.tree_head_key is not None:
            self._head_signer = threading.Thread(
                target=self._sign_heads, name="tree-head signer", daemon=True
            )
            self._head_signer.start()

    def _mark_drilled(self) -> None:
        """A drill server marks every election it serves as drilled before it takes anything
        (elections loaded later are marked by their first command)."""
        with self.write_lock or nullcontext(), transaction(self.writer) as session:
            elections = election_drill.all_election_ids(session)
            election_drill.mark_drilled(session, elections, clock=self.clock.describe())
        self._drilled.update(elections)

    def sign_tree_head(self) -> SignedTreeHead | None:
        """Sign the log's head now, if entries arrived since the last signed one."""
        if self.tree_head_key is None:
            return None
        key = self.tree_head_key
        with self.write_lock or nullcontext(), transaction(self.writer) as session:
            return audit_tree.sign_tree_head(session, key, tree=self.log_tree.current(session))

    def _sign_heads(self) -> None:
        while not self._stopping.wait(self.head_interval):
            try:
                self.sign_tree_head()
            except Exception:  # a failed round is retried at the next tick
                logger.exception("signing the audit log's tree head failed")

    def close(self) -> None:
        """Answer the protocols already queued, then release every database connection."""
        self.intake.close()
        self.check_ins.close()
        self._stopping.set()
        if self._head_signer is not None:
            self._head_signer.join()
            # The head of the last minute's entries, before the server stops.
            try:
                self.sign_tree_head()
            except Exception:  # stopping regardless; the next start signs it
                logger.exception("signing the audit log's last tree head failed")
        for engine in self.engines:
            engine.dispose()

    def read(self, query: Callable[[Session], Outcome]) -> Outcome:
        with transaction(self.reader) as session:
            return query(session)

    def write(self, change: Callable[[Session], Outcome]) -> Outcome:
        """One transaction on the writer with no caller authenticated first (signing in)."""
        try:
            with self.write_lock or nullcontext(), transaction(self.writer) as session:
                return change(session)
        except IntegrityError as error:
            raise database_conflict(error) or error from None


def database_conflict(error: BaseException) -> Conflict | None:
    """The conflict a unique-constraint violation means: two writers at the same moment."""
    if not isinstance(error, IntegrityError):
        return None
    return Conflict(
        "concurrent_change",
        "another change to the same record was stored at the same moment; "
        "read the current state and try again",
    )


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def limited_body(request: Request, limit: int = MAXIMUM_BODY_BYTES) -> bytes:
    declared = request.headers.get("content-length")
    # str.isdigit accepts "²", which int() does not
    declared_digits = declared is not None and declared.isascii() and declared.isdigit()
    if declared_digits and int(str(declared)) > limit:
        raise TooLarge("body_too_large", f"the body is over {limit // 1024} KiB")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise TooLarge("body_too_large", f"the body is over {limit // 1024} KiB")
    return bytes(body)
