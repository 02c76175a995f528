"""`tallyroom turnout`: turnout by hour from the database, and `turnout report` for stations."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from rich.table import Table

from tallyroom.cli.output import console, fail, print_json
from tallyroom.cli.server_client import post_json, resolve_token
from tallyroom.cli.store_access import sessions
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import ServiceError
from tallyroom.service.protocols.annulments import stations_annulled
from tallyroom.service.protocols.turnout import turnout_by_hour
from tallyroom.service.results.results_json import turnout_json
from tallyroom.store.database import transaction

turnout = typer.Typer(
    help="Turnout by reporting hour; `turnout report` sends a station's report.",
    invoke_without_command=True,
    add_completion=False,
)


@turnout.callback()
def turnout_by_hours(
    context: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    constituency: int | None = typer.Option(None, "--constituency", help="Only this one."),
) -> None:
    """Voters by each reporting hour, nationally or for one constituency."""
    if context.invoked_subcommand is not None:
        return
    try:
        with transaction(sessions()) as session:
            election = election_row(session)
            if constituency is not None and constituency < 1:
                fail(f"--constituency {constituency}: constituency numbers start at 1")
            points = turnout_by_hour(
                session, election_id=election.id, constituency_number=constituency
            )
            annulled = stations_annulled(session, election.id, constituency)
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    if constituency is not None and not any(p.registered_voters for p in points):
        fail(f"there is no constituency {constituency}")
    if as_json:
        print_json(turnout_json(points))
        return
    title = f"turnout, constituency {constituency}" if constituency else "turnout"
    table = Table(title=title)
    for column in ("as of", "voters", "stations reporting", "% of registered"):
        table.add_column(column, justify="right")
    for point in points:
        table.add_row(
            point.as_of,
            f"{point.voters:,}",
            f"{point.stations_reporting:,}",
            f"{point.percent:.1f} %",
        )
    console.print(table)
    if annulled:
        # As the site says it: hourly turnout is what stations reported during the day, kept
        # when the commission later annuls a station's result; the results leave it out.
        console.print(
            f"includes the voters reported during the day by {annulled:,} "
            f"{'station' if annulled == 1 else 'stations'} annulled since by the commission's "
            "decision, whose ballots are left out of the results"
        )


@turnout.command("report")
def report(
    station: str = typer.Option(..., "--station", help="Station code, e.g. 001-0001."),
    as_of: str = typer.Option(..., "--as-of", help="Reporting hour, HH:MM."),
    voters: int = typer.Option(..., "--voters", min=0, help="Voters who have voted so far."),
    server: str = typer.Option(..., "--server", help="Server URL, e.g. http://127.0.0.1:8000."),
    token: str | None = typer.Option(None, "--token", help="The station's token."),
    token_file: Path | None = typer.Option(None, "--token-file", help="A file with the token."),
) -> None:
    """Report the voters so far at a reporting hour."""
    if not re.fullmatch(r"\d{2}:\d{2}", as_of):
        fail(f"--as-of {as_of!r}: give the hour as HH:MM, e.g. 10:00")
    secret = resolve_token(token, token_file)
    outcome = post_json(
        server, f"/api/v1/stations/{station}/turnout", {"as_of": as_of, "voters": voters}, secret
    )
    note = " (reported already)" if outcome.get("already_stored") else ""
    console.print(
        f"station {outcome.get('station')} at {outcome.get('as_of')}: "
        f"{outcome.get('voters'):,} voters, {outcome.get('status')}{note}"
    )
    for reason in outcome.get("reasons", []):
        console.print(f"  {reason.get('code')}: {reason.get('message', '')}", highlight=False)
