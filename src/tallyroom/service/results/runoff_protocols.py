"""Round 2 as its own polling day: stations submit signed protocols naming the round-2
contest ("constituency-5/round-2"), judged by the election's control rules against the
candidates standing in round 2; the newest accepted version of each station counts, and
the most votes among the standing candidates lead (won once every station is counted)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.canonical_json import canonical_json, sha256_hex
from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.contest_seats import NO_RULE, ContestTies, contest_seats
from tallyroom.domain.protocol_document import ProtocolDocument, parse_protocol_document
from tallyroom.domain.results import PendingTie
from tallyroom.domain.runoff import constituency_of_runoff
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import Conflict, InvalidInput, NotFound
from tallyroom.service.protocols.election_rules import election_rule_set
from tallyroom.service.protocols.protocols import (
    ProtocolStatus,
    SubmissionOutcome,
    flag_revoked_key,
    is_stored_already,
    judge_protocol,
    parse_submission,
    refuse_all_zero,
    refuse_strangers,
    require_election,
    require_scope,
    station_in_election,
    verify_station_signature,
)
from tallyroom.service.results.certified_contests import CONTEST_CERTIFIED
from tallyroom.service.results.drawn_lots import contest_ties
from tallyroom.service.results.runoff_turnout import runoff_turnout_by_hour
from tallyroom.service.results.runoffs import STANDING, DefinedRunoff, defined_runoffs
from tallyroom.service.results.tally import bump_revision
from tallyroom.store.schema import (
    CandidateRow,
    ConstituencyRow,
    ContestRow,
    ElectionRow,
    PollingStationRow,
    RunoffCandidateRow,
    RunoffProtocolRow,
    RunoffRow,
)

#: the audit action of a stored round-2 protocol
RUNOFF_SUBMITTED = "runoff_protocol.submitted"


def is_runoff_document(document: Any) -> bool:
    """Whether a submitted document names a round-2 contest (and goes to this module)."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("contest"), str)
        and constituency_of_runoff(document["contest"]) is not None
    )


def submit_runoff_protocol(
    session: Session,
    *,
    principal: Principal,
    document: Any,
    signature: Any,
    now: datetime | None = None,
) -> SubmissionOutcome:
    """Store a station's round-2 protocol: refused for a station outside the round-2
    contest's constituency, before round 2 is defined, and with votes for anyone not
    standing in it (a withdrawn candidate included)."""
    moment = now or datetime.now(UTC)
    parsed = parse_submission(document)
    election = session.get_one(ElectionRow, principal.election_id)
    require_election(parsed, election.code)
    station = station_in_election(session, election.id, parsed.station)
    require_scope(principal, station)
    runoff = _runoff_of_station(session, station, parsed)
    body = canonical_json(document)
    key_id, revoked = verify_station_signature(session, station, body, signature)
    standing = _standing(session, runoff.id)
    refuse_all_zero(parsed)
    refuse_strangers(parsed, standing)
    if parsed.figures.party_votes is not None:
        raise InvalidInput("no_list_contest", "round 2 has no party-list ballot")
    body_sha256 = sha256_hex(body)
    versions = session.scalars(
        select(RunoffProtocolRow)
        .where(RunoffProtocolRow.runoff_id == runoff.id, RunoffProtocolRow.station_id == station.id)
        .order_by(RunoffProtocolRow.version)
    ).all()
    if is_stored_already(
        station.code, parsed, body_sha256, [(row.version, row.body_sha256) for row in versions]
    ):
        return _outcome(station, versions[-1], already_stored=True)
    if runoff.certified_at is not None:
        raise Conflict(
            CONTEST_CERTIFIED,
            f"{runoff.code} is certified: nothing for station {station.code} is taken until "
            "the commission withdraws the certification",
            constituency=constituency_of_runoff(runoff.code),
            contest=runoff.code,
        )
    status, reasons = judge_protocol(
        parsed,
        standing=standing,
        registered_on_register=station.registered_voters,
        annulled=False,
        rule_set=election_rule_set(session, election.id),
    )
    if revoked:
        status, reasons = flag_revoked_key(status, reasons)
    row = RunoffProtocolRow(
        runoff_id=runoff.id,
        station_id=station.id,
        version=parsed.version,
        body=body.decode(),
        body_sha256=body_sha256,
        signature=str(signature),
        station_key_id=key_id,
        status=status.value,
        reasons=json.dumps(reasons, ensure_ascii=False),
        submitted_at=moment,
    )
    session.add(row)
    bump_revision(session, election.id)
    audit_log.record(
        session,
        actor=principal.actor,
        action=RUNOFF_SUBMITTED,
        payload={
            "contest": runoff.code,
            "station": station.code,
            "version": parsed.version,
            "body_sha256": body_sha256,
            "signature": str(signature),
            "status": status.value,
            "reasons": reasons,
        },
    )
    session.flush()
    row_ledger.record_rows(session, actor=principal.actor, table="runoff_protocol", keys=[[row.id]])
    return _outcome(station, row, already_stored=False)


@dataclass(frozen=True, slots=True)
class RoundTwoResult:
    """Round 2 as counted: the standing candidates' votes, most first; the leader (None
    while nothing is counted or the lead is tied); won once every station is counted."""

    contest: str
    stations_total: int
    stations_counted: int
    registered_voters: int
    ballots_cast: int
    invalid_ballots: int
    votes: tuple[tuple[str, int], ...]
    leader: str | None
    tied: tuple[str, ...]
    status: str | None
    #: a tie for the lead the election's rule leaves to a lot not yet drawn (and confirmed)
    pending: PendingTie | None = None
    #: round 2's certification stands
    certified: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "contest": self.contest,
            "stations_total": self.stations_total,
            "stations_counted": self.stations_counted,
            "registered_voters": self.registered_voters,
            "ballots_cast": self.ballots_cast,
            "invalid_ballots": self.invalid_ballots,
            "votes": dict(self.votes),
            "leader": self.leader,
            "tied": list(self.tied),
            "status": self.status,
            "certified": self.certified,
        } | (
            {}
            if self.pending is None
            else {
                "tie_pending": {
                    "seat": self.pending.seat,
                    "between": list(self.pending.between),
                    "reason": self.pending.reason,
                }
            }
        )


def round_two_results(session: Session, election_id: int) -> dict[str, RoundTwoResult]:
    """Every defined round 2 as counted, by its contest id."""
    runoffs = defined_runoffs(session, election_id)
    if not runoffs:
        return {}
    # (a Result has keys(): dict() would take it for a mapping)
    ids = dict(
        session.execute(
            select(RunoffRow.code, RunoffRow.id).where(RunoffRow.election_id == election_id)
        )
        .tuples()
        .all()
    )
    stations_of = _stations_by_constituency(session, election_id)
    counted: dict[int, dict[int, ProtocolDocument]] = {}
    newest: dict[tuple[int, int], RunoffProtocolRow] = {}
    for row in session.scalars(
        select(RunoffProtocolRow)
        .where(RunoffProtocolRow.runoff_id.in_(ids.values()))
        .order_by(RunoffProtocolRow.version)
    ):
        newest[(row.runoff_id, row.station_id)] = row
    for (runoff_id, station_id), row in newest.items():
        if row.status == ProtocolStatus.ACCEPTED.value:
            counted.setdefault(runoff_id, {})[station_id] = parse_protocol_document(
                json.loads(row.body)
            )
    birth_dates = dict(
        session.execute(
            select(CandidateRow.code, CandidateRow.birth_date).where(
                CandidateRow.election_id == election_id
            )
        )
        .tuples()
        .all()
    )
    ties = contest_ties(session, election_id, birth_dates)
    return {
        runoff.code: _result(
            runoff,
            stations_of.get(runoff.constituency, 0),
            counted.get(ids[runoff.code], {}),
            ties,
        )
        for runoff in runoffs
    }


def published_runoffs(session: Session, election_id: int) -> list[dict[str, Any]]:
    """Every round 2 as published: its definition with round 1's votes, its count and its
    turnout by reporting hour."""
    counted = round_two_results(session, election_id)
    turnout = runoff_turnout_by_hour(session, election_id)
    return [
        runoff.as_dict()
        | {"round_two": counted[runoff.code].as_dict(), "turnout": turnout.get(runoff.code, [])}
        for runoff in defined_runoffs(session, election_id)
    ]


def counted_runoff_protocols(session: Session, election_id: int) -> list[dict[str, Any]]:
    """The counted round-2 protocol of each station (its newest version, accepted) as the
    station signed it, for the snapshot: contest, station, version, protocol, signature."""
    newest: dict[tuple[str, str], tuple[RunoffProtocolRow, str]] = {}
    for row, contest, station in session.execute(
        select(RunoffProtocolRow, RunoffRow.code, PollingStationRow.code)
        .join(RunoffRow, RunoffRow.id == RunoffProtocolRow.runoff_id)
        .join(PollingStationRow, PollingStationRow.id == RunoffProtocolRow.station_id)
        .where(RunoffRow.election_id == election_id)
        .order_by(RunoffProtocolRow.version)
    ).tuples():
        newest[(contest, station)] = (row, contest)
    return [
        {
            "contest": contest,
            "station": station,
            "version": row.version,
            "protocol": json.loads(row.body),
            "signature": row.signature,
        }
        for (contest, station), (row, _) in sorted(newest.items())
        if row.status == ProtocolStatus.ACCEPTED.value
    ]


def published_runoff(
    session: Session, election_id: int, constituency: int
) -> dict[str, Any] | None:
    """One constituency's round 2 as published, None while none is defined."""
    return next(
        (r for r in published_runoffs(session, election_id) if r["constituency"] == constituency),
        None,
    )


def _result(
    runoff: DefinedRunoff,
    stations_total: int,
    documents: dict[int, ProtocolDocument],
    ties: ContestTies = NO_RULE,
) -> RoundTwoResult:
    votes = dict.fromkeys(runoff.standing, 0)
    for document in documents.values():
        for code, count in document.figures.votes.items():
            votes[code] = votes.get(code, 0) + count
    ranked = tuple(sorted(votes.items(), key=lambda item: (-item[1], item[0])))
    best = ranked[0][1] if ranked and documents else 0
    top = tuple(code for code, count in ranked if count == best) if best > 0 else ()
    # The most votes leads; a tie for the lead goes by the election's rule (the older
    # candidate, as France's L126) and the commission's lots, never by code order.
    seats = contest_seats(
        ContestKind.SINGLE_MEMBER_PLURALITY,
        dict(ranked) if best > 0 else {},
        seats=1,
        registered_voters=0,
        ties=ties,
        contest=runoff.code,
    )
    leader = seats.holders[0] if seats.holders else None
    complete = stations_total > 0 and len(documents) == stations_total
    certified = runoff.certified_at is not None
    status = None if leader is None else ("won" if complete or certified else "leading")
    return RoundTwoResult(
        contest=runoff.code,
        stations_total=stations_total,
        stations_counted=len(documents),
        registered_voters=sum(d.figures.registered_voters for d in documents.values()),
        ballots_cast=sum(d.figures.ballots_cast for d in documents.values()),
        invalid_ballots=sum(d.figures.invalid_ballots for d in documents.values()),
        votes=ranked,
        leader=leader,
        tied=top if len(top) > 1 else (),
        status=status,
        pending=seats.pending,
        certified=certified,
    )


def _stations_by_constituency(session: Session, election_id: int) -> dict[int, int]:
    return {
        int(number): int(count)
        for number, count in session.execute(
            select(ConstituencyRow.number, func.count(PollingStationRow.id))
            .join(PollingStationRow, PollingStationRow.constituency_id == ConstituencyRow.id)
            .where(ConstituencyRow.election_id == election_id)
            .group_by(ConstituencyRow.number)
        ).tuples()
    }


def _runoff_of_station(
    session: Session, station: PollingStationRow, parsed: ProtocolDocument
) -> RunoffRow:
    number = session.scalar(
        select(ConstituencyRow.number).where(ConstituencyRow.id == station.constituency_id)
    )
    contest = parsed.contest or ""
    if constituency_of_runoff(contest) != number:
        raise InvalidInput(
            "wrong_contest",
            f"station {station.code} votes in constituency {number}'s contests, not {contest!r}",
        )
    runoff = session.scalars(
        select(RunoffRow)
        .join(ContestRow, ContestRow.id == RunoffRow.contest_id)
        .where(ContestRow.constituency_id == station.constituency_id)
        # Read for share: a certification (which locks it for update) waits for this
        # protocol, or this protocol for the certification and is then refused.
        .with_for_update(read=True, of=RunoffRow)
    ).first()
    if runoff is None:
        raise NotFound("no_runoff", f"round 2 of constituency {number} is not defined")
    return runoff


def _standing(session: Session, runoff_id: int) -> set[str]:
    return set(
        session.scalars(
            select(CandidateRow.code)
            .join(RunoffCandidateRow, RunoffCandidateRow.candidate_id == CandidateRow.id)
            .where(RunoffCandidateRow.runoff_id == runoff_id, RunoffCandidateRow.status == STANDING)
        )
    )


def _outcome(
    station: PollingStationRow, row: RunoffProtocolRow, *, already_stored: bool
) -> SubmissionOutcome:
    return SubmissionOutcome(
        station=station.code,
        version=row.version,
        status=ProtocolStatus(row.status),
        reasons=json.loads(row.reasons),
        already_stored=already_stored,
    )
