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
    polling_date: str | None = typer.Option(
        None, "--polling-date", help="Round 2's own polling day, YYYY-MM-DD."
    ),
) -> None:
    """Define round 2 from round 1's certified result: the qualified candidates, less those
    who withdrew."""
    caller: Caller = context.obj
    body: dict[str, object] = {"withdrawals": withdraw}
    if reason:
        body["reason"] = reason
    if polling_date:
        body["polling_date"] = polling_date
    answer = caller.post(f"/api/v1/contests/{contest}/runoff", body)
    standing = ", ".join(str(code) for code in answer.get("standing", []))
    withdrawn = ", ".join(str(code) for code in answer.get("withdrawn", []))
    console.print(
        f"{answer.get('contest')} defined: standing {standing}"
        + (f"; withdrawn {withdrawn}" if withdrawn else ""),
        highlight=False,
        soft_wrap=True,
    )


@runoff.command()
def certify(
    context: typer.Context,
    contest: str = typer.Argument(..., help='The round-1 contest, e.g. "constituency-5".'),
    reason: str | None = typer.Option(None, "--reason", help="Why, if the law asks one."),
) -> None:
    """Certify round 2 once every station's round-2 protocol is counted (signed with the
    commission's key): it is frozen until withdrawn."""
    caller: Caller = context.obj
    answer = caller.post(
        f"/api/v1/contests/{contest}/runoff/certification", {"reason": reason} if reason else None
    )
    document = answer.get("document") or {}
    console.print(
        f"{document.get('contest')} certified: winner {document.get('winner')}, "
        f"signature {str(answer.get('signature'))[:16]}…",
        highlight=False,
    )


@runoff.command()
def withdraw(
    context: typer.Context,
    contest: str = typer.Argument(..., help='The round-1 contest, e.g. "constituency-5".'),
    reason: str = typer.Option(..., "--reason", help="Why the certification is withdrawn."),
) -> None:
    """Withdraw round 2's certification: it takes round-2 protocols again."""
    caller: Caller = context.obj
    caller.post(f"/api/v1/contests/{contest}/runoff/certification/withdrawal", {"reason": reason})
    console.print(f"{contest}/round-2: certification withdrawn", highlight=False)
