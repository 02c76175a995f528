"""`tallyroom credentials issue`, `revoke` and `commission-token`: station keys and role
tokens."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from tallyroom.cli.credential_folder import write_credential_folder
from tallyroom.cli.output import console, errors, fail
from tallyroom.cli.store_access import sessions
from tallyroom.service.definition.credentials import (
    IssuedCredentials,
    KeyMaking,
    authenticate,
    issue_commission_token,
    issue_credentials,
    revoke_token,
)
from tallyroom.service.errors import ServiceError
from tallyroom.store.database import transaction

credentials = typer.Typer(
    help="Station signing keys and role tokens.", no_args_is_help=True, add_completion=False
)


@credentials.command("issue")
def issue(
    folder: Path = typer.Argument(..., help="Empty or new folder to write the secrets into."),
    valid_days: int = typer.Option(7, "--valid-days", min=1, help="Days until the tokens expire."),
    central_keys: bool = typer.Option(
        False,
        "--central-keys",
        help="Drills and benchmarks only: make every station's key pair here (the commission "
        "then holds every private key) instead of a one-time enrolment code per station.",
    ),
) -> None:
    """Issue per station a one-time enrolment code (its device makes its own key and gets its
    token when it enrols: `/station` or `tallyroom station enrol`), and the role tokens;
    write them once."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        # Secrets are written once: overwriting would silently orphan handed-out keys.
        fail(f"{folder}: exists and is not an empty folder; nothing was issued")
    created = not folder.exists()
    try:
        # Written before the commit: if the folder cannot take them, the transaction rolls
        # back and every key already handed out stays valid (committing first revoked them
        # all and lost the new ones).
        with transaction(sessions()) as session:
            issued = issue_credentials(
                session,
                actor="cli:credentials",
                valid_for=timedelta(days=valid_days),
                key_making=KeyMaking.CENTRAL if central_keys else KeyMaking.DEVICE,
            )
            written = _write_with_progress(folder, issued)
    except ServiceError as error:
        _remove_written(folder, created=created)
        fail(f"{error.code}: {error.message}")
    except OSError as error:
        _remove_written(folder, created=created)
        fail(
            f"{error.filename or folder}: cannot write the credentials ({error.strerror}); "
            "nothing was issued and the keys and tokens already issued stay valid"
        )
    except BaseException:
        # Keys written whose commit did not happen must not be handed out.
        _remove_written(folder, created=created)
        raise
    stations = (
        f"{len(issued.stations):,} station keys and tokens (made here: a drill)"
        if central_keys
        else f"{len(issued.enrolment_codes):,} station enrolment codes (no private key)"
    )
    console.print(
        f"issued {stations}, "
        f"{len(issued.constituency_tokens):,} constituency tokens, a commission token and an "
        f"observer token (valid {valid_days} days): {written:,} files in {folder}"
    )


def _write_with_progress(folder: Path, issued: IssuedCredentials) -> int:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=not errors.is_terminal,
    ) as progress:
        task = progress.add_task(
            "writing station secrets", total=len(issued.stations) + len(issued.enrolment_codes)
        )
        return write_credential_folder(
            folder, issued, progress=lambda done: progress.update(task, completed=done)
        )


def _remove_written(folder: Path, *, created: bool) -> None:
    """Removes what a failed issue wrote: the folder was new or empty before."""
    if not folder.is_dir():
        return
    if created:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


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


@credentials.command("commission-token")
def commission_token(
    label: str = typer.Argument(..., help="Whose token: a commission member's name or role."),
    out: Path = typer.Option(..., "--out", help="Write the token here (0600, a new file)."),
    valid_days: int = typer.Option(7, "--valid-days", min=1, help="Days until it expires."),
) -> None:
    """One more commission token under its own label: a second person for four-eyes
    decisions, until staff accounts name people."""
    if out.exists():
        fail(f"{out} exists already; a token is never written over another")
    try:
        with transaction(sessions()) as session:
            token = issue_commission_token(
                session, actor="commission", label=label, valid_for=timedelta(days=valid_days)
            )
            out.touch(mode=0o600)
            out.write_text(token + "\n", encoding="ascii")
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    console.print(f"commission token {label!r} written to {out}", highlight=False)
