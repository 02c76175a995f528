"""Group commit for single online check-ins: the check-ins that queue while one transaction
commits are recorded together in the next, so the desks of a busy hour share one durable
commit, one authentication query and one audit append instead of paying for each alone.

A desk is answered only after the transaction holding its check-in has committed. Each
check-in is still judged exactly as `poll_book.check_in` judges it, in arrival order (a
voter sent by two desks in one group: the second is refused, naming the first's station),
and one the group cannot take (a wrong contest, a database error) is taken again alone."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.protocol_intake import gather_group
from tallyroom.service.definition.credentials import Principal, authenticate_many
from tallyroom.service.errors import ServiceError
from tallyroom.service.register import poll_book
from tallyroom.service.register.poll_book import CheckInOutcome, CheckInRequest, DeskBatch
from tallyroom.store.database import transaction

log = logging.getLogger("tallyroom.api.check_ins")

#: what runs one command alone, authenticated, in its own transaction (Runtime.command)
RunAlone = Callable[[str, Callable[[Session, Principal], CheckInOutcome]], CheckInOutcome]
#: marks the elections of a group as drilled in its transaction (a drill clock's server);
#: gives what to run once the transaction has committed
MarkDrilled = Callable[[Session, list[int]], Callable[[], None]]


@dataclass(frozen=True, slots=True)
class _Waiting:
    token: str
    request: CheckInRequest
    answer: Future[CheckInOutcome]


class CheckInGathering:
    """One writer thread taking single check-ins off a queue in groups."""

    def __init__(
        self,
        writer: sessionmaker[Session],
        *,
        write_lock: threading.Lock | None,
        run_alone: RunAlone,
        mark_drilled: MarkDrilled,
    ) -> None:
        self._writer = writer
        self._write_lock = write_lock
        self._run_alone = run_alone
        self._mark_drilled = mark_drilled
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def check_in(self, token: str, request: CheckInRequest) -> Future[CheckInOutcome]:
        """The check-in's outcome once committed (a refusal is an outcome, as
        `poll_book.check_in` gives it; an authentication or role error is the exception)."""
        answer: Future[CheckInOutcome] = Future()
        self._start()
        self._queue.put(_Waiting(token, request, answer))
        return answer

    def close(self) -> None:
        """Answer the check-ins already queued, then stop the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tallyroom-check-ins", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group, closing = gather_group(first, self._queue.get_nowait)
            self._record(group)
            if closing:
                return

    def _record(self, group: list[_Waiting]) -> None:
        try:
            answers = self._record_together(group)
        except Exception:
            log.info("a group of %d check-ins failed together; taking each alone", len(group))
            for waiting in group:
                self._record_alone(waiting)
            return
        # Only now, after the commit, is any desk answered.
        for waiting, answer in zip(group, answers, strict=True):
            if isinstance(answer, BaseException):
                waiting.answer.set_exception(answer)
            else:
                waiting.answer.set_result(answer)

    def _lock(self) -> AbstractContextManager[Any]:
        return self._write_lock or nullcontext()

    def _record_together(self, group: list[_Waiting]) -> list[CheckInOutcome | ServiceError]:
        with self._lock(), transaction(self._writer) as session:
            callers = authenticate_many(session, [waiting.token for waiting in group])
            judged: list[Principal | ServiceError] = []
            batches: list[DeskBatch] = []
            for caller, waiting in zip(callers, group, strict=True):
                if isinstance(caller, Principal):
                    try:
                        poll_book.desk_station(caller)
                    except ServiceError as error:
                        judged.append(error)
                        continue
                    batches.append(DeskBatch(caller, [waiting.request], online=True))
                judged.append(caller)
            remember = self._mark_drilled(
                session, sorted({batch.principal.election_id for batch in batches})
            )
            outcomes = iter(poll_book.record_desk_batches(session, batches=batches))
            answers: list[CheckInOutcome | ServiceError] = [
                next(outcomes)[0] if isinstance(caller, Principal) else caller for caller in judged
            ]
        remember()
        return answers

    def _record_alone(self, waiting: _Waiting) -> None:
        try:
            outcome = self._run_alone(
                waiting.token,
                lambda session, principal: poll_book.check_in(
                    session, principal=principal, request=waiting.request
                ),
            )
        except BaseException as error:
            waiting.answer.set_exception(error)
        else:
            waiting.answer.set_result(outcome)
