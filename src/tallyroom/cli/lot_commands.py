"""`tallyroom lot`: the outcome of a lot the commission drew by hand for a tie, entered by one
member and confirmed by a second, on a running server (the same `--server`, `--token`,
`--session-file` as `tallyroom decide`)."""

from __future__ import annotations

import typer

from tallyroom.cli.decision_commands import Caller, caller_options
from tallyroom.cli.output import console

lot = typer.Typer(
    help="Lots drawn for ties the law leaves to the lot, sent to a running server.",
    no_args_is_help=True,
    add_completion=False,
)
lot.callback()(caller_options)


@lot.command()
def enter(
    context: typer.Context,
    seat: str = typer.Argument(
        ..., help='The tied seat as the results name it, e.g. "constituency-2 seat 1".'
    ),
    won_by: str = typer.Argument(..., help="The candidate who drew the winning lot."),
    account: str = typer.Option(
        ..., "--account", help="How, where and before whom the lot was drawn."
    ),
) -> None:
    """Enter a drawn lot's outcome; it decides the seat once a second member confirms it."""
    caller: Caller = context.obj
    answer = caller.post("/api/v1/lots", {"seat": seat, "won_by": won_by, "account": account})
    console.print(
        f"lot {answer.get('id')} for {answer.get('seat')} entered: {answer.get('won_by')} "
        "(awaiting a second member's confirmation)",
        highlight=False,
        soft_wrap=True,
    )


@lot.command()
def confirm(
    context: typer.Context,
    lot_id: int = typer.Argument(..., min=1, help="The lot's number, as `enter` printed it."),
) -> None:
    """Confirm a lot another member entered: it then decides the seat."""
    caller: Caller = context.obj
    answer = caller.post(f"/api/v1/lots/{lot_id}/confirmation")
    console.print(
        f"lot {answer.get('id')} confirmed: {answer.get('won_by')} takes {answer.get('seat')}",
        highlight=False,
        soft_wrap=True,
    )
