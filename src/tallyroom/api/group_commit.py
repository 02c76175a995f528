"""Group commit: one writer thread gathers the requests that queue while one transaction
commits and records them together in the next, answering each only after that commit;
a group the transaction refuses as a whole is taken again one request at a time."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

#: at most this many requests share one transaction
MAXIMUM_GROUP = 256

Queued = TypeVar("Queued")


def gather_group(first: Queued, take: Callable[[], Queued | None]) -> tuple[list[Queued], bool]:
    """`first` and what `take` gives until it raises queue.Empty or the group is full; and
    whether `take` gave None (the queue's owner asks to stop after this group)."""
    group = [first]
    while len(group) < MAXIMUM_GROUP:
        try:
            following = take()
        except queue.Empty:
            return group, False
        if following is None:
            return group, True
        group.append(following)
    return group, False


class Awaited(Protocol):
    """A queued request: what its caller waits on."""

    @property
    def answer(self) -> Future[Any]: ...


Request = TypeVar("Request", bound=Awaited)


class GroupCommit(Generic[Request]):
    """One writer thread taking requests off a queue in groups. A subclass says how a group
    is recorded in one transaction (`_together`) and how one request is taken alone
    (`_alone`, settling its own answer)."""

    #: the writer thread's name
    thread_name = "tallyroom-group-commit"
    #: what a request is called in the log
    noun = "requests"

    def __init__(
        self,
        writer: sessionmaker[Session],
        *,
        write_lock: threading.Lock | None,
        log: logging.Logger,
    ) -> None:
        self._writer = writer
        self._write_lock = write_lock
        self._log = log
        self._queue: queue.SimpleQueue[Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def _enqueue(self, request: Request) -> None:
        self.start()
        self._queue.put(request)

    def close(self) -> None:
        """Answer the requests already queued, then stop the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def start(self) -> None:
        if self._thread is not None:
            return
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name=self.thread_name, daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group, closing = gather_group(first, self._queue.get_nowait)
            self._settle(group)
            if closing:
                return

    def _settle(self, group: list[Request]) -> None:
        try:
            answers = self._together(group)
        except Exception:
            self._log.info(
                "a group of %d %s failed together; taking each alone", len(group), self.noun
            )
            for request in group:
                self._alone(request)
            return
        # Only now, after the commit, is anyone answered.
        for request, answer in zip(group, answers, strict=True):
            if isinstance(answer, BaseException):
                request.answer.set_exception(answer)
            else:
                request.answer.set_result(answer)

    def _lock(self) -> AbstractContextManager[Any]:
        return self._write_lock or nullcontext()

    def _together(self, group: list[Request]) -> list[Any]:
        """Each request's outcome or ServiceError, in order, once the group's single
        transaction has committed; raises if the group as a whole failed."""
        raise NotImplementedError

    def _alone(self, request: Request) -> None:
        """Take `request` in a transaction of its own and settle its answer."""
        raise NotImplementedError
