"""Group commit for single online check-ins: the check-ins that queue while one transaction
commits are recorded together in the next, so the desks of a busy hour share one durable
commit, one authentication query and one audit append instead of paying for each alone.

A desk is answered only after the transaction holding its check-in has committed. Each
check-in is still judged exactly as `poll_book.check_in` judges it, in arrival order (a
voter sent by two desks in one group: the second is refused, naming the first's station),
and one the group cannot take (a wrong contest, a database error) is taken again alone."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.group_commit import GroupCommit
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


class CheckInGathering(GroupCommit[_Waiting]):
    """One writer thread taking single check-ins off a queue in groups."""

    thread_name = "tallyroom-check-ins"
    noun = "check-ins"

    def __init__(
        self,
        writer: sessionmaker[Session],
        *,
        write_lock: threading.Lock | None,
        run_alone: RunAlone,
        mark_drilled: MarkDrilled,
    ) -> None:
        super().__init__(writer, write_lock=write_lock, log=log)
        self._run_alone = run_alone
        self._mark_drilled = mark_drilled

    def check_in(self, token: str, request: CheckInRequest) -> Future[CheckInOutcome]:
        """The check-in's outcome once committed (a refusal is an outcome, as
        `poll_book.check_in` gives it; an authentication or role error is the exception)."""
        answer: Future[CheckInOutcome] = Future()
        self._enqueue(_Waiting(token, request, answer))
        return answer

    def _together(self, group: list[_Waiting]) -> list[CheckInOutcome | ServiceError]:
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

    def _alone(self, waiting: _Waiting) -> None:
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
