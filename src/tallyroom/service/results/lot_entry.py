"""Entering and confirming the lot drawn for a tie. The lot is drawn by hand in a public
session (the candidates and observers watch it); one commission member enters its outcome,
a second confirms it (four-eyes), and only then does it decide the seat. Both steps are
audited and row-ledgered in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.results import PendingTie
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound
from tallyroom.service.results.drawn_lots import CONFIRMED, ENTERED
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.runoff_protocols import round_two_results
from tallyroom.service.results.tally import bump_revision
from tallyroom.store.schema import DrawnLotRow, ElectionRow

MAXIMUM_ACCOUNT_CHARACTERS = 2_000
LOT_ENTERED = "lot.entered"
LOT_CONFIRMED = "lot.confirmed"


@dataclass(frozen=True, slots=True)
class LotRecord:
    id: int
    seat: str
    between: tuple[str, ...]
    won_by: str
    state: str
    entered_by: str
    confirmed_by: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seat": self.seat,
            "between": list(self.between),
            "won_by": self.won_by,
            "state": self.state,
            "entered_by": self.entered_by,
            "confirmed_by": self.confirmed_by,
        }


def lot_record(row: DrawnLotRow) -> LotRecord:
    return LotRecord(
        row.id,
        row.seat,
        tuple(row.between.split(";")),
        row.won_by,
        row.state,
        row.entered_by,
        row.confirmed_by,
    )


def enter_lot(
    session: Session,
    *,
    principal: Principal,
    seat: str,
    won_by: str,
    account: str,
    now: datetime | None = None,
) -> LotRecord:
    """Enter the outcome of the lot drawn for `seat`, a tie the tally holds open for the lot
    once its contest's count is complete. Refused for a seat with no such tie, a winner who is
    not among the tied, or a seat whose lot is entered already."""
    principal.require_commission()
    account = _required_account(account)
    # The election row first, as every command that changes what the tally derives: two
    # entries for one seat are applied one after the other.
    session.scalars(
        select(ElectionRow.id).where(ElectionRow.id == principal.election_id).with_for_update()
    ).one()
    taken = session.scalars(
        select(DrawnLotRow).where(
            DrawnLotRow.election_id == principal.election_id, DrawnLotRow.seat == seat
        )
    ).first()
    if taken is not None:
        raise Conflict(
            "lot_entered", f"the lot for {seat} is entered already ({taken.state})", lot=taken.id
        )
    tie = _pending_tie(session, principal.election_id, seat)
    if won_by not in tie:
        raise InvalidInput(
            "not_tied",
            f"{won_by!r} is not among the tied for {seat}: {', '.join(tie)}",
            between=list(tie),
        )
    row = DrawnLotRow(
        election_id=principal.election_id,
        seat=seat,
        between=";".join(tie),
        won_by=won_by,
        account=account,
        entered_by=principal.actor,
        entered_at=(now or datetime.now(UTC)),
        state=ENTERED,
    )
    session.add(row)
    session.flush()
    audit_log.record(
        session,
        actor=principal.actor,
        action=LOT_ENTERED,
        payload={
            "lot": row.id,
            "seat": seat,
            "between": list(tie),
            "won_by": won_by,
            "account": account,
        },
    )
    row_ledger.record_rows(session, actor=principal.actor, table="drawn_lot", keys=[[row.id]])
    return lot_record(row)


def confirm_lot(
    session: Session, *, principal: Principal, lot_id: int, now: datetime | None = None
) -> LotRecord:
    """A second member confirms an entered lot, which then decides the seat. Whoever entered
    it cannot confirm it."""
    principal.require_commission()
    row = session.scalars(
        select(DrawnLotRow)
        .where(DrawnLotRow.id == lot_id, DrawnLotRow.election_id == principal.election_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound("unknown_lot", f"there is no lot {lot_id}")
    if row.state != ENTERED:
        raise Conflict("already_confirmed", f"lot {lot_id} is {row.state}")
    if row.entered_by == principal.actor:
        raise Forbidden(
            "same_person",
            "a lot is confirmed by a second member, not by whoever entered it",
        )
    row.state = CONFIRMED
    row.confirmed_by = principal.actor
    row.confirmed_at = now or datetime.now(UTC)
    session.flush()
    audit_log.record(
        session,
        actor=principal.actor,
        action=LOT_CONFIRMED,
        payload={"lot": row.id, "seat": row.seat, "won_by": row.won_by},
    )
    row_ledger.record_rows(session, actor=principal.actor, table="drawn_lot", keys=[[row.id]])
    bump_revision(session, principal.election_id)
    return lot_record(row)


def _pending_tie(session: Session, election_id: int, seat: str) -> tuple[str, ...]:
    """The candidates tied for `seat` (a seat, a round-2 place, or round 2's seat) as the
    tally stands, once the count is final."""
    national = build_national_results(session)
    constituencies = national.constituencies
    ties: list[tuple[PendingTie | None, bool]] = [
        (constituency.pending_tie, constituency.count_complete or constituency.certified)
        for constituency in constituencies
    ]
    # a list contest's last seat tied between parties on the deciding quotient: a district's,
    # final with its count; the national list's, final once every constituency's is
    ties += [
        (
            PendingTie(table.lot_needed_for, table.lot_needed_between),
            constituency.count_complete or constituency.certified,
        )
        for constituency in constituencies
        if (table := constituency.district_list) is not None and table.lot_needed_for
    ]
    if national.list_seats is not None and national.list_seats.lot_needed_for:
        ties.append(
            (
                PendingTie(
                    national.list_seats.lot_needed_for, national.list_seats.lot_needed_between
                ),
                all(c.count_complete or c.certified for c in constituencies),
            )
        )
    # a leveling tie (the national step's last seat, or a leveling seat's district): final
    # once every district list contest's count is
    leveling = national.leveling
    if leveling is not None and leveling.lot_needed_for:
        ties.append(
            (
                PendingTie(leveling.lot_needed_for, leveling.lot_needed_between),
                all(
                    c.count_complete or c.certified
                    for c in constituencies
                    if c.district_list is not None
                ),
            )
        )
    ties += [
        (round_two.pending, round_two.stations_counted == round_two.stations_total)
        for round_two in round_two_results(session, election_id).values()
    ]
    for tie, final in ties:
        if tie is None or tie.seat != seat or tie.reason != "lot_pending":
            continue
        if not final:
            raise Conflict(
                "count_not_complete",
                f"the tie for {seat} may still change: the lot is drawn once every station "
                "of the contest is counted",
            )
        return tie.between
    raise NotFound("no_tie", f"no tie awaits a lot for {seat!r}")


def _required_account(account: str) -> str:
    if not account or not account.strip():
        raise InvalidInput("account_required", "say how, where and before whom the lot was drawn")
    if len(account) > MAXIMUM_ACCOUNT_CHARACTERS:
        raise InvalidInput(
            "account_too_long", f"an account is at most {MAXIMUM_ACCOUNT_CHARACTERS} characters"
        )
    return account.strip()
