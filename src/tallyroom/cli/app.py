"""The `tallyroom` command: registers every command module's commands."""

from __future__ import annotations

import typer

from tallyroom import __version__
from tallyroom.cli.announcement import announce
from tallyroom.cli.apportion import apportion_command
from tallyroom.cli.audit_commands import audit
from tallyroom.cli.console_login import login, logout
from tallyroom.cli.credentials import credentials
from tallyroom.cli.decision_commands import decide
from tallyroom.cli.definition_commands import export, load, scenario
from tallyroom.cli.exit_poll_commands import exit_polls
from tallyroom.cli.forensics import forensics
from tallyroom.cli.lot_commands import lot
from tallyroom.cli.observer_commands import observers
from tallyroom.cli.poll_book_commands import pollbook
from tallyroom.cli.protocol_commands import protocol
from tallyroom.cli.publication import publish, verify
from tallyroom.cli.register_commands import register
from tallyroom.cli.results_commands import results
from tallyroom.cli.runoff_commands import runoff
from tallyroom.cli.serve import serve
from tallyroom.cli.simulate import simulate
from tallyroom.cli.station_commands import station
from tallyroom.cli.stats import stats
from tallyroom.cli.turnout_commands import turnout
from tallyroom.cli.users_commands import users
from tallyroom.cli.webcam_commands import webcams

app = typer.Typer(
    name="tallyroom",
    help="Results system of a national election commission.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"tallyroom {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    _version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Results system of a national election commission."""


app.command()(load)
app.command()(export)
app.command()(scenario)
app.command()(stats)
app.command("forensics")(forensics)
app.add_typer(credentials, name="credentials")
app.add_typer(protocol, name="protocol")
app.add_typer(turnout, name="turnout")
app.add_typer(audit, name="audit")
app.add_typer(register, name="register")
app.add_typer(pollbook, name="pollbook")
app.add_typer(station, name="station")
app.add_typer(observers, name="observers")
app.add_typer(exit_polls, name="exit-polls")
app.add_typer(webcams, name="webcams")
app.command()(results)
app.command()(serve)
app.command()(simulate)
app.command()(publish)
app.command()(verify)
app.command()(announce)
app.command("apportion")(apportion_command)
app.add_typer(decide, name="decide")
app.add_typer(runoff, name="runoff")
app.add_typer(lot, name="lot")
app.add_typer(users, name="users")
app.command()(login)
app.command()(logout)


def main() -> None:
    app()
