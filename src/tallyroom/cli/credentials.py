"""`tallyroom credentials issue` and `revoke`: station keys and role tokens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from tallyroom.cli.credential_folder import write_credential_folder
from tallyroom.cli.output import console, errors, fail
from tallyroom.cli.store_access import sessions
from tallyroom.service.credentials import authenticate, issue_credentials, revoke_token
from tallyroom.service.errors import ServiceError
from tallyroom.store.database import transaction

credentials = typer.Typer(
    help="Station signing keys and role tokens.", no_args_is_help=True, add_completion=False
)


@credentials.command("issue")
def issue(
    folder: Path = typer.Argument(..., help="Empty or new folder to write the secrets into."),
    valid_days: int = typer.Option(7, "--valid-days", min=1, help="Days until the tokens expire."),
) -> None:
    """Issue a key pair and token for every station and the role tokens; write them once."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        # Secrets are written once: overwriting would silently orphan handed-out keys.
        fail(f"{folder}: exists and is not an empty folder; nothing was issued")
    try:
        with transaction(sessions()) as session:
            issued = issue_credentials(
                session, actor="cli:credentials", valid_for=timedelta(days=valid_days)
            )
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    # Written after the commit: a failed issue leaves no keys that the database does not know.
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=not errors.is_terminal,
    ) as progress:
        task = progress.add_task("writing station keys", total=len(issued.stations))
        written = write_credential_folder(
            folder, issued, progress=lambda done: progress.update(task, completed=done)
        )
    console.print(
        f"issued {len(issued.stations):,} station keys and tokens, "
        f"{len(issued.constituency_tokens):,} constituency tokens, a commission token and an "
        f"observer token (valid {valid_days} days): {written:,} files in {folder}"
    )


@credentials.command("revoke")
def revoke(
    token: str = typer.Argument(..., help="The token to revoke."),
    commission_token: str = typer.Option(
        ...,
        "--commission-token",
        envvar="TALLYROOM_COMMISSION_TOKEN",
        help="The commission's token, authorising the revocation.",
    ),
) -> None:
    """Revoke a token (the commission's decision, written to the audit log)."""
    try:
        with transaction(sessions()) as session:
            principal = authenticate(session, commission_token)
            revoke_token(session, principal=principal, token=token)
    except ServiceError as error:
        fail(f"{error.code}: {error.message}", code=1)
    console.print("revoked")
