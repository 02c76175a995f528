"""Protocol submission and the commission's decisions on protocols and stations.

Every submission is a new version, never an overwrite: the same document again is
idempotent, a different one is an amendment and needs a reason. Control-check failures flag
a protocol for the commission; malformed, unsigned or out-of-scope ones are refused whole."""

from __future__ import annotations

import enum
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.candidate import CandidateStatus
from tallyroom.domain.canonical_json import canonical_json, sha256_hex
from tallyroom.domain.contest import contest_code
from tallyroom.domain.control_checks import control_check_failures
from tallyroom.domain.protocol_document import (
    MalformedProtocol,
    ProtocolDocument,
    parse_protocol_document,
)
from tallyroom.domain.rule_set import REFERENCE_RULE_SET, RuleAction, RuleSet
from tallyroom.domain.signature import signature_is_valid
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import (
    Principal,
    Role,
    StationScope,
    current_station_key,
)
from tallyroom.service.definition.election_structure import (
    district_list_ballots,
    list_parties,
)
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound
from tallyroom.service.protocols.election_rules import rule_set_for_judging
from tallyroom.service.register.poll_book_figures import check_ins_by_station
from tallyroom.service.results.certified_contests import refuse_if_certified
from tallyroom.service.results.tally import bump_revision, count_protocol, uncount_station
from tallyroom.store.schema import (
    CandidateRow,
    ConstituencyRow,
    ContestRow,
    ElectionRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationDecisionRow,
    StationKeyRow,
)

#: a station's key as a row or as the bulk command's lighter record
_KeyT = TypeVar("_KeyT")


class ProtocolStatus(enum.StrEnum):
    #: stored but not counted: the station's result stands annulled
    RECEIVED = "received"
    ACCEPTED = "accepted"
    FLAGGED = "flagged"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class SubmissionOutcome:
    station: str
    version: int
    status: ProtocolStatus
    reasons: list[dict[str, Any]]
    #: True when this exact document had been stored already
    already_stored: bool
    #: the version of the rule set that judged it (None: judged before rules were data)
    rule_set_version: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "version": self.version,
            "status": self.status.value,
            "reasons": self.reasons,
            "already_stored": self.already_stored,
            "rule_set_version": self.rule_set_version,
        }


def station_in_election(session: Session, election_id: int, code: str) -> PollingStationRow:
    station = session.scalars(
        select(PollingStationRow).where(
            PollingStationRow.election_id == election_id, PollingStationRow.code == code
        )
    ).first()
    if station is None:
        raise unknown_station(code)
    return station


def unknown_station(code: str) -> NotFound:
    return NotFound("unknown_station", f"there is no polling station {code!r}")


def submit_protocol(
    session: Session,
    *,
    principal: Principal,
    document: Any,
    signature: Any,
    now: datetime | None = None,
) -> SubmissionOutcome:
    moment = now or datetime.now(UTC)
    parsed = parse_submission(document)
    election = session.get_one(ElectionRow, principal.election_id)
    require_election(parsed, election.code)
    station = station_in_election(session, election.id, parsed.station)
    require_scope(principal, station)
    require_contest(parsed, _contest_of_station(session, station))
    body = canonical_json(document)
    key_id, revoked = verify_station_signature(session, station, body, signature)
    standing = _standing_candidates(session, station.constituency_id)
    refuse_all_zero(parsed)
    refuse_strangers(parsed, standing)
    refuse_party_strangers(parsed, list_parties(session, election, station.constituency_id))
    list_ballot = district_list_ballots(session, election.id).get(station.constituency_id)
    require_named_list_contest(parsed, list_ballot is not None)
    body_sha256 = sha256_hex(body)
    versions = session.scalars(
        select(ProtocolVersionRow)
        .where(ProtocolVersionRow.station_id == station.id)
        .order_by(ProtocolVersionRow.version)
    ).all()
    if is_stored_already(
        station.code, parsed, body_sha256, [(row.version, row.body_sha256) for row in versions]
    ):
        return _outcome(station, versions[-1], already_stored=True)
    # Held for share: a rules change waits for this protocol, or this for the change.
    rule_set = rule_set_for_judging(session, election.id)
    # An idempotent repeat is answered above; anything new waits for a withdrawal.
    refuse_if_certified(session, station.constituency_id, station.code)
    status, reasons = judge_protocol(
        parsed,
        standing=standing,
        registered_on_register=station.registered_voters,
        annulled=_is_annulled(session, station.id),
        rule_set=rule_set,
        check_ins=check_ins_by_station(session, [station.id]).get(station.id),
        list_ballot=list_ballot,
    )
    if revoked:
        status, reasons = flag_revoked_key(status, reasons)
    version = ProtocolVersionRow(
        station_id=station.id,
        contest_id=_contest_id(session, station.constituency_id),
        version=parsed.version,
        body=body.decode(),
        body_sha256=body_sha256,
        signature=str(signature),
        station_key_id=key_id,
        status=status.value,
        reasons=json.dumps(reasons, ensure_ascii=False),
        rule_set_version=rule_set.version,
        amendment_reason=parsed.amendment_reason,
        submitted_at=moment,
    )
    session.add(version)
    session.flush()
    if status is ProtocolStatus.ACCEPTED:
        count_protocol(session, station=station, version=version)
    else:
        bump_revision(session, election.id)
    audit_log.record(
        session,
        actor=principal.actor,
        action=SUBMITTED,
        payload=submission_payload(
            station.code, parsed, body_sha256, str(signature), status, reasons, moment
        ),
    )
    return _outcome(station, version, already_stored=False)


# --- the rules of a submission, shared with the bulk command (bulk_submission.py) ---

#: the audit action of every stored submission
SUBMITTED = "protocol.submitted"


def parse_submission(document: Any) -> ProtocolDocument:
    try:
        return parse_protocol_document(document)
    except MalformedProtocol as error:
        raise InvalidInput(
            "malformed_protocol",
            f"the protocol is malformed: {error}",
            problems=[problem.as_dict() for problem in error.problems],
        ) from None


def require_election(parsed: ProtocolDocument, election_code: str) -> None:
    if parsed.election != election_code:
        raise InvalidInput(
            "wrong_election", f"the protocol is for {parsed.election!r}, not {election_code!r}"
        )


def require_contest(parsed: ProtocolDocument, contest: str) -> None:
    """A format 2 document names its station's contest (format 1 documents name none)."""
    if parsed.contest is not None and parsed.contest != contest:
        raise InvalidInput(
            "wrong_contest",
            f"station {parsed.station} votes in contest {contest!r}, not {parsed.contest!r}",
            contest=contest,
        )


def require_scope(principal: Principal, station: StationScope) -> None:
    if not principal.may_act_for_station(station):
        raise Forbidden("out_of_scope", f"this token may not submit for station {station.code}")


def require_signature(signature: Any) -> str:
    if not isinstance(signature, str) or not signature:
        raise InvalidInput("signature_missing", "the protocol is not signed")
    return signature


def require_station_key(station_code: str, key: _KeyT | None) -> _KeyT:
    if key is None:
        raise Conflict("no_station_key", f"station {station_code} has no signing key issued")
    return key


def revoked_key_that_signed(
    session: Session, station_id: int, body: bytes, signature: str
) -> int | None:
    """The id of a revoked key of the station's that made this signature, if one did: the
    document was signed before a new enrolment and delivered after it (it waited offline, or
    was relayed from a lost phone). It is stored flagged for the commission, never counted
    by itself and never dropped."""
    for key_id, public_key in session.execute(
        select(StationKeyRow.id, StationKeyRow.public_key)
        .where(StationKeyRow.station_id == station_id, StationKeyRow.revoked_at.is_not(None))
        .order_by(StationKeyRow.id.desc())
    ).tuples():
        if signature_is_valid(body, signature, public_key):
            return int(key_id)
    return None


def signature_refusal(station_code: str) -> InvalidInput:
    return InvalidInput(
        "signature_invalid",
        f"the signature does not verify with station {station_code}'s key",
    )


#: the reason a document signed by a revoked key is flagged
SIGNED_WITH_REVOKED_KEY = "signed_with_revoked_key"


def revoked_key_reason() -> dict[str, Any]:
    return {
        "code": SIGNED_WITH_REVOKED_KEY,
        "fields": [],
        "params": {},
        "message": "signed with a key of the station's that has since been revoked (a new "
        "device was enrolled); the commission decides",
    }


def flag_revoked_key(
    status: ProtocolStatus, reasons: list[dict[str, Any]]
) -> tuple[ProtocolStatus, list[dict[str, Any]]]:
    reasons = [*reasons, revoked_key_reason()]
    return (
        ProtocolStatus.RECEIVED if status is ProtocolStatus.RECEIVED else ProtocolStatus.FLAGGED
    ), reasons


def refuse_all_zero(parsed: ProtocolDocument) -> None:
    """An all-zero sheet is an empty form sent by mistake: refused whole, nothing stored."""
    if parsed.figures.is_all_zero:
        raise InvalidInput(
            "all_zero_protocol",
            "every figure on the protocol is zero: enter the figures of the paper protocol",
        )


def refuse_strangers(parsed: ProtocolDocument, standing: Collection[str]) -> None:
    strangers = sorted(set(parsed.figures.votes) - set(standing))
    if strangers:
        raise InvalidInput(
            "unknown_candidate",
            f"votes for {', '.join(strangers)}, who do not stand in this constituency",
            candidates=strangers,
        )


def refuse_party_strangers(parsed: ProtocolDocument, parties: Collection[str] | None) -> None:
    """The party-list ballot's votes: required where the station has a party-list ballot (the
    national list contest's or its district list contest's; every party named is on it),
    refused where it has none."""
    party_votes = parsed.figures.party_votes
    if parties is None:
        if party_votes is not None:
            raise InvalidInput(
                "no_list_contest",
                "party votes, but this station has no party-list contest (national or district)",
            )
        return
    if party_votes is None:
        raise InvalidInput(
            "party_votes_missing", "this election's protocols carry the party-list ballot's votes"
        )
    strangers = sorted(set(party_votes) - set(parties))
    if strangers:
        raise InvalidInput(
            "unknown_party",
            f"party votes for {', '.join(strangers)}, not on the party-list ballot",
            parties=strangers,
        )


def require_named_list_contest(parsed: ProtocolDocument, district_list: bool) -> None:
    """A district list contest's party votes are signed with the contest they count for: its
    stations' documents name it (format 2; `require_contest` checks it is theirs)."""
    if district_list and parsed.contest is None:
        raise InvalidInput(
            "contest_missing",
            "a district list contest's protocol names its contest (format 2 with `contest`)",
        )


def is_stored_already(
    station_code: str,
    parsed: ProtocolDocument,
    body_sha256: str,
    versions: Sequence[tuple[int, str]],
) -> bool:
    """Whether this exact document is the station's latest version (an idempotent repeat).
    `versions` are the station's stored (version, body_sha256) in version order. Refuses a
    replayed old version, a conflicting or skipped version number, and an amendment without
    a reason."""
    latest = versions[-1][0] if versions else 0
    for number, stored_sha256 in versions:
        if stored_sha256 == body_sha256:
            if number == latest:
                return True
            raise Conflict(
                "replayed_version",
                f"version {number} of station {station_code} was superseded by "
                f"version {latest}; an old version cannot be replayed",
            )
    expected = latest + 1
    if parsed.version < expected:
        raise Conflict(
            "version_conflict",
            f"station {station_code} already has version {parsed.version} with other "
            f"figures; an amendment is version {expected}",
        )
    if parsed.version > expected:
        raise Conflict(
            "version_gap",
            f"station {station_code} expects version {expected}, not {parsed.version}",
        )
    if latest and parsed.amendment_reason is None:
        raise InvalidInput(
            "amendment_reason_required",
            f"version {parsed.version} amends station {station_code}'s protocol: give an "
            "amendment_reason",
        )
    return False


def judge_protocol(
    parsed: ProtocolDocument,
    *,
    standing: Collection[str],
    registered_on_register: int,
    annulled: bool,
    rule_set: RuleSet = REFERENCE_RULE_SET,
    check_ins: int | None = None,
    list_ballot: Collection[str] | None = None,
) -> tuple[ProtocolStatus, list[dict[str, Any]]]:
    """The status a new version gets and the control checks it fails; a broken rule whose
    action is `refuse` refuses the protocol whole (nothing is stored)."""
    failures = control_check_failures(
        parsed.figures,
        standing_candidates=standing,
        registered_on_register=registered_on_register,
        check_ins=check_ins,
        rule_set=rule_set,
        list_ballot=list_ballot,
    )
    reasons = [failure.as_dict() for failure in failures]
    refusing = [failure for failure in failures if failure.action is RuleAction.REFUSE]
    if refusing:
        raise InvalidInput(
            "refused_by_rules",
            "the protocol breaks rules that refuse it: "
            + "; ".join(failure.message for failure in refusing),
            reasons=reasons,
            rule_set_version=rule_set.version,
        )
    if annulled:
        return ProtocolStatus.RECEIVED, reasons
    return (ProtocolStatus.FLAGGED if failures else ProtocolStatus.ACCEPTED), reasons


def submission_payload(
    station_code: str,
    parsed: ProtocolDocument,
    body_sha256: str,
    signature: str,
    status: ProtocolStatus,
    reasons: list[dict[str, Any]],
    submitted_at: datetime | None = None,
) -> dict[str, Any]:
    """What the audit log records of a stored submission."""
    moment = {} if submitted_at is None else {"submitted_at": _logged_moment(submitted_at)}
    return moment | {
        "station": station_code,
        "version": parsed.version,
        "body_sha256": body_sha256,
        "signature": signature,
        "status": status.value,
        "reasons": [reason["code"] for reason in reasons],
        "amendment_reason": parsed.amendment_reason,
    }


def _logged_moment(moment: datetime) -> str:
    # As the row will read back: UTC, microseconds.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _outcome(
    station: PollingStationRow, version: ProtocolVersionRow, *, already_stored: bool
) -> SubmissionOutcome:
    return SubmissionOutcome(
        station=station.code,
        version=version.version,
        status=ProtocolStatus(version.status),
        reasons=json.loads(version.reasons),
        already_stored=already_stored,
        rule_set_version=version.rule_set_version,
    )


def verify_station_signature(
    session: Session, station: PollingStationRow, body: bytes, signature: Any
) -> tuple[int, bool]:
    """The id of the key that signed, and whether it is a revoked one."""
    signed = require_signature(signature)
    key = current_station_key(session, station.id)
    if key is not None and signature_is_valid(body, signed, key.public_key):
        return key.id, False
    revoked = revoked_key_that_signed(session, station.id, body, signed)
    if revoked is not None:
        return revoked, True
    require_station_key(station.code, key)
    raise signature_refusal(station.code)


def _standing_candidates(session: Session, constituency_id: int) -> set[str]:
    return set(
        session.scalars(
            select(CandidateRow.code).where(
                CandidateRow.constituency_id == constituency_id,
                CandidateRow.status == CandidateStatus.REGISTERED.value,
            )
        )
    )


def _contest_of_station(session: Session, station: PollingStationRow) -> str:
    number = session.scalars(
        select(ConstituencyRow.number).where(ConstituencyRow.id == station.constituency_id)
    ).one()
    return contest_code(number)


def _contest_id(session: Session, constituency_id: int) -> int:
    return session.scalars(
        select(ContestRow.id).where(ContestRow.constituency_id == constituency_id)
    ).one()


def is_annulled(session: Session, station_id: int) -> bool:
    """Whether the station's result stands annulled."""
    return _is_annulled(session, station_id)


def standing_candidates(session: Session, constituency_id: int) -> set[str]:
    """The codes of the candidates standing in the constituency."""
    return _standing_candidates(session, constituency_id)


def _is_annulled(session: Session, station_id: int) -> bool:
    last = session.scalars(
        select(StationDecisionRow.kind)
        # a recount order never lifts an annulment
        .where(StationDecisionRow.station_id == station_id, StationDecisionRow.kind != "recount")
        .order_by(StationDecisionRow.id.desc())
        .limit(1)
    ).first()
    return last == "annulled"


# --- the commission's decisions -------------------------------------------------------------


def _version_of(session: Session, station: PollingStationRow, version: int) -> ProtocolVersionRow:
    row = session.scalars(
        select(ProtocolVersionRow)
        .where(ProtocolVersionRow.station_id == station.id, ProtocolVersionRow.version == version)
        # Locked: of two people deciding this version at once, the second waits here and
        # then finds it decided (409), never decides it twice.
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(
            "unknown_version", f"station {station.code} has no protocol version {version}"
        )
    return row


#: a reason is a sentence or a paragraph, not a document
MAXIMUM_REASON_CHARACTERS = 2_000


def require_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput("reason_required", "a decision needs a reason")
    if len(reason) > MAXIMUM_REASON_CHARACTERS:
        raise InvalidInput(
            "reason_too_long", f"a reason is at most {MAXIMUM_REASON_CHARACTERS} characters"
        )
    return reason.strip()


def decide_flagged(
    session: Session,
    *,
    principal: Principal,
    station_code: str,
    version: int,
    accept: bool,
    reason: str,
    now: datetime | None = None,
) -> SubmissionOutcome:
    """Accept (count) or reject a flagged protocol version: the commission, or a
    constituency commission in its own constituency."""
    if principal.role is not Role.CONSTITUENCY_COMMISSION:
        principal.require_commission()
    moment = now or datetime.now(UTC)
    reason = require_reason(reason)
    station = station_in_election(session, principal.election_id, station_code)
    if not principal.may_act_for_station(station):
        raise Forbidden("other_constituency", f"station {station.code} is not in your constituency")
    refuse_if_certified(session, station.constituency_id, station.code)
    row = decidable_version(session, station, version, accept=accept)
    row.status = (ProtocolStatus.ACCEPTED if accept else ProtocolStatus.REJECTED).value
    row.decided_at = moment
    row.decision_reason = reason
    session.flush()
    if accept:
        count_protocol(session, station=station, version=row)
    else:
        bump_revision(session, station.election_id)
    audit_log.record(
        session,
        actor=principal.actor,
        action="protocol.accepted" if accept else "protocol.rejected",
        payload={
            "station": station.code,
            "version": version,
            "reason": reason,
            "decided_at": _logged_moment(moment),
        },
    )
    return _outcome(station, row, already_stored=False)


def decidable_version(
    session: Session, station: PollingStationRow, version: int, *, accept: bool
) -> ProtocolVersionRow:
    """The version, locked, if it can be accepted (or rejected) now: flagged, and for an
    acceptance the station's latest version on a station not annulled."""
    row = _version_of(session, station, version)
    if row.status != ProtocolStatus.FLAGGED.value:
        raise Conflict(
            "not_flagged",
            f"version {version} of station {station.code} is {row.status}, not flagged",
        )
    latest = session.scalar(
        select(func.max(ProtocolVersionRow.version)).where(
            ProtocolVersionRow.station_id == station.id
        )
    )
    if accept and latest != version:
        raise Conflict(
            "superseded", f"version {version} was superseded by version {latest}; decide on that"
        )
    if accept and _is_annulled(session, station.id):
        raise Conflict("station_annulled", f"station {station.code}'s result is annulled")
    return row


def annul_station(
    session: Session,
    *,
    principal: Principal,
    station_code: str,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Annul a station's result: it drops out of every total until the decision is lifted."""
    principal.require_commission()
    reason = require_reason(reason)
    station = station_in_election(session, principal.election_id, station_code)
    refuse_if_certified(session, station.constituency_id, station.code)
    if _is_annulled(session, station.id):
        raise Conflict("already_annulled", f"station {station.code} is already annulled")
    decision = StationDecisionRow(
        station_id=station.id,
        kind="annulled",
        reason=reason,
        decided_at=now or datetime.now(UTC),
    )
    session.add(decision)
    counted = uncount_station(session, station=station)
    if not counted:
        # Annulled before anything was counted: still a change the feed reports.
        bump_revision(session, station.election_id, changed_stations=[station.id])
    audit_log.record(
        session,
        actor=principal.actor,
        action="station.annulled",
        payload={"station": station.code, "reason": reason, "was_counted": counted},
    )
    session.flush()  # the decision's id
    row_ledger.record_rows(
        session, actor=principal.actor, table="station_decision", keys=[[decision.id]]
    )


def order_recount(
    session: Session,
    *,
    principal: Principal,
    station_code: str,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Order a recount: the station's next version (an amendment) carries the recount's
    figures. An annulment standing on the station stays: a recount never lifts it."""
    principal.require_commission()
    reason = require_reason(reason)
    station = station_in_election(session, principal.election_id, station_code)
    refuse_if_certified(session, station.constituency_id, station.code)
    # The station's row is the lock: of ten identical orders at once, one stores its
    # decision and the others, waiting here, then see it pending.
    session.execute(
        select(PollingStationRow.id).where(PollingStationRow.id == station.id).with_for_update()
    )
    if recount_pending(session, station.id):
        raise Conflict(
            "recount_pending",
            f"a recount is already ordered at station {station.code} and no protocol has "
            "been submitted since",
            station=station.code,
        )
    decision = StationDecisionRow(
        station_id=station.id,
        kind="recount",
        reason=reason,
        decided_at=now or datetime.now(UTC),
    )
    session.add(decision)
    bump_revision(session, station.election_id)
    audit_log.record(
        session,
        actor=principal.actor,
        action="station.recount_ordered",
        payload={
            "station": station.code,
            "reason": reason,
            "annulment_stands": _is_annulled(session, station.id),
        },
    )
    session.flush()  # the decision's id
    row_ledger.record_rows(
        session, actor=principal.actor, table="station_decision", keys=[[decision.id]]
    )


def recount_pending(session: Session, station_id: int) -> bool:
    """Whether the station's latest recount order has had no protocol submitted since."""
    ordered_at = session.scalar(
        select(func.max(StationDecisionRow.decided_at)).where(
            StationDecisionRow.station_id == station_id, StationDecisionRow.kind == "recount"
        )
    )
    if ordered_at is None:
        return False
    submitted_at = session.scalar(
        select(func.max(ProtocolVersionRow.submitted_at)).where(
            ProtocolVersionRow.station_id == station_id
        )
    )
    return submitted_at is None or _utc(submitted_at) < _utc(ordered_at)


def _utc(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
