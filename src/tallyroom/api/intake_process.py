"""The protocol intake in a process of its own: parsing, verifying, judging and committing
protocols take no time from the process that answers readers, so a read never waits for the
writer's interpreter lock (bench/ingest.py and bench/site.py measure both).

The child runs the same group commit as in-process (`api/protocol_intake.py`); a station is
answered only after the commit that holds its protocol, exactly as there."""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from tallyroom.api.group_commit import gather_group
from tallyroom.api.protocol_intake import RefusedSubmission
from tallyroom.service.errors import ServiceError
from tallyroom.service.protocols.bulk_submission import Refusal
from tallyroom.service.protocols.protocols import SubmissionOutcome

log = logging.getLogger("tallyroom.api.intake")

#: how often each side looks whether the other is still there, in seconds
WATCH_INTERVAL = 0.5
#: how long a group waits for more protocols after its first, in seconds
GATHERING_SECONDS = 0.010
#: how long a stopping server waits for an idle child (one still starting may take seconds)
IDLE_STOP_SECONDS = 0.1

#: (ticket, token, protocol, signature); None asks the child to finish and stop
_Request = tuple[int, str | None, Any, Any] | None
#: (ticket, outcome) or (ticket, (status, code, message, details)) or (ticket, failure text)
_Answer = tuple[int, SubmissionOutcome | tuple[int, str, str, dict[str, Any]] | str]


class IntakeUnavailable(ServiceError):
    status = 503


class ProtocolIntakeProcess:
    """The in-process intake's interface (`submit`, `close`), served by a child process."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._pending: dict[int, Future[SubmissionOutcome]] = {}
        self._tickets = 0
        self._process: Any = None
        self._requests: Any = None
        self._answers: Any = None
        self._receiver: threading.Thread | None = None

    @property
    def process_id(self) -> int | None:
        process = self._process
        return int(process.pid) if process is not None and process.is_alive() else None

    def start(self) -> None:
        with self._lock:
            self._ensure_running_locked()

    def submit(self, token: str | None, document: Any, signature: Any) -> Future[SubmissionOutcome]:
        answer: Future[SubmissionOutcome] = Future()
        with self._lock:
            self._ensure_running_locked()
            self._tickets += 1
            ticket = self._tickets
            self._pending[ticket] = answer
            # A multiprocessing queue pickles and writes from a feeder thread: never blocks.
            self._requests.put((ticket, token, document, signature))
        return answer

    def close(self) -> None:
        """Let the child commit and answer what it holds, then stop it."""
        with self._lock:
            process, requests, receiver = self._process, self._requests, self._receiver
            self._process = None
        if process is None:
            return
        requests.put(None)
        with self._lock:
            holding = bool(self._pending)
        # Protocols in hand are committed and answered first; an idle child holds nothing,
        # so a Ctrl-C does not wait for one still importing its modules.
        process.join(timeout=60 if holding else IDLE_STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
        if receiver is not None and holding:
            # Answers to deliver; with none, the receiver (a daemon) ends on its own.
            receiver.join(timeout=5)

    def _ensure_running_locked(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        self._fail_pending("the protocol intake stopped; submit the protocol again")
        self._requests = self._context.Queue()
        self._answers = self._context.Queue()
        self._process = self._context.Process(
            target=_run_intake_and_exit,
            args=(self._database_url, self._requests, self._answers, os.getpid()),
            name="tallyroom-protocol-intake",
            daemon=True,
        )
        _start_ignoring_interrupts(self._process)
        self._receiver = threading.Thread(
            target=self._receive,
            args=(self._process, self._answers),
            name="tallyroom-intake-answers",
            daemon=True,
        )
        self._receiver.start()

    def _receive(self, process: Any, answers: Any) -> None:
        while True:
            try:
                ticket, answer = answers.get(timeout=WATCH_INTERVAL)
            except queue.Empty:
                if process.is_alive():
                    continue
                with self._lock:
                    if self._process is process:
                        self._fail_pending("the protocol intake stopped; submit again")
                return
            with self._lock:
                future = self._pending.pop(ticket, None)
            if future is not None:
                _settle(future, answer)

    def _fail_pending(self, message: str) -> None:
        pending, self._pending = self._pending, {}
        for future in pending.values():
            # Not acknowledged: the station resubmits, and a stored copy is idempotent.
            future.set_exception(IntakeUnavailable("intake_unavailable", message))


def _start_ignoring_interrupts(process: Any) -> None:
    """Start the child with Ctrl-C ignored (inherited through exec): the terminal sends
    SIGINT to the whole process group, and the parent, not the signal, stops the child."""
    if threading.current_thread() is not threading.main_thread():
        process.start()  # only the main thread may change a handler; run_intake ignores it
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process.start()
    finally:
        signal.signal(signal.SIGINT, previous)


def _settle(future: Future[SubmissionOutcome], answer: Any) -> None:
    if isinstance(answer, SubmissionOutcome):
        future.set_result(answer)
    elif isinstance(answer, tuple):
        status, code, message, details = answer
        future.set_exception(
            RefusedSubmission(
                Refusal(
                    index=0,
                    station=None,
                    code=code,
                    message=message,
                    http_status=status,
                    details=details,
                )
            )
        )
    else:
        future.set_exception(RuntimeError(f"the protocol intake failed: {answer}"))


def _taking_until(requests: Any, closes_at: float) -> Callable[[], _Request]:
    """Takes the next request, waiting no later than `closes_at` (queue.Empty after)."""

    def take() -> _Request:
        request: _Request = requests.get(timeout=max(0.0, closes_at - time.monotonic()))
        return request

    return take


def _run_intake_and_exit(database_url: str, requests: Any, answers: Any, parent: int) -> None:
    run_intake(database_url, requests, answers, parent)
    # Every answer is flushed and the database closed; tearing down an interpreter that has
    # loaded the whole application takes seconds a stopping server should not wait for.
    os._exit(0)


def run_intake(database_url: str, requests: Any, answers: Any, parent: int) -> None:
    """The child: the in-process group commit, fed from the parent's queue."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Imported here: the parent never needs the writer's machinery loaded twice.
    from tallyroom.api.protocol_intake import ProtocolIntake
    from tallyroom.api.runtime import database_conflict
    from tallyroom.store.database import make_engine, session_factory

    engine = make_engine(database_url, writer=True)
    intake = ProtocolIntake(session_factory(engine), write_lock=None, on_error=database_conflict)

    def answer(ticket: int, future: Future[SubmissionOutcome]) -> None:
        error = future.exception()
        settled: Any
        if error is None:
            settled = future.result()
        elif isinstance(error, ServiceError):
            settled = (error.status, error.code, error.message, dict(error.details))
        else:
            settled = f"{type(error).__name__}: {error}"
        answers.put((ticket, settled))

    try:
        while True:
            try:
                first: _Request = requests.get(timeout=WATCH_INTERVAL)
            except queue.Empty:
                # An orphan stops: its parent (the server) was killed.
                if os.getppid() != parent:
                    return
                continue
            if first is None:
                return
            # Everything that queued while the last group committed forms the next group,
            # gathered here rather than by a second thread, which would get the interpreter
            # lock only between the judging thread's slices and pass on groups of one or two.
            # A group stays open a few milliseconds: arriving one by one, each protocol
            # would pay a whole commit's fixed cost (2.3 ms of CPU), more than the wait
            # (bench/ingest.py: 4.9 → 1.9 ms of server CPU per protocol with 10 ms).
            closes_at = time.monotonic() + GATHERING_SECONDS
            group, closing = gather_group(first, _taking_until(requests, closes_at))
            settled = intake.judge_now(
                [(token, document, signature) for _, token, document, signature in group]
            )
            for (ticket, _, _, _), future in zip(group, settled, strict=True):
                answer(ticket, future)
            if closing:
                return
    finally:
        intake.close()
        engine.dispose()
        answers.close()
        answers.join_thread()
