"""`tallyroom audit`: checking the database against its history, the commission's tree-head
key and signed heads, proofs against a kept head, and an observer's monitor."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from sqlalchemy import func, select

from tallyroom.cli.kept_head import read_kept_head
from tallyroom.cli.output import console, errors, fail, print_json
from tallyroom.cli.store_access import sessions
from tallyroom.domain.signature import load_private_key, private_key_pem, public_key_hex
from tallyroom.domain.tree_head import extension_problems
from tallyroom.service.audit import audit_log, audit_tree
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.errors import ServiceError
from tallyroom.store.database import transaction
from tallyroom.store.schema import ProtocolVersionRow, StationResultRow

audit = typer.Typer(help="The audit log.", no_args_is_help=True, add_completion=False)


@audit.command("verify")
def verify(
    against: Path | None = typer.Option(
        None, "--against", help="A signed tree head kept earlier (JSON): prove the log extends it."
    ),
) -> None:
    """Re-walk the log, re-verify every protocol signature and recompute every total; with
    --against, prove with a consistency proof that the log extends a head kept earlier."""
    kept = read_kept_head(against) if against is not None else None
    with transaction(sessions()) as session:
        problems = audit_discrepancies(session)
        sequence, _ = audit_log.head(session)
        protocols = session.scalar(select(func.count(ProtocolVersionRow.id))) or 0
        counted = session.scalar(select(func.count(StationResultRow.station_id))) or 0
        if kept is not None:
            tree = audit_tree.log_tree(session)
            keys = audit_tree.tree_head_keys(session)
    proven = ""
    if kept is not None:
        started = time.perf_counter()
        problems += extension_problems(tree, kept, announced_keys=keys)
        proven = (
            f", extends the kept head of {kept.tree_size:,} entries "
            f"(proof checked in {(time.perf_counter() - started) * 1000:.1f} ms)"
        )
    if problems:
        for problem in problems:
            errors.print(problem, highlight=False, soft_wrap=True, markup=False)
        fail(f"{len(problems)} discrepanc{'y' if len(problems) == 1 else 'ies'} found", code=1)
    console.print(
        f"[bold green]OK[/]: {sequence:,} audit entries chain, {protocols:,} protocol versions "
        f"verify, totals of {counted:,} counted stations recomputed{proven}",
        highlight=False,
        soft_wrap=True,
    )


@audit.command("keygen")
def keygen(
    out: Path = typer.Option(..., "--out", help="Where to write the private key (PEM, 0600)."),
) -> None:
    """Make the commission's tree-head key: the public half is stored and logged (and goes
    into announcements and snapshots), the private half only into OUT."""
    if out.exists():
        fail(f"{out} exists already; a key is never overwritten")
    with transaction(sessions()) as session:
        private_key = audit_tree.create_tree_head_key(session, actor="commission")
        # Written before the commit: a key the log announces is never lost.
        try:
            out.touch(mode=0o600)
            out.write_bytes(private_key_pem(private_key))
        except OSError as error:
            fail(f"{out}: cannot write the key: {error}")
    console.print(f"tree-head key {public_key_hex(private_key)} written to {out}", soft_wrap=True)


@audit.command("head")
def head(
    key: Path | None = typer.Option(
        None, "--key", help="The tree-head key (PEM): sign the log's head now first."
    ),
) -> None:
    """Print the latest signed tree head as JSON: keep it, verify against it later."""
    private_key = None
    if key is not None:
        try:
            private_key = load_private_key(key.read_bytes())
        except (OSError, ValueError) as error:
            fail(f"{key}: not a readable Ed25519 private key: {error}")
    try:
        with transaction(sessions()) as session:
            if private_key is not None:
                audit_tree.sign_tree_head(session, private_key)
            latest = audit_tree.latest_head(session)
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    if latest is None:
        fail("no signed tree head yet: sign one with `tallyroom audit head --key FILE`", code=1)
    print_json(latest.as_json())


@audit.command("tables")
def tables(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every table by kind: authoritative (facts and acts), derived (recomputable) and
    ephemeral (nothing anyone relies on later)."""
    from tallyroom.store.schema import TABLE_KINDS

    grouped = {
        kind: sorted(name for name, its_kind in TABLE_KINDS.items() if its_kind == kind)
        for kind in ("authoritative", "derived", "ephemeral")
    }
    if as_json:
        print_json(grouped)
        return
    for kind, names in grouped.items():
        console.print(f"{kind}: {', '.join(names)}", highlight=False, soft_wrap=True)


@audit.command("watch")
def watch(
    url: str = typer.Argument(..., help="The server's base URL, e.g. https://results.example"),
    interval: float = typer.Option(60.0, min=0.0, help="Seconds between looks."),
    state: Path = typer.Option(
        Path("tree-heads.json"), help="Where every head seen is kept, between runs too."
    ),
    rounds: int = typer.Option(0, min=0, help="Stop after this many looks (0: never)."),
) -> None:
    """Keep every signed tree head the server publishes and prove each new one extends the
    last (RFC 9162 consistency proofs); exit 1 with the evidence on any inconsistency."""
    import httpx

    from tallyroom.cli.audit_watch import LogMonitor, MonitorError

    monitor = LogMonitor(state)
    with httpx.Client(base_url=url.rstrip("/"), timeout=30.0) as client:
        looked = 0
        while True:
            try:
                evidence = monitor.look(client)
            except MonitorError as error:
                fail(str(error))
            if evidence is not None:
                print_json(evidence)
                fail("the log is inconsistent with a head it published before", code=1)
            looked += 1
            console.print(monitor.summary(), highlight=False, soft_wrap=True)
            if rounds and looked >= rounds:
                return
            time.sleep(interval)
