"""`tallyroom pollbook`: a poll book desk from the command line (check a voter in)."""

from __future__ import annotations

import secrets
from pathlib import Path

import typer

from tallyroom.cli.output import console
from tallyroom.cli.server_client import post_json, resolve_token

pollbook = typer.Typer(help="The poll book at a station's desk.", no_args_is_help=True)


@pollbook.command("check-in")
def check_in(
    station: str = typer.Option(..., "--station", help="The station's code (as on its token)."),
    voter: str = typer.Option(..., "--voter", help="The voter's ID-card number."),
    server: str = typer.Option(..., "--server", help="The server's URL."),
    token: str | None = typer.Option(None, "--token", help="The station's token."),
    token_file: Path | None = typer.Option(None, "--token-file", help="A file with the token."),
    match: str = typer.Option(
        "not_scanned", "--match", help="Identity check at the desk: yes, no or not_scanned."
    ),
    portable: bool = typer.Option(False, "--portable", help="Checked in for the portable box."),
    certificate: str | None = typer.Option(
        None, "--certificate", help="The absentee certificate the voter presents."
    ),
    reference: str | None = typer.Option(
        None, "--reference", help="The desk's id for this check-in (re-sending it is safe)."
    ),
) -> None:
    """Check a voter in: exits 0 when recorded, 1 naming the station where the voter already
    voted when refused."""
    body: dict[str, object] = {
        "voter": voter,
        "client_reference": reference or f"cli-{station}-{secrets.token_hex(8)}",
        "identity_match": match,
        "portable": portable,
    }
    if certificate:
        body["certificate"] = certificate
    answer = post_json(server, "/api/v1/pollbook/check-ins", body, resolve_token(token, token_file))
    console.print(
        f"voter {voter} checked in at station {station} (check-in {answer.get('check_in')}, "
        f"{answer.get('status')})",
        highlight=False,
    )
