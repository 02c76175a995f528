"""The commission's decisions under the election's decision policy: accept, reject, order a
recount, annul. A decision the policy names for four-eyes is only proposed: its protocol is
pending confirmation (counted for nothing) until a second person confirms it, and then it
takes effect exactly as a direct decision would (service/protocols/protocols.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.decision_policy import DecisionKind, needs_confirmation, parse_policy
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal, Role
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound
from tallyroom.service.protocols.protocols import (
    annul_station,
    decidable_version,
    decide_flagged,
    order_recount,
    recount_pending,
    require_reason,
    station_in_election,
)
from tallyroom.service.results.certified_contests import refuse_if_certified
from tallyroom.store.schema import (
    ElectionRow,
    PollingStationRow,
    ProposedDecisionRow,
    ProtocolVersionRow,
)

#: a proposed decision waiting for its second person
PENDING = "pending"
CONFIRMED = "confirmed"
#: the status a protocol shows while a decision on it waits for confirmation
PENDING_CONFIRMATION = "pending_confirmation"


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    station: str
    kind: DecisionKind
    #: the protocol version decided on (accept, reject)
    version: int | None
    #: "decided" (in effect) or "pending_confirmation" (a second person must confirm)
    state: str
    #: the proposed decision to confirm, when pending
    decision_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "decision": self.kind.value,
            "version": self.version,
            "state": self.state,
            "decision_id": self.decision_id,
        }


def decide(
    session: Session,
    *,
    principal: Principal,
    station_code: str,
    kind: DecisionKind,
    reason: str,
    version: int | None = None,
    confirmed: bool = False,
    now: datetime | None = None,
) -> DecisionOutcome:
    """Take a decision, or propose it when the policy wants a second person. Accept and
    reject name the protocol version; annul needs `confirmed` (the decider's own "yes, annul").
    A constituency commission accepts and rejects its own constituency's protocols; recounts
    and annulments are the commission's."""
    if not _decides_protocols_locally(principal, kind):
        principal.require_commission()
    moment = now or datetime.now(UTC)
    reason = require_reason(reason)
    if kind is DecisionKind.ANNUL and not confirmed:
        raise InvalidInput(
            "confirmation_required",
            "an annulment takes the station's result out of every total: confirm it",
        )
    if kind in (DecisionKind.ACCEPT, DecisionKind.REJECT) and version is None:
        raise InvalidInput("version_required", f"{kind.value} names the protocol version")
    station = station_in_election(session, principal.election_id, station_code)
    if not principal.may_act_for_station(station):
        raise Forbidden("other_constituency", f"station {station.code} is not in your constituency")
    refuse_if_certified(session, station.constituency_id, station.code)
    # The station's row is the lock: of two people deciding at once, the second waits here
    # and then finds the first one's decision (409).
    session.execute(
        select(PollingStationRow.id).where(PollingStationRow.id == station.id).with_for_update()
    )
    pending = _pending_on(session, station.id)
    if pending is not None:
        raise Conflict(
            "decision_pending",
            f"a decision ({pending.kind}) on station {station.code} waits for confirmation",
            decision_id=pending.id,
        )
    policy = parse_policy(session.get_one(ElectionRow, principal.election_id).four_eyes_decisions)
    if not needs_confirmation(kind, policy):
        _apply(session, principal, station.code, kind, reason, version, moment)
        return DecisionOutcome(station.code, kind, version, "decided")
    protocol_version_id: int | None = None
    if version is not None and kind in (DecisionKind.ACCEPT, DecisionKind.REJECT):
        protocol_version_id = decidable_version(
            session, station, version, accept=kind is DecisionKind.ACCEPT
        ).id
    elif kind is DecisionKind.RECOUNT and recount_pending(session, station.id):
        raise Conflict("recount_pending", f"a recount is already ordered at station {station.code}")
    proposal = ProposedDecisionRow(
        station_id=station.id,
        protocol_version_id=protocol_version_id,
        kind=kind.value,
        reason=reason,
        proposed_by=principal.actor,
        proposed_at=moment,
        state=PENDING,
    )
    session.add(proposal)
    session.flush()
    audit_log.record(
        session,
        actor=principal.actor,
        action="decision.proposed",
        payload={
            "decision": proposal.id,
            "station": station.code,
            "kind": kind.value,
            "version": version if protocol_version_id is not None else None,
            "reason": reason,
        },
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="proposed_decision", keys=[[proposal.id]]
    )
    return DecisionOutcome(station.code, kind, version, PENDING_CONFIRMATION, proposal.id)


def confirm_decision(
    session: Session, *, principal: Principal, decision_id: int, now: datetime | None = None
) -> DecisionOutcome:
    """A second person confirms a proposed decision, which then takes effect. The person who
    proposed it cannot confirm it."""
    principal.require_commission()
    moment = now or datetime.now(UTC)
    proposal = session.scalars(
        select(ProposedDecisionRow)
        .join(PollingStationRow, PollingStationRow.id == ProposedDecisionRow.station_id)
        .where(
            ProposedDecisionRow.id == decision_id,
            PollingStationRow.election_id == principal.election_id,
        )
        .with_for_update(of=ProposedDecisionRow)
    ).first()
    if proposal is None:
        raise NotFound("unknown_decision", f"there is no proposed decision {decision_id}")
    if proposal.state != PENDING:
        raise Conflict("already_confirmed", f"decision {decision_id} is {proposal.state}")
    if proposal.proposed_by == principal.actor:
        raise Forbidden(
            "same_person",
            "a decision under four-eyes is confirmed by a second person, not by whoever "
            "proposed it",
        )
    station = session.get_one(PollingStationRow, proposal.station_id)
    version = (
        None
        if proposal.protocol_version_id is None
        else session.get_one(ProtocolVersionRow, proposal.protocol_version_id).version
    )
    kind = DecisionKind(proposal.kind)
    proposal.state = CONFIRMED
    proposal.confirmed_by = principal.actor
    proposal.confirmed_at = moment
    _apply(session, principal, station.code, kind, proposal.reason, version, moment)
    audit_log.record(
        session,
        actor=principal.actor,
        action="decision.confirmed",
        payload={
            "decision": proposal.id,
            "station": station.code,
            "kind": kind.value,
            "proposed_by": proposal.proposed_by,
        },
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="proposed_decision", keys=[[proposal.id]]
    )
    return DecisionOutcome(station.code, kind, version, "decided")


def _decides_protocols_locally(principal: Principal, kind: DecisionKind) -> bool:
    return principal.role is Role.CONSTITUENCY_COMMISSION and kind in (
        DecisionKind.ACCEPT,
        DecisionKind.REJECT,
    )


def _apply(
    session: Session,
    principal: Principal,
    station_code: str,
    kind: DecisionKind,
    reason: str,
    version: int | None,
    moment: datetime,
) -> None:
    if kind in (DecisionKind.ACCEPT, DecisionKind.REJECT):
        assert version is not None
        decide_flagged(
            session,
            principal=principal,
            station_code=station_code,
            version=version,
            accept=kind is DecisionKind.ACCEPT,
            reason=reason,
            now=moment,
        )
    elif kind is DecisionKind.RECOUNT:
        order_recount(
            session, principal=principal, station_code=station_code, reason=reason, now=moment
        )
    else:
        annul_station(
            session, principal=principal, station_code=station_code, reason=reason, now=moment
        )


def _pending_on(session: Session, station_id: int) -> ProposedDecisionRow | None:
    """The decision on the station waiting for confirmation. One on a version the station
    has since amended waits for nothing: the new version is what is decided."""
    latest = session.scalar(
        select(func.max(ProtocolVersionRow.version)).where(
            ProtocolVersionRow.station_id == station_id
        )
    )
    for proposal, version in session.execute(
        select(ProposedDecisionRow, ProtocolVersionRow.version)
        .outerjoin(
            ProtocolVersionRow, ProtocolVersionRow.id == ProposedDecisionRow.protocol_version_id
        )
        .where(ProposedDecisionRow.station_id == station_id, ProposedDecisionRow.state == PENDING)
        .order_by(ProposedDecisionRow.id)
    ).tuples():
        if version is None or version == latest:
            return proposal
    return None
