"""Certifying a contest's result: the commission's final word on a constituency."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.service import audit_log, row_ledger
from tallyroom.service.credentials import Principal
from tallyroom.service.errors import Conflict, NotFound
from tallyroom.service.results import build_national_results
from tallyroom.service.tally import bump_revision
from tallyroom.store.schema import (
    ConstituencyRow,
    ContestRow,
    PollingStationRow,
    ProtocolVersionRow,
)


def certify_contest(
    session: Session,
    *,
    principal: Principal,
    constituency_number: int,
    now: datetime | None = None,
) -> None:
    """Certify a constituency's contest. Refused while protocols wait for a decision, while
    stations have not reported, or while the lead is tied."""
    principal.require_commission()
    contest = session.execute(
        select(ContestRow, ConstituencyRow)
        .join(ConstituencyRow, ConstituencyRow.id == ContestRow.constituency_id)
        .where(
            ConstituencyRow.election_id == principal.election_id,
            ConstituencyRow.number == constituency_number,
        )
    ).first()
    if contest is None:
        raise NotFound("unknown_constituency", f"there is no constituency {constituency_number}")
    contest_row, constituency = contest
    if contest_row.certified_at is not None:
        raise Conflict("already_certified", f"constituency {constituency_number} is certified")
    pending = session.scalars(
        select(PollingStationRow.code)
        .join(ProtocolVersionRow, ProtocolVersionRow.station_id == PollingStationRow.id)
        .where(
            PollingStationRow.constituency_id == constituency.id,
            ProtocolVersionRow.status == "flagged",
        )
    ).all()
    if pending:
        raise Conflict(
            "flagged_protocols_pending",
            f"decide the flagged protocols first: stations {', '.join(sorted(set(pending)))}",
        )
    results = build_national_results(session)
    result = next(c for c in results.constituencies if c.number == constituency_number)
    if result.tie:
        raise Conflict(
            "tie",
            f"the lead in constituency {constituency_number} is tied: "
            f"{', '.join(result.leaders)}; it must be resolved as the law provides",
        )
    if result.leader is None:
        raise Conflict("no_result", f"constituency {constituency_number} has no counted votes")
    contest_row.certified_at = now or datetime.now(UTC)
    bump_revision(session, principal.election_id)
    audit_log.record(
        session,
        actor=principal.actor,
        action="contest.certified",
        payload={
            "constituency": constituency_number,
            "winner": result.leader.code,
            "stations_reporting": result.stations_reporting,
            "stations_total": result.stations_total,
            "votes": {c.code: c.votes for c in result.candidates},
        },
    )
    row_ledger.record_rows(session, actor=principal.actor, table="contest", keys=[[contest_row.id]])
