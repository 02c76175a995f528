"""`tallyroom audit verify` and `audit head`: checking the database against its history."""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from tallyroom.cli.output import console, errors, fail
from tallyroom.cli.store_access import sessions
from tallyroom.service import audit_log
from tallyroom.service.audit_verification import audit_discrepancies
from tallyroom.store.database import transaction
from tallyroom.store.schema import ProtocolVersionRow, StationResultRow

audit = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True, add_completion=False)


@audit.command("verify")
def verify() -> None:
    """Re-walk the chain, re-verify every protocol signature and recompute every total."""
    with transaction(sessions()) as session:
        problems = audit_discrepancies(session)
        sequence, _ = audit_log.head(session)
        protocols = session.scalar(select(func.count(ProtocolVersionRow.id))) or 0
        counted = session.scalar(select(func.count(StationResultRow.station_id))) or 0
    if problems:
        for problem in problems:
            errors.print(problem, highlight=False, soft_wrap=True)
        fail(f"{len(problems)} discrepanc{'y' if len(problems) == 1 else 'ies'} found", code=1)
    console.print(
        f"[bold green]OK[/]: {sequence:,} audit entries chain, {protocols:,} protocol versions "
        f"verify, totals of {counted:,} counted stations recomputed"
    )


@audit.command("head")
def head() -> None:
    """Print the chain's head (sequence and hash): publish it, verify against it later."""
    with transaction(sessions()) as session:
        sequence, entry_hash = audit_log.head(session)
    print(f"{sequence} {entry_hash}")
