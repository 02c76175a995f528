"""Group commit for protocols arriving over HTTP: the submissions that queue while one
transaction commits are judged together in the next, so a burst of stations shares one
durable commit and one set of queries instead of paying for them one by one.

A station is answered only after the transaction holding its protocol has committed: an
acknowledged protocol is durable. Each protocol is still judged exactly as
`submit_protocol` judges it, in arrival order (`protocols/bulk_submission.py`), and a refused
one gets its own error while the others are stored."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from tallyroom.service.definition.credentials import Principal, authenticate_many
from tallyroom.service.definition.election_structure import ElectionStructure
from tallyroom.service.errors import ServiceError
from tallyroom.service.protocols.bulk_submission import Refusal, submit_protocols
from tallyroom.service.protocols.election_rules import rule_set_for_judging
from tallyroom.service.protocols.protocols import SubmissionOutcome, submit_protocol
from tallyroom.store.database import transaction

log = logging.getLogger("tallyroom.api.intake")

#: at most this many protocols share one transaction
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


@dataclass(frozen=True, slots=True)
class _Submission:
    token: str | None
    document: Any
    signature: Any
    answer: Future[SubmissionOutcome]


class RefusedSubmission(ServiceError):
    """A protocol the group refused: the error `submit_protocol` would have raised."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code, refusal.message, **refusal.details)
        self.status = refusal.http_status


class ProtocolIntake:
    """One writer thread taking protocols off a queue in groups."""

    def __init__(
        self,
        writer: sessionmaker[Session],
        *,
        write_lock: threading.Lock | None,
        on_error: Callable[[BaseException], ServiceError | None],
    ) -> None:
        self._writer = writer
        self._write_lock = write_lock
        #: turns a database error of a lone submission into the error its caller gets
        self._on_error = on_error
        self._queue: queue.SimpleQueue[_Submission | None] = queue.SimpleQueue()
        self._structures: dict[int, ElectionStructure] = {}
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def submit(self, token: str | None, document: Any, signature: Any) -> Future[SubmissionOutcome]:
        answer: Future[SubmissionOutcome] = Future()
        self.start()
        self._queue.put(_Submission(token, document, signature, answer))
        return answer

    def judge_now(self, requests: Sequence[tuple[str | None, Any, Any]]) -> list[Future[Any]]:
        """Judge these (token, protocol, signature) together in the calling thread, one
        commit for all; each future is settled when this returns. For a caller that gathers
        its own groups (the intake process, api/intake_process.py)."""
        group = [
            _Submission(token, document, signature, Future())
            for token, document, signature in requests
        ]
        self._judge(group)
        return [submission.answer for submission in group]

    def close(self) -> None:
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
                    target=self._run, name="tallyroom-protocol-intake", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group, closing = gather_group(first, self._queue.get_nowait)
            self._judge(group)
            if closing:
                return

    def _judge(self, group: list[_Submission]) -> None:
        try:
            answers = self._judge_together(group)
        except Exception:
            log.info("a group of %d protocols failed together; judging each alone", len(group))
            for submission in group:
                self._judge_alone(submission)
            return
        # Only now, after the commit, is anyone told their protocol is stored.
        for submission, answer in zip(group, answers, strict=True):
            if isinstance(answer, BaseException):
                submission.answer.set_exception(answer)
            else:
                submission.answer.set_result(answer)

    def _lock(self) -> AbstractContextManager[Any]:
        return self._write_lock or nullcontext()

    def _judge_together(self, group: list[_Submission]) -> list[SubmissionOutcome | ServiceError]:
        answers: list[SubmissionOutcome | ServiceError] = []
        with self._lock(), transaction(self._writer) as session:
            callers = authenticate_many(session, [submission.token for submission in group])
            by_election: dict[int, list[tuple[int, Principal]]] = {}
            for index, caller in enumerate(callers):
                if isinstance(caller, Principal):
                    by_election.setdefault(caller.election_id, []).append((index, caller))
            # Every election's rules, held for share, before anything is stored: a rules
            # change takes its election's row first too, so neither waits on the other's
            # later locks (service/protocols/election_rules.py).
            rule_sets = {
                election_id: rule_set_for_judging(session, election_id)
                for election_id in sorted(by_election)
            }
            judged: dict[int, SubmissionOutcome | ServiceError] = {}
            for election_id, members in by_election.items():
                indexes = [index for index, _ in members]
                principals = [principal for _, principal in members]
                outcome = submit_protocols(
                    session,
                    principal=principals[0],
                    principals=principals,
                    envelopes=[(group[i].document, group[i].signature) for i in indexes],
                    structure=self._structure(session, election_id),
                    rule_set=rule_sets[election_id],
                )
                for index, result in zip(indexes, outcome.outcomes, strict=True):
                    judged[index] = (
                        RefusedSubmission(result) if isinstance(result, Refusal) else result
                    )
            for index, caller in enumerate(callers):
                answers.append(judged[index] if isinstance(caller, Principal) else caller)
        return answers

    def _judge_alone(self, submission: _Submission) -> None:
        try:
            with self._lock(), transaction(self._writer) as session:
                principal = authenticate_many(session, [submission.token])[0]
                if not isinstance(principal, Principal):
                    raise principal
                outcome = submit_protocol(
                    session,
                    principal=principal,
                    document=submission.document,
                    signature=submission.signature,
                )
        except ServiceError as error:
            submission.answer.set_exception(error)
        except Exception as error:
            submission.answer.set_exception(self._on_error(error) or error)
        else:
            submission.answer.set_result(outcome)

    def _structure(self, session: Session, election_id: int) -> ElectionStructure:
        # Candidates and contests do not change once polling day has begun.
        structure = self._structures.get(election_id)
        if structure is None:
            structure = ElectionStructure.load(session, election_id)
            self._structures[election_id] = structure
        return structure
