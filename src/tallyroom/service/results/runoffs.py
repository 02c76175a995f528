"""Runoffs: the commission defines a two-round contest's second round from its certified
round 1 — the candidates the two-round rule qualified, the withdrawals declared (recorded,
audited) and who stands — as the round-2 contest "constituency-N/round-2". Refused while
round 1 is not certified, when round 1 elected someone, and when defined already."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.contest import constituency_of_contest
from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.candidate_selection import BirthDatesMissing
from tallyroom.domain.electoral_systems.drawn_lot import TieNeedsLot
from tallyroom.domain.runoff import RunoffRefused, runoff_contest_code, second_round_of
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import Conflict, InvalidInput, NotFound
from tallyroom.service.results.drawn_lots import contest_ties
from tallyroom.service.results.tally import bump_revision
from tallyroom.store.schema import (
    CandidateRow,
    CandidateTotalRow,
    ConstituencyRow,
    ContestRow,
    ElectionRow,
    PollingStationRow,
    RunoffCandidateRow,
    RunoffRow,
)

#: a reason is a sentence or a paragraph, not a document
MAXIMUM_REASON_CHARACTERS = 2_000
#: more withdrawals than any ballot has candidates is not a request
MAXIMUM_WITHDRAWALS = 100
STANDING = "standing"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class RunoffCandidate:
    code: str
    full_name: str
    round_one_votes: int
    status: str


@dataclass(frozen=True, slots=True)
class DefinedRunoff:
    """A round-2 contest as defined: its id, the round-1 contest, round 1's figures and the
    qualified candidates (most round-1 votes first), each standing or withdrawn."""

    code: str
    round_one_contest: str
    constituency: int
    registered_voters: int
    round_one_votes: dict[str, int]
    candidates: tuple[RunoffCandidate, ...]
    defined_at: datetime
    defined_by: str
    reason: str | None
    #: round 2's own polling day, None when the definition named none
    polling_date: date | None = None
    #: when round 2's standing certification was made; None while it is not certified
    certified_at: datetime | None = None

    @property
    def standing(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.candidates if c.status == STANDING)

    @property
    def withdrawn(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.candidates if c.status == WITHDRAWN)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contest": self.code,
            "round_one_contest": self.round_one_contest,
            "constituency": self.constituency,
            "registered_voters": self.registered_voters,
            "round_one_votes": dict(self.round_one_votes),
            "candidates": [
                {
                    "code": c.code,
                    "full_name": c.full_name,
                    "round_one_votes": c.round_one_votes,
                    "status": c.status,
                }
                for c in self.candidates
            ],
            "standing": list(self.standing),
            "withdrawn": list(self.withdrawn),
            "defined_at": _utc(self.defined_at).isoformat(timespec="seconds"),
            "reason": self.reason,
            "polling_date": None if self.polling_date is None else self.polling_date.isoformat(),
            "certified": self.certified_at is not None,
        }


def define_runoff(
    session: Session,
    *,
    principal: Principal,
    contest: str,
    withdrawals: Sequence[str] = (),
    reason: str | None = None,
    polling_date: date | None = None,
    now: datetime | None = None,
) -> DefinedRunoff:
    """Define round 2 of the two-round contest `contest` ("constituency-5") from its
    certified round 1, with these candidates withdrawn, polled on `polling_date` (after
    round 1's polling day; its hourly turnout is judged by that day's election clock)."""
    principal.require_commission()
    moment = now or datetime.now(UTC)
    reason = _optional_reason(reason)
    round_one_day = session.scalar(
        select(ElectionRow.polling_day).where(ElectionRow.id == principal.election_id)
    )
    if polling_date is not None and round_one_day is not None and polling_date <= round_one_day:
        raise InvalidInput(
            "polling_date_not_after_round_one",
            f"round 2 is polled after round 1's polling day ({round_one_day.isoformat()}), "
            f"not on {polling_date.isoformat()}",
        )
    if len(withdrawals) > MAXIMUM_WITHDRAWALS:
        raise InvalidInput("too_many_withdrawals", "more withdrawals than candidates")
    if len(set(withdrawals)) != len(withdrawals):
        raise InvalidInput("withdrawal_repeated", "a candidate is named twice")
    number = constituency_of_contest(contest)
    if number is None:
        raise NotFound("unknown_contest", f"there is no contest {contest!r}")
    found = session.execute(
        select(ContestRow, ConstituencyRow)
        .join(ConstituencyRow, ConstituencyRow.id == ContestRow.constituency_id)
        .where(
            ConstituencyRow.election_id == principal.election_id,
            ConstituencyRow.number == number,
        )
        # Locked: a certification withdrawn meanwhile waits for the definition, or it for it.
        .with_for_update(of=ContestRow)
    ).first()
    if found is None:
        raise NotFound("unknown_contest", f"there is no contest {contest!r}")
    contest_row, constituency = found[0], found[1]
    if contest_row.kind != ContestKind.TWO_ROUND_MAJORITY.value:
        raise Conflict(
            "not_two_round",
            f"contest {contest} is decided by {contest_row.kind}: it has no round 2",
        )
    if session.scalar(select(RunoffRow.id).where(RunoffRow.contest_id == contest_row.id)):
        raise Conflict("runoff_defined", f"round 2 of contest {contest} is defined already")
    if contest_row.certified_at is None:
        raise Conflict(
            "round_one_not_certified",
            f"round 1 of contest {contest} is not certified: round 2 is defined from the "
            "certified result",
        )
    candidates = {
        row.code: row
        for row in session.scalars(
            select(CandidateRow).where(CandidateRow.constituency_id == constituency.id)
        )
    }
    unknown = sorted(code for code in withdrawals if code not in candidates)
    if unknown:
        raise InvalidInput(
            "unknown_candidate",
            f"no candidate {', '.join(unknown)} stands in contest {contest}",
            candidates=unknown,
        )
    votes = _round_one_votes(session, constituency.id)
    registered = int(
        session.scalar(
            select(func.coalesce(func.sum(PollingStationRow.registered_voters), 0)).where(
                PollingStationRow.constituency_id == constituency.id
            )
        )
        or 0
    )
    try:
        second = second_round_of(
            votes,
            registered=registered,
            withdrawals=withdrawals,
            constituency=contest,
            ties=contest_ties(
                session,
                principal.election_id,
                {code: row.birth_date for code, row in candidates.items()},
            ),
        )
    except RunoffRefused as refusal:
        raise Conflict(refusal.code, str(refusal), **refusal.details) from None
    except TieNeedsLot as tie:
        raise Conflict(
            "tie_needs_lot",
            f"{tie}: the last place in round 2 is tied and must be drawn as the law provides "
            "(POST /api/v1/lots)",
            seat=tie.seat,
            between=list(tie.between),
        ) from None
    except BirthDatesMissing as missing:
        raise Conflict(
            "birth_dates_missing",
            f"{missing}: the tie rule cannot decide the last place in round 2",
            candidates=list(missing.candidates),
        ) from None
    runoff = RunoffRow(
        election_id=principal.election_id,
        contest_id=contest_row.id,
        code=runoff_contest_code(number),
        round_one=json.dumps(
            {"votes": votes, "registered_voters": registered}, sort_keys=True, ensure_ascii=False
        ),
        defined_at=moment,
        defined_by=principal.actor,
        reason=reason,
        polling_date=polling_date,
    )
    session.add(runoff)
    session.flush()
    rows = [
        RunoffCandidateRow(
            runoff_id=runoff.id,
            candidate_id=candidates[code].id,
            round_one_votes=votes[code],
            status=WITHDRAWN if code in second.withdrawn else STANDING,
        )
        for code in second.qualified
    ]
    session.add_all(rows)
    bump_revision(session, principal.election_id)
    audit_log.record(
        session,
        actor=principal.actor,
        action="runoff.defined",
        payload={
            "contest": runoff.code,
            "round_one_contest": contest,
            "qualified": list(second.qualified),
            "withdrawn": list(second.withdrawn),
            "standing": list(second.standing),
            "reason": reason,
            "polling_date": None if polling_date is None else polling_date.isoformat(),
        },
    )
    session.flush()
    row_ledger.record_rows(session, actor=principal.actor, table="runoff", keys=[[runoff.id]])
    row_ledger.record_rows(
        session, actor=principal.actor, table="runoff_candidate", keys=[[r.id] for r in rows]
    )
    return _defined(runoff, number, rows, candidates)


def defined_runoffs(session: Session, election_id: int) -> list[DefinedRunoff]:
    """Every round 2 defined in the election, by constituency number."""
    found = session.execute(
        select(RunoffRow, ConstituencyRow)
        .join(ContestRow, ContestRow.id == RunoffRow.contest_id)
        .join(ConstituencyRow, ConstituencyRow.id == ContestRow.constituency_id)
        .where(RunoffRow.election_id == election_id)
        .order_by(ConstituencyRow.number)
    ).all()
    if not found:
        return []
    rows_of: dict[int, list[RunoffCandidateRow]] = {}
    for row in session.scalars(
        select(RunoffCandidateRow)
        .where(RunoffCandidateRow.runoff_id.in_([runoff.id for runoff, _ in found]))
        .order_by(RunoffCandidateRow.id)
    ):
        rows_of.setdefault(row.runoff_id, []).append(row)
    candidates = {
        row.code: row
        for row in session.scalars(
            select(CandidateRow).where(CandidateRow.constituency_id.in_([c.id for _, c in found]))
        )
    }
    return [
        _defined(runoff, constituency.number, rows_of.get(runoff.id, []), candidates)
        for runoff, constituency in found
    ]


def runoff_of(session: Session, election_id: int, code: str) -> DefinedRunoff:
    """One defined round 2 by its contest id (or its round-1 contest's id)."""
    for runoff in defined_runoffs(session, election_id):
        if code in (runoff.code, runoff.round_one_contest):
            return runoff
    raise NotFound("unknown_runoff", f"no round 2 is defined for {code!r}")


def _round_one_votes(session: Session, constituency_id: int) -> dict[str, int]:
    return {
        code: int(votes)
        for code, votes in session.execute(
            select(CandidateRow.code, func.coalesce(CandidateTotalRow.votes, 0))
            .outerjoin(CandidateTotalRow, CandidateTotalRow.candidate_id == CandidateRow.id)
            .where(CandidateRow.constituency_id == constituency_id)
        )
    }


def _defined(
    runoff: RunoffRow,
    number: int,
    rows: Sequence[RunoffCandidateRow],
    candidates: dict[str, CandidateRow],
) -> DefinedRunoff:
    by_id = {row.id: row for row in candidates.values()}
    round_one = json.loads(runoff.round_one)
    listed = sorted(
        (
            RunoffCandidate(
                by_id[row.candidate_id].code,
                by_id[row.candidate_id].full_name,
                row.round_one_votes,
                row.status,
            )
            for row in rows
        ),
        key=lambda c: (-c.round_one_votes, c.code),
    )
    return DefinedRunoff(
        code=runoff.code,
        round_one_contest=runoff.code.split("/", 1)[0],
        constituency=number,
        registered_voters=int(round_one["registered_voters"]),
        round_one_votes={str(k): int(v) for k, v in round_one["votes"].items()},
        candidates=tuple(listed),
        defined_at=runoff.defined_at,
        defined_by=runoff.defined_by,
        reason=runoff.reason,
        polling_date=runoff.polling_date,
        certified_at=runoff.certified_at,
    )


def _optional_reason(reason: str | None) -> str | None:
    if reason is None or not reason.strip():
        return None
    if len(reason) > MAXIMUM_REASON_CHARACTERS:
        raise InvalidInput(
            "reason_too_long", f"a reason has at most {MAXIMUM_REASON_CHARACTERS} characters"
        )
    return reason.strip()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
