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


@pollbook.command("figures")
def figures(
    station: str | None = typer.Option(None, "--station", help="One station's figures."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The poll book's public figures and check-ins by reporting hour beside the reported
    turnout, from the database."""
    from tallyroom.cli.output import fail, print_json
    from tallyroom.cli.store_access import sessions
    from tallyroom.service.errors import ServiceError
    from tallyroom.service.register import poll_book_figures
    from tallyroom.store.database import transaction

    try:
        with transaction(sessions()) as session:
            totals = (
                poll_book_figures.station_figures(session, station)
                if station
                else poll_book_figures.national_figures(session)
            )
            hours = poll_book_figures.turnout_cross_check(session, station=station)
    except ServiceError as error:
        fail(error.message)
    if as_json:
        print_json({"figures": totals, "turnout_cross_check": hours})
        return
    for name, value in totals.items():
        console.print(f"{name.replace('_', ' ')}: {value}", highlight=False)
    for hour in hours:
        console.print(
            f"{hour['as_of']}: {hour['check_ins']:,} checked in; reported "
            f"{hour['reported_voters']:,} by {hour['stations_reporting']:,} stations, which "
            f"checked in {hour['check_ins_at_reporting_stations']:,} "
            f"(difference {hour['difference']:+,})",
            highlight=False,
        )
