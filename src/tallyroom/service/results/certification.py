"""Certifying results: the commission's signed act on a constituency's contest and, once
every contest is certified, on the nation's result. A certified contest is frozen (see
service/results/certified_contests.py) until the commission withdraws the certification with a
reason. Each certification is a document signed with the commission's key (the tree-head
key of service/audit/audit_tree.py, under its own document kind) and published."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from tallyroom.domain.certification_document import (
    CERTIFICATION_KIND,
    CONSTITUENCY_SCOPE,
    NATION_SCOPE,
    signed_certification,
)
from tallyroom.domain.results import ConstituencyResult
from tallyroom.domain.signature import public_key_hex
from tallyroom.service.audit import audit_log, audit_tree, row_ledger
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import Conflict, InvalidInput, NotFound
from tallyroom.service.protocols.annulments import annulled_stations
from tallyroom.service.protocols.protocols import recount_pending
from tallyroom.service.results.results import build_national_results, round_two_seats
from tallyroom.service.results.tally import bump_revision
from tallyroom.store.schema import (
    AuditHeadRow,
    CertificationRow,
    ConstituencyRow,
    ContestRow,
    ElectionRow,
    PollingStationRow,
    ProposedDecisionRow,
    ProtocolVersionRow,
    RunoffRow,
    StationResultRow,
)

#: stations named in a refusal; the rest are counted
NAMED_STATIONS = 20
#: a reason is a sentence or a paragraph, not a document
MAXIMUM_REASON_CHARACTERS = 2_000


@dataclass(frozen=True, slots=True)
class PublishedCertification:
    """A certification as published: the signed document, and its withdrawal if any."""

    id: int
    scope: str
    constituency: int | None
    document: dict[str, Any]
    public_key: str
    signature: str
    withdrawn_at: datetime | None
    withdrawal_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scope": self.scope,
            "constituency": self.constituency,
            "document": self.document,
            "public_key": self.public_key,
            "signature": self.signature,
            "withdrawn_at": None
            if self.withdrawn_at is None
            else _utc(self.withdrawn_at).isoformat(timespec="seconds"),
            "withdrawal_reason": self.withdrawal_reason,
        }


def certify_contest(
    session: Session,
    *,
    principal: Principal,
    constituency_number: int,
    signing_key: Ed25519PrivateKey | None,
    reason: str | None = None,
    now: datetime | None = None,
) -> PublishedCertification:
    """Certify a constituency's contest: refused while a station is neither counted nor
    annulled by decision, while a protocol waits (flagged, a proposed decision unconfirmed,
    a recount ordered), while the lead is tied, and without a reason when too close."""
    principal.require_commission()
    moment = now or datetime.now(UTC)
    reason = optional_reason(reason)
    key = commission_signing_key(session, signing_key)
    contest, constituency = _contest(session, principal.election_id, constituency_number)
    if contest.certified_at is not None:
        raise Conflict("already_certified", f"constituency {constituency_number} is certified")
    _refuse_unfinished(session, principal.election_id, constituency)
    result = next(
        c for c in build_national_results(session).constituencies if c.number == constituency_number
    )
    # A tie the election's rule decided (or a confirmed lot) certifies; one still holding a
    # seat or a round-2 place open does not.
    if result.pending_tie is not None:
        raise Conflict(
            "tie",
            f"the lead in constituency {constituency_number} is tied: "
            f"{', '.join(result.pending_tie.between)}; it must be resolved as the law provides "
            "(a drawn lot: POST /api/v1/lots)",
        )
    if not result.leaders:
        raise Conflict("no_result", f"constituency {constituency_number} has no counted votes")
    if result.too_close and reason is None:
        raise Conflict(
            "too_close_reason_required",
            f"constituency {constituency_number} is too close to call (margin "
            f"{result.margin_votes} votes): certify it with a reason",
        )
    election = session.get_one(ElectionRow, principal.election_id)
    document = _contest_document(
        election.code, result, principal.actor, moment, reason, certification_log_size(session)
    )
    row = store_certification(
        session, principal, document, key, moment=moment, reason=reason, contest_id=contest.id
    )
    contest.certified_at = moment
    audit_certification(
        session,
        principal,
        "contest.certified",
        {
            "constituency": constituency_number,
            "winner": document["winner"],
            "stations_reporting": result.stations_reporting,
            "stations_total": result.stations_total,
            "votes": document["votes"],
            "reason": reason,
            "signature": row.signature,
        },
        ("contest", contest.id),
        row,
    )
    return published_certification(row, constituency_number)


def withdraw_contest_certification(
    session: Session,
    *,
    principal: Principal,
    constituency_number: int,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Withdraw a constituency's certification: its protocols, amendments and decisions are
    taken again. Refused while the nation's result stands certified and while a round 2 is
    defined from it."""
    principal.require_commission()
    reason = required_reason(reason)
    contest, _ = _contest(session, principal.election_id, constituency_number)
    if contest.certified_at is None:
        raise Conflict("not_certified", f"constituency {constituency_number} is not certified")
    if _standing(session, principal.election_id, None) is not None:
        raise Conflict(
            "nation_certified",
            "the national result is certified: withdraw that certification first",
        )
    # Round 2 was defined from round 1's certified figures: taking round 1 again would leave
    # a round 2 standing on figures no longer certified.
    runoff_code = session.scalars(
        select(RunoffRow.code).where(RunoffRow.contest_id == contest.id).limit(1)
    ).first()
    if runoff_code is not None:
        raise Conflict(
            "runoff_defined",
            f"round 2 {runoff_code} is defined from constituency {constituency_number}'s "
            "certified round 1: its certification cannot be withdrawn",
            runoff=runoff_code,
        )
    row = _standing(session, principal.election_id, contest.id)
    contest.certified_at = None
    withdraw_certification(session, principal, row, reason, now)
    audit_certification(
        session,
        principal,
        "contest.certification_withdrawn",
        {"constituency": constituency_number, "reason": reason},
        ("contest", contest.id),
        row,
    )


def certify_nation(
    session: Session,
    *,
    principal: Principal,
    signing_key: Ed25519PrivateKey | None,
    now: datetime | None = None,
) -> PublishedCertification:
    """Certify the national result by its own act, once every contest is certified: only
    then are the results final."""
    principal.require_commission()
    moment = now or datetime.now(UTC)
    key = commission_signing_key(session, signing_key)
    if _standing(session, principal.election_id, None) is not None:
        raise Conflict("already_certified", "the national result is certified")
    uncertified = session.scalars(
        select(ConstituencyRow.number)
        .join(ContestRow, ContestRow.constituency_id == ConstituencyRow.id)
        .where(ContestRow.election_id == principal.election_id, ContestRow.certified_at.is_(None))
        .order_by(ConstituencyRow.number)
    ).all()
    if uncertified:
        raise Conflict(
            "constituencies_not_certified",
            f"{len(uncertified)} constituencies are not certified yet: "
            f"{', '.join(map(str, uncertified[:NAMED_STATIONS]))}",
            constituencies=list(uncertified),
        )
    rounds_two = dict(
        session.execute(
            select(RunoffRow.code, RunoffRow.certified_at)
            .where(RunoffRow.election_id == principal.election_id)
            .order_by(RunoffRow.code)
        )
        .tuples()
        .all()
    )
    uncertified_rounds = [code for code, certified in rounds_two.items() if certified is None]
    if uncertified_rounds:
        raise Conflict(
            "runoffs_not_certified",
            f"{len(uncertified_rounds)} rounds 2 are not certified yet: "
            f"{', '.join(uncertified_rounds[:NAMED_STATIONS])}",
            contests=uncertified_rounds,
        )
    election = session.get_one(ElectionRow, principal.election_id)
    results = build_national_results(session)
    # Seats a tie still holds open for the commission's lot (the national list's last seat, or
    # a leveling seat) leave the result unfinished, as a tied constituency does.
    for open_tie in (results.list_seats, results.leveling):
        if open_tie is not None and open_tie.lot_needed_for:
            raise Conflict(
                "tie",
                f"{open_tie.lot_needed_for} is tied: {', '.join(open_tie.lot_needed_between)}; "
                "it must be resolved as the law provides (a drawn lot: POST /api/v1/lots)",
            )
    # A two-round contest decided in round 2: its certified round 2's winner holds the seat.
    round_two_winners = round_two_seats(session, principal.election_id)
    contest_signatures = dict(
        session.execute(
            select(ConstituencyRow.number, CertificationRow.signature)
            .join(ContestRow, ContestRow.id == CertificationRow.contest_id)
            .join(ConstituencyRow, ConstituencyRow.id == ContestRow.constituency_id)
            .where(
                CertificationRow.election_id == principal.election_id,
                CertificationRow.withdrawn_at.is_(None),
                CertificationRow.runoff_id.is_(None),
            )
        )
        .tuples()
        .all()
    )
    document: dict[str, Any] = {
        "kind": CERTIFICATION_KIND,
        "scope": NATION_SCOPE,
        "election": election.code,
        "certified_at": _utc(moment).isoformat(timespec="seconds"),
        "certified_by": principal.actor,
        "seats_total": results.seats_total,
        "constituencies": [
            {
                "number": c.number,
                "winner": round_two_winners[c.number][0]
                if c.number in round_two_winners
                else c.leaders[0],
                "certification_signature": contest_signatures.get(c.number, ""),
            }
            for c in results.constituencies
        ],
        "seats": [
            {
                "party": group.party,
                "nomination": group.nomination.value,
                "seats": group.seats,
            }
            for group in results.seats
        ],
        "audit_log_size": certification_log_size(session),
    }
    row = store_certification(
        session, principal, document, key, moment=moment, reason=None, contest_id=None
    )
    audit_certification(
        session,
        principal,
        "nation.certified",
        {"election": election.code, "signature": row.signature},
        None,
        row,
    )
    return published_certification(row, None)


def withdraw_nation_certification(
    session: Session, *, principal: Principal, reason: str, now: datetime | None = None
) -> None:
    principal.require_commission()
    reason = required_reason(reason)
    row = _standing(session, principal.election_id, None)
    if row is None:
        raise Conflict("not_certified", "the national result is not certified")
    withdraw_certification(session, principal, row, reason, now)
    audit_certification(
        session,
        principal,
        "nation.certification_withdrawn",
        {"reason": reason},
        None,
        row,
    )


def nation_certified(session: Session, election_id: int) -> bool:
    """Whether the national result stands certified: the results are final."""
    return _standing(session, election_id, None) is not None


def published_certifications(
    session: Session, election_code: str | None = None
) -> list[PublishedCertification]:
    """Every certification of the election, withdrawn ones too, oldest first."""
    election = election_row(session, election_code)
    numbers = dict(
        session.execute(
            select(ContestRow.id, ConstituencyRow.number)
            .join(ConstituencyRow, ConstituencyRow.id == ContestRow.constituency_id)
            .where(ContestRow.election_id == election.id)
        )
        .tuples()
        .all()
    )
    return [
        published_certification(row, None if row.contest_id is None else numbers[row.contest_id])
        for row in session.scalars(
            select(CertificationRow)
            .where(CertificationRow.election_id == election.id)
            .order_by(CertificationRow.id)
        )
    ]


# --- what certification requires -------------------------------------------------------------


def _refuse_unfinished(session: Session, election_id: int, constituency: ConstituencyRow) -> None:
    stations = dict(
        session.execute(
            select(PollingStationRow.id, PollingStationRow.code).where(
                PollingStationRow.constituency_id == constituency.id
            )
        )
        .tuples()
        .all()
    )
    annulled = set(annulled_stations(session, election_id)) & set(stations)
    counted = set(
        session.scalars(
            select(StationResultRow.station_id).where(
                StationResultRow.constituency_id == constituency.id
            )
        )
    )
    missing = sorted(stations[s] for s in set(stations) - counted - annulled)
    if missing:
        raise Conflict(
            "stations_missing",
            f"{len(missing)} of {len(stations)} stations are neither counted nor annulled: "
            f"{stations_named(missing)}",
            stations=missing[:NAMED_STATIONS],
            missing=len(missing),
        )
    pending = sorted(
        stations[s] for s in _pending_stations(session, constituency.id) if s not in annulled
    )
    if pending:
        raise Conflict(
            "protocols_pending",
            "protocols wait for a decision or its confirmation: stations "
            f"{stations_named(pending)}",
            stations=pending[:NAMED_STATIONS],
        )
    recounting = sorted(
        stations[s] for s in set(stations) - annulled if recount_pending(session, s)
    )
    if recounting:
        raise Conflict(
            "recount_pending",
            f"recounts are ordered and not yet reported: stations {stations_named(recounting)}",
            stations=recounting[:NAMED_STATIONS],
        )


def _pending_stations(session: Session, constituency_id: int) -> set[int]:
    """Stations whose latest protocol is flagged, or with a decision awaiting confirmation
    (on their latest version, or on the station). A superseded flagged version blocks
    nothing: the version after it is what is decided."""
    latest = (
        select(ProtocolVersionRow.station_id, func.max(ProtocolVersionRow.version).label("version"))
        .join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
        .where(PollingStationRow.constituency_id == constituency_id)
        .group_by(ProtocolVersionRow.station_id)
        .subquery()
    )
    flagged = set(
        session.scalars(
            select(ProtocolVersionRow.station_id)
            .join(
                latest,
                (latest.c.station_id == ProtocolVersionRow.station_id)
                & (latest.c.version == ProtocolVersionRow.version),
            )
            .where(ProtocolVersionRow.status == "flagged")
        )
    )
    proposed = session.execute(
        select(ProposedDecisionRow.station_id, ProtocolVersionRow.version, latest.c.version)
        .join(PollingStationRow, PollingStationRow.id == ProposedDecisionRow.station_id)
        .outerjoin(
            ProtocolVersionRow, ProtocolVersionRow.id == ProposedDecisionRow.protocol_version_id
        )
        .outerjoin(latest, latest.c.station_id == ProposedDecisionRow.station_id)
        .where(
            PollingStationRow.constituency_id == constituency_id,
            ProposedDecisionRow.state == "pending",
        )
    ).tuples()
    return flagged | {
        station for station, version, newest in proposed if version is None or version == newest
    }


# --- the parts -------------------------------------------------------------------------------


def _contest(
    session: Session, election_id: int, constituency_number: int
) -> tuple[ContestRow, ConstituencyRow]:
    found = session.execute(
        select(ContestRow, ConstituencyRow)
        .join(ConstituencyRow, ConstituencyRow.id == ContestRow.constituency_id)
        .where(
            ConstituencyRow.election_id == election_id,
            ConstituencyRow.number == constituency_number,
        )
        # Locked: intake reads it (for share) before storing a protocol, so no protocol
        # slips in between the checks below and the certification.
        .with_for_update(of=ContestRow)
    ).first()
    if found is None:
        raise NotFound("unknown_constituency", f"there is no constituency {constituency_number}")
    contest, constituency = found[0], found[1]
    return contest, constituency


def _contest_document(
    election: str,
    result: ConstituencyResult,
    actor: str,
    moment: datetime,
    reason: str | None,
    log_size: int,
) -> dict[str, Any]:
    # The seat's holder: the one leader, or the tied candidate the tie rule or the lot chose;
    # null for a two-round contest whose round 1 tied and elected nobody.
    leader = result.leader
    winner = (
        leader.code
        if leader is not None
        else (result.seat_holders[0][0] if result.seat_holders else None)
    )
    return {
        "kind": CERTIFICATION_KIND,
        "scope": CONSTITUENCY_SCOPE,
        "election": election,
        "constituency": result.number,
        "constituency_name": result.name,
        "certified_at": _utc(moment).isoformat(timespec="seconds"),
        "certified_by": actor,
        "stations_total": result.stations_total,
        "stations_counted": result.stations_reporting,
        "stations_annulled": result.stations_annulled,
        "registered_voters": result.registered_voters_reporting,
        "ballots_cast": result.ballots_cast,
        "invalid_ballots": result.invalid_ballots,
        "valid_votes": result.valid_votes,
        "votes": {c.code: c.votes for c in result.candidates},
        "winner": winner,
        "margin_votes": result.margin_votes,
        "too_close": result.too_close,
        "reason": reason,
        "audit_log_size": log_size,
    }


def _standing(
    session: Session, election_id: int, contest_id: int | None
) -> CertificationRow | None:
    # A round 2's certification names its round-1 contest too: it is not round 1's.
    return standing_certification(
        session,
        election_id,
        CertificationRow.contest_id.is_(None)
        if contest_id is None
        else (CertificationRow.contest_id == contest_id) & CertificationRow.runoff_id.is_(None),
    )


# --- the steps every certification takes (round 1, round 2, the nation) ----------------------


def standing_certification(
    session: Session, election_id: int, which: ColumnElement[bool]
) -> CertificationRow | None:
    """The newest certification of the election matching `which` not withdrawn."""
    return session.scalars(
        select(CertificationRow)
        .where(
            CertificationRow.election_id == election_id,
            CertificationRow.withdrawn_at.is_(None),
            which,
        )
        .order_by(CertificationRow.id.desc())
        .limit(1)
    ).first()


def store_certification(
    session: Session,
    principal: Principal,
    document: dict[str, Any],
    key: Ed25519PrivateKey,
    *,
    moment: datetime,
    reason: str | None,
    contest_id: int | None,
    runoff_id: int | None = None,
) -> CertificationRow:
    """Sign `document` with the commission's key and store it; the results change revision.
    The caller freezes what it certifies and writes the audit entry."""
    public_key, signature = signed_certification(document, key)
    row = CertificationRow(
        election_id=principal.election_id,
        contest_id=contest_id,
        runoff_id=runoff_id,
        certified_at=moment,
        certified_by=principal.actor,
        reason=reason,
        document=json.dumps(document, ensure_ascii=False, sort_keys=True),
        public_key=public_key,
        signature=signature,
    )
    session.add(row)
    bump_revision(session, principal.election_id)
    return row


def withdraw_certification(
    session: Session,
    principal: Principal,
    row: CertificationRow | None,
    reason: str,
    now: datetime | None,
) -> None:
    """Mark `row` withdrawn (if there is one); the results change revision."""
    if row is not None:
        row.withdrawn_at = now or datetime.now(UTC)
        row.withdrawn_by = principal.actor
        row.withdrawal_reason = reason
    bump_revision(session, principal.election_id)


def audit_certification(
    session: Session,
    principal: Principal,
    action: str,
    payload: dict[str, Any],
    frozen: tuple[str, int] | None,
    row: CertificationRow | None,
) -> None:
    """The audit entry of a certification or withdrawal, then the row ledger's images of
    what was frozen or thawed (table, id) and of the certification."""
    audit_log.record(session, actor=principal.actor, action=action, payload=payload)
    session.flush()
    if frozen is not None:
        table, frozen_id = frozen
        row_ledger.record_rows(session, actor=principal.actor, table=table, keys=[[frozen_id]])
    if row is not None:
        row_ledger.record_rows(
            session, actor=principal.actor, table="certification", keys=[[row.id]]
        )


def commission_signing_key(
    session: Session, signing_key: Ed25519PrivateKey | None
) -> Ed25519PrivateKey:
    if signing_key is None:
        raise Conflict(
            "commission_key_missing",
            "a certification is signed with the commission's key: start the server with "
            "--tree-head-key (tallyroom audit keygen)",
        )
    if public_key_hex(signing_key) not in audit_tree.tree_head_keys(session):
        raise Conflict(
            "unknown_commission_key",
            "this is not a key the commission announced (tallyroom audit keygen)",
        )
    return signing_key


def certification_log_size(session: Session) -> int:
    return int(session.scalar(select(AuditHeadRow.sequence)) or 0)


def optional_reason(reason: str | None) -> str | None:
    if reason is None or not reason.strip():
        return None
    return required_reason(reason)


def required_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput("reason_required", "give a reason")
    if len(reason) > MAXIMUM_REASON_CHARACTERS:
        raise InvalidInput(
            "reason_too_long", f"a reason is at most {MAXIMUM_REASON_CHARACTERS} characters"
        )
    return reason.strip()


def stations_named(codes: list[str]) -> str:
    shown = ", ".join(codes[:NAMED_STATIONS])
    return (
        shown if len(codes) <= NAMED_STATIONS else f"{shown} and {len(codes) - NAMED_STATIONS} more"
    )


def published_certification(
    row: CertificationRow, constituency: int | None
) -> PublishedCertification:
    document = json.loads(row.document)
    return PublishedCertification(
        id=row.id,
        scope=str(document["scope"]),
        constituency=constituency,
        document=document,
        public_key=row.public_key,
        signature=row.signature,
        withdrawn_at=row.withdrawn_at,
        withdrawal_reason=row.withdrawal_reason,
    )


def _utc(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
