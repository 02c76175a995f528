"""`tallyroom runoff`: a two-round contest's round 2, defined by the commission from its
certified round 1 on a running server (the same `--server`, `--token`, `--session-file` as
`tallyroom decide`)."""

from __future__ import annotations

import typer

from tallyroom.cli.decision_commands import Caller, caller_options
from tallyroom.cli.output import console

runoff = typer.Typer(
    help="Rounds 2 of two-round contests, sent to a running server.",
    no_args_is_help=True,
    add_completion=False,
)
runoff.callback()(caller_options)


@runoff.command()
def define(
    context: typer.Context,
    contest: str = typer.Argument(..., help='The round-1 contest, e.g. "constituency-5".'),
    withdraw: list[str] = typer.Option(
        [], "--withdraw", help="A qualified candidate who withdrew (repeat for each)."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why: the withdrawals declared."),
) -> None:
    """Define round 2 from round 1's certified result: the qualified candidates, less those
    who withdrew."""
    caller: Caller = context.obj
    body: dict[str, object] = {"withdrawals": withdraw}
    if reason:
        body["reason"] = reason
    answer = caller.post(f"/api/v1/contests/{contest}/runoff", body)
    standing = ", ".join(str(code) for code in answer.get("standing", []))
    withdrawn = ", ".join(str(code) for code in answer.get("withdrawn", []))
    console.print(
        f"{answer.get('contest')} defined: standing {standing}"
        + (f"; withdrawn {withdrawn}" if withdrawn else ""),
        highlight=False,
        soft_wrap=True,
    )
