"""Certifying round 2 on its own: the commission's signed act on a round-2 contest
("constituency-5/round-2") once every station's round-2 protocol is counted. A certified
round 2 is frozen (409 `contest_certified`, as round 1) until withdrawn with a reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.certification_document import (
    CERTIFICATION_KIND,
    ROUND_TWO_SCOPE,
)
from tallyroom.domain.runoff import constituency_of_runoff
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import Conflict, NotFound
from tallyroom.service.protocols.protocols import ProtocolStatus
from tallyroom.service.results.certification import (
    PublishedCertification,
    audit_certification,
    certification_log_size,
    commission_signing_key,
    nation_certified,
    optional_reason,
    published_certification,
    required_reason,
    standing_certification,
    stations_named,
    store_certification,
    withdraw_certification,
)
from tallyroom.service.results.runoff_protocols import round_two_results
from tallyroom.store.schema import (
    CertificationRow,
    ContestRow,
    ElectionRow,
    PollingStationRow,
    RunoffProtocolRow,
    RunoffRow,
)


def certify_runoff(
    session: Session,
    *,
    principal: Principal,
    contest: str,
    signing_key: Ed25519PrivateKey | None,
    reason: str | None = None,
    now: datetime | None = None,
) -> PublishedCertification:
    """Certify a round-2 contest: refused while a station of the constituency has no
    counted round-2 protocol, while its newest one waits flagged, and while the lead is
    tied or nothing is counted."""
    principal.require_commission()
    moment = now or datetime.now(UTC)
    reason = optional_reason(reason)
    key = commission_signing_key(session, signing_key)
    runoff = _runoff(session, principal.election_id, contest)
    if runoff.certified_at is not None:
        raise Conflict("already_certified", f"round 2 {contest} is certified")
    _refuse_unfinished(session, runoff)
    count = round_two_results(session, principal.election_id)[runoff.code]
    if count.tied:
        raise Conflict(
            "tie",
            f"the lead in {contest} is tied: {', '.join(count.tied)}; it must be resolved as "
            "the law provides",
        )
    if count.leader is None:
        raise Conflict("no_result", f"{contest} has no counted votes")
    election = session.get_one(ElectionRow, principal.election_id)
    document: dict[str, Any] = {
        "kind": CERTIFICATION_KIND,
        "scope": ROUND_TWO_SCOPE,
        "election": election.code,
        "contest": runoff.code,
        "constituency": constituency_of_runoff(runoff.code),
        "certified_at": _utc(moment).isoformat(timespec="seconds"),
        "certified_by": principal.actor,
        "stations_total": count.stations_total,
        "stations_counted": count.stations_counted,
        "registered_voters": count.registered_voters,
        "ballots_cast": count.ballots_cast,
        "invalid_ballots": count.invalid_ballots,
        "votes": dict(count.votes),
        "winner": count.leader,
        "reason": reason,
        "audit_log_size": certification_log_size(session),
    }
    row = store_certification(
        session,
        principal,
        document,
        key,
        moment=moment,
        reason=reason,
        contest_id=runoff.contest_id,
        runoff_id=runoff.id,
    )
    runoff.certified_at = moment
    audit_certification(
        session,
        principal,
        "runoff.certified",
        {
            "contest": runoff.code,
            "winner": count.leader,
            "stations_counted": count.stations_counted,
            "stations_total": count.stations_total,
            "votes": document["votes"],
            "reason": reason,
            "signature": row.signature,
        },
        ("runoff", runoff.id),
        row,
    )
    return published_certification(row, constituency_of_runoff(runoff.code))


def withdraw_runoff_certification(
    session: Session,
    *,
    principal: Principal,
    contest: str,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Withdraw a round-2 certification: its protocols are taken again. Refused while the
    nation's result stands certified."""
    principal.require_commission()
    reason = required_reason(reason)
    runoff = _runoff(session, principal.election_id, contest)
    if runoff.certified_at is None:
        raise Conflict("not_certified", f"round 2 {contest} is not certified")
    if nation_certified(session, principal.election_id):
        raise Conflict(
            "nation_certified",
            "the national result is certified: withdraw that certification first",
        )
    row = standing_certification(
        session, principal.election_id, CertificationRow.runoff_id == runoff.id
    )
    runoff.certified_at = None
    withdraw_certification(session, principal, row, reason, now)
    audit_certification(
        session,
        principal,
        "runoff.certification_withdrawn",
        {"contest": runoff.code, "reason": reason},
        ("runoff", runoff.id),
        row,
    )


def _runoff(session: Session, election_id: int, contest: str) -> RunoffRow:
    if constituency_of_runoff(contest) is None:
        raise NotFound("unknown_runoff", f"{contest!r} is not a round-2 contest")
    runoff = session.scalars(
        select(RunoffRow)
        .where(RunoffRow.election_id == election_id, RunoffRow.code == contest)
        # Locked: intake reads it for share before storing a round-2 protocol, so none
        # slips in between the checks below and the certification.
        .with_for_update()
    ).first()
    if runoff is None:
        raise NotFound("unknown_runoff", f"no round 2 is defined for {contest!r}")
    return runoff


def _refuse_unfinished(session: Session, runoff: RunoffRow) -> None:
    number = constituency_of_runoff(runoff.code)
    stations = dict(
        session.execute(
            select(PollingStationRow.id, PollingStationRow.code)
            .join(ContestRow, ContestRow.constituency_id == PollingStationRow.constituency_id)
            .where(ContestRow.id == runoff.contest_id)
        )
        .tuples()
        .all()
    )
    newest: dict[int, RunoffProtocolRow] = {}
    for row in session.scalars(
        select(RunoffProtocolRow)
        .where(RunoffProtocolRow.runoff_id == runoff.id)
        .order_by(RunoffProtocolRow.version)
    ):
        newest[row.station_id] = row
    flagged = sorted(
        stations[s] for s, row in newest.items() if row.status == ProtocolStatus.FLAGGED.value
    )
    counted = {s for s, row in newest.items() if row.status == ProtocolStatus.ACCEPTED.value}
    missing = sorted(code for station, code in stations.items() if station not in newest)
    if not stations or missing:
        raise Conflict(
            "stations_missing",
            f"{len(missing) or 'every'} station(s) of constituency {number} have no counted "
            f"round-2 protocol: {stations_named(missing)}",
            stations=missing[:20],
            missing=len(missing),
        )
    if flagged:
        raise Conflict(
            "protocols_pending",
            f"round-2 protocols wait flagged: stations {stations_named(flagged)}",
            stations=flagged[:20],
        )
    uncounted = sorted(stations[s] for s in set(stations) - counted)
    if uncounted:
        raise Conflict(
            "stations_missing",
            f"stations without a counted round-2 protocol: {stations_named(uncounted)}",
            stations=uncounted[:20],
            missing=len(uncounted),
        )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
