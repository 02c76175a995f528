"""Group commit for protocols arriving over HTTP: the submissions that queue while one
transaction commits are judged together in the next, so a burst of stations shares one
durable commit and one set of queries instead of paying for them one by one.

A station is answered only after the transaction holding its protocol has committed: an
acknowledged protocol is durable. Each protocol is still judged exactly as
`submit_protocol` judges it, in arrival order (`protocols/bulk_submission.py`), and a refused
one gets its own error while the others are stored."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.group_commit import GroupCommit
from tallyroom.service.definition.credentials import Principal, authenticate_many
from tallyroom.service.definition.election_structure import ElectionStructure
from tallyroom.service.errors import ServiceError
from tallyroom.service.protocols.bulk_submission import Refusal, submit_protocols
from tallyroom.service.protocols.election_rules import rule_set_for_judging
from tallyroom.service.protocols.protocols import SubmissionOutcome, submit_protocol
from tallyroom.store.database import transaction

log = logging.getLogger("tallyroom.api.intake")


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


class ProtocolIntake(GroupCommit[_Submission]):
    """One writer thread taking protocols off a queue in groups."""

    thread_name = "tallyroom-protocol-intake"
    noun = "protocols"

    def __init__(
        self,
        writer: sessionmaker[Session],
        *,
        write_lock: threading.Lock | None,
        on_error: Callable[[BaseException], ServiceError | None],
    ) -> None:
        super().__init__(writer, write_lock=write_lock, log=log)
        #: turns a database error of a lone submission into the error its caller gets
        self._on_error = on_error
        self._structures: dict[int, ElectionStructure] = {}

    def submit(self, token: str | None, document: Any, signature: Any) -> Future[SubmissionOutcome]:
        answer: Future[SubmissionOutcome] = Future()
        self._enqueue(_Submission(token, document, signature, answer))
        return answer

    def judge_now(self, requests: Sequence[tuple[str | None, Any, Any]]) -> list[Future[Any]]:
        """Judge these (token, protocol, signature) together in the calling thread, one
        commit for all; each future is settled when this returns. For a caller that gathers
        its own groups (the intake process, api/intake_process.py)."""
        group = [
            _Submission(token, document, signature, Future())
            for token, document, signature in requests
        ]
        self._settle(group)
        return [submission.answer for submission in group]

    def _together(self, group: list[_Submission]) -> list[SubmissionOutcome | ServiceError]:
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

    def _alone(self, submission: _Submission) -> None:
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
