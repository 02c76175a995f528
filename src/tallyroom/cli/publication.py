"""`tallyroom publish` and `tallyroom verify`: writing a results snapshot from the database,
and checking one with nothing but its folder."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from tallyroom.cli.output import console, errors, fail


def publish(
    out: Path = typer.Argument(..., help="Folder to publish into: OUT/<election>/<snapshot>/."),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """Write an immutable, versioned results snapshot with a manifest of SHA-256 hashes."""
    # Imported here so `tallyroom verify` never loads the database layer.
    from tallyroom.cli.store_access import sessions
    from tallyroom.exports.snapshot import SnapshotExists, write_snapshot
    from tallyroom.service.errors import ServiceError
    from tallyroom.service.results.publication import gather_publication
    from tallyroom.store.database import transaction

    if out.exists() and not out.is_dir():
        fail(f"{out}: not a folder")
    started = time.perf_counter()
    try:
        # written within the reading transaction: the protocols' photos are read one by one
        with transaction(sessions()) as session:
            publication = gather_publication(session, election=election)
            written = write_snapshot(publication, out)
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    except SnapshotExists as error:
        fail(str(error))
    except OSError as error:
        fail(f"could not write the snapshot: {error}")
    console.print(
        f"published {written.folder}: {written.files:,} files, "
        f"{written.total_bytes / 1_000_000:,.1f} MB, "
        f"{len(publication.protocols):,} protocols, in {time.perf_counter() - started:.1f} s",
        highlight=False,
        soft_wrap=True,
    )
    # On a line of its own, unwrapped: it is what the commission announces for checking.
    console.print(f"manifest SHA-256: {written.manifest_sha256}", highlight=False, soft_wrap=True)
    console.print(
        "clock: drill (the election was served under a drill clock: every page says DRILL)"
        if publication.clock == "drill"
        else "clock: real",
        highlight=False,
        soft_wrap=True,
    )


def verify(
    snapshot: Path = typer.Argument(..., help="A snapshot folder (the one with manifest.json)."),
    manifest_sha256: str | None = typer.Option(
        None, "--manifest-sha256", help="The manifest hash as announced, to check it too."
    ),
    head: Path | None = typer.Option(
        None, "--head", help="A signed tree head kept earlier (JSON): prove the log extends it."
    ),
) -> None:
    """Re-check a snapshot without database or server: hashes, signatures, every total,
    every winner and the seat tally. Exit 0 when everything agrees, 1 otherwise."""
    from tallyroom.exports.snapshot_verification import NotASnapshot, verify_snapshot

    kept = None
    if head is not None:
        from tallyroom.cli.kept_head import read_kept_head

        kept = read_kept_head(head)
    try:
        report = verify_snapshot(snapshot, manifest_sha256=manifest_sha256, kept_head=kept)
    except NotASnapshot as error:
        fail(str(error))
    for problem in report.problems:
        errors.print(problem, highlight=False, soft_wrap=True, markup=False)
    summary = (
        f"{report.files_checked:,} files hashed, {report.protocols_verified:,} signed protocols "
        f"verified, {report.constituencies_derived:,} constituencies re-derived"
        + (
            f", {report.photos_verified:,} protocol photos match their signed SHA-256"
            if report.photos_verified
            else ""
        )
    )
    if report.agrees:
        console.print(f"[green]snapshot verified[/]: {summary}", highlight=False, soft_wrap=True)
        return
    errors.print(
        f"[bold red]snapshot does not verify[/]: {len(report.problems):,} problem(s); {summary}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(1)
