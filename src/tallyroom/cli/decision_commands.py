"""`tallyroom decide`: the commission's decisions, certifications and queues from the
command line, talking to a running server as a commission token (`--token`) or as a person
whose session a login left in a file (`--session-file`)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from tallyroom.cli.output import console, fail, print_json
from tallyroom.cli.server_client import call_server, resolve_token
from tallyroom.definition.problems import ProblemCollector
from tallyroom.definition.rules_file import rules_of_text

SERVER_ENVIRONMENT = "TALLYROOM_SERVER"
DEFAULT_SERVER = "http://127.0.0.1:8000"

decide = typer.Typer(
    help="The commission's decisions and certifications, sent to a running server.",
    no_args_is_help=True,
    add_completion=False,
)


class Caller:
    """Where to send a command and as whom."""

    def __init__(self, server: str, headers: dict[str, str]) -> None:
        self.server = server
        self.headers = headers

    def post(self, path: str, body: Any = None) -> dict[str, Any]:
        answer: dict[str, Any] = call_server(
            "POST", self.server, path, body=body, headers=self.headers
        ).json()
        return answer

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return call_server("GET", self.server, path, headers=self.headers, params=params)


def session_headers(session_file: Path) -> dict[str, str]:
    """The headers a person's session file gives: a JSON object with `cookie` ("name=value")
    and, where the server wants one, `csrf_token`; or just the cookie on one line. The file
    holds a live session: refused unless only its owner may read it (0600)."""
    try:
        mode = session_file.stat().st_mode
        text = session_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{session_file}: cannot read the session: {error}")
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        fail(f"{session_file}: others may read this session; chmod 600 it")
    try:
        stored = json.loads(text)
    except ValueError:
        stored = {"cookie": text}
    if not isinstance(stored, dict) or not isinstance(stored.get("cookie"), str):
        fail(f"{session_file}: not a session file (no cookie in it)")
    headers = {"Cookie": stored["cookie"]}
    if isinstance(stored.get("csrf_token"), str):
        headers["X-CSRF-Token"] = stored["csrf_token"]
    return headers


@decide.callback()
def _caller(
    context: typer.Context,
    server: str = typer.Option(
        DEFAULT_SERVER, "--server", envvar=SERVER_ENVIRONMENT, help="The server's URL."
    ),
    token: str | None = typer.Option(None, "--token", help="A commission token."),
    token_file: Path | None = typer.Option(None, "--token-file", help="A file with the token."),
    session_file: Path | None = typer.Option(
        None, "--session-file", help="Act as the person whose login session this file keeps."
    ),
) -> None:
    """Who sends the command: a session file (a person) or a token."""
    if session_file is not None:
        if token or token_file:
            fail("give a session file or a token, not both")
        context.obj = Caller(server, session_headers(session_file))
        return
    context.obj = Caller(server, {"Authorization": f"Bearer {resolve_token(token, token_file)}"})


def _caller_of(context: typer.Context) -> Caller:
    caller: Caller = context.obj
    return caller


def _said(answer: dict[str, Any], done: str) -> None:
    if answer.get("state") == "pending_confirmation":
        console.print(
            f"{done}: waiting for a second person to confirm decision "
            f"{answer.get('decision_id')} (tallyroom decide confirm {answer.get('decision_id')})",
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print(done, highlight=False, soft_wrap=True)


def _decision(
    context: typer.Context, station: str, version: int, decision: str, reason: str
) -> None:
    answer = _caller_of(context).post(
        f"/api/v1/stations/{station}/protocols/{version}/decision",
        {"decision": decision, "reason": reason},
    )
    _said(answer, f"station {station} version {version}: {answer.get('status')}")


@decide.command()
def accept(
    context: typer.Context,
    station: str = typer.Argument(..., help="The station's code."),
    version: int = typer.Argument(..., min=1, help="The protocol version."),
    reason: str = typer.Option(..., "--reason", help="Why (required: its checks failed)."),
) -> None:
    """Accept a flagged protocol: it is counted."""
    _decision(context, station, version, "accept", reason)


@decide.command()
def reject(
    context: typer.Context,
    station: str = typer.Argument(..., help="The station's code."),
    version: int = typer.Argument(..., min=1, help="The protocol version."),
    reason: str = typer.Option(..., "--reason", help="Why: the station must amend."),
) -> None:
    """Reject a flagged protocol: the station must amend it."""
    _decision(context, station, version, "reject", reason)


@decide.command()
def recount(
    context: typer.Context,
    station: str = typer.Argument(..., help="The station's code."),
    reason: str = typer.Option(..., "--reason", help="Why the recount is ordered."),
) -> None:
    """Order a recount at a station (an annulment on it stays)."""
    answer = _caller_of(context).post(f"/api/v1/stations/{station}/recount", {"reason": reason})
    _said(answer, f"station {station}: recount ordered")


@decide.command()
def annul(
    context: typer.Context,
    station: str = typer.Argument(..., help="The station's code."),
    reason: str = typer.Option(..., "--reason", help="Why the result is annulled."),
    yes: bool = typer.Option(
        False, "--yes", help="Confirm: the station's result leaves every total."
    ),
) -> None:
    """Annul a station's result (with --yes, or answer the question)."""
    if not yes and not typer.confirm(
        f"Annul station {station}'s result? It leaves every total.", default=False
    ):
        fail("not annulled")
    answer = _caller_of(context).post(
        f"/api/v1/stations/{station}/annulment", {"reason": reason, "confirmed": True}
    )
    _said(answer, f"station {station}: annulled")


@decide.command()
def confirm(
    context: typer.Context,
    decision_id: int = typer.Argument(..., min=1, help="The proposed decision's number."),
) -> None:
    """Confirm a decision another person proposed (four-eyes)."""
    answer = _caller_of(context).post(f"/api/v1/decisions/{decision_id}/confirmation")
    _said(
        answer,
        f"decision {decision_id} confirmed: station {answer.get('station')} {answer.get('status')}",
    )


@decide.command()
def certify(
    context: typer.Context,
    constituency: int = typer.Argument(..., min=1, help="The constituency's number."),
    reason: str | None = typer.Option(
        None, "--reason", help="Why, when the result is too close to call."
    ),
) -> None:
    """Certify a constituency's result (signed with the commission's key)."""
    answer = _caller_of(context).post(
        f"/api/v1/constituencies/{constituency}/certification",
        {"reason": reason} if reason else None,
    )
    document = answer.get("document") or {}
    console.print(
        f"constituency {constituency} certified: winner {document.get('winner')}, "
        f"signature {str(answer.get('signature'))[:16]}…",
        highlight=False,
    )


@decide.command()
def withdraw(
    context: typer.Context,
    constituency: int = typer.Argument(..., min=1, help="The constituency's number."),
    reason: str = typer.Option(..., "--reason", help="Why the certification is withdrawn."),
) -> None:
    """Withdraw a constituency's certification: it takes protocols and decisions again."""
    _caller_of(context).post(
        f"/api/v1/constituencies/{constituency}/certification/withdrawal", {"reason": reason}
    )
    console.print(f"constituency {constituency}: certification withdrawn", highlight=False)


@decide.command("certify-nation")
def certify_nation(context: typer.Context) -> None:
    """Certify the national result once every constituency is: the results become final."""
    answer = _caller_of(context).post("/api/v1/certification")
    console.print(
        f"the national result is certified (signature {str(answer.get('signature'))[:16]}…)",
        highlight=False,
    )


@decide.command("withdraw-nation")
def withdraw_nation(
    context: typer.Context,
    reason: str = typer.Option(..., "--reason", help="Why the certification is withdrawn."),
) -> None:
    """Withdraw the national certification: the results are preliminary again."""
    _caller_of(context).post("/api/v1/certification/withdrawal", {"reason": reason})
    console.print("the national certification is withdrawn", highlight=False)


@decide.command()
def rules(
    context: typer.Context,
    rules_file: Path = typer.Argument(..., help="The new rule set: a rules.yaml."),
    reason: str = typer.Option(..., "--reason", help="Why the rules change."),
) -> None:
    """Adopt a new version of the control rules: protocols no person has decided are judged
    again under it (decided ones, decisions awaiting confirmation and certified constituencies
    stay as they are)."""
    try:
        data = rules_file.read_bytes()
    except OSError as error:
        fail(f"{rules_file}: cannot read it: {error.strerror or error}")
    problems = ProblemCollector()
    # Checked here first, so every problem is named at this file's own lines.
    if rules_of_text(data, problems, str(rules_file)) is None or problems.problems:
        fail("\n".join(str(problem) for problem in problems.problems))
    answer = _caller_of(context).post(
        "/api/v1/rules", {"rules_yaml": data.decode("utf-8-sig"), "reason": reason}
    )
    if not answer.get("changed"):
        console.print(
            f"these rules are in force already ({answer.get('version')})", highlight=False
        )
        return
    console.print(
        f"rule set {answer.get('version')} in force; {answer.get('reexamined')} protocol(s) "
        f"judged again, {len(answer.get('status_changed') or [])} with a new status",
        highlight=False,
        soft_wrap=True,
    )
    for item in answer.get("status_changed") or []:
        console.print(
            f"  {item['station']} version {item['version']}: {item['previous_status']} → "
            f"{item['status']}",
            highlight=False,
        )
    if answer.get("frozen_stations"):
        console.print(
            f"  left as they were (certified): {', '.join(answer['frozen_stations'])}",
            highlight=False,
            soft_wrap=True,
        )


@decide.command()
def queue(
    context: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the queue as JSON."),
) -> None:
    """The protocols waiting for a person."""
    items = _caller_of(context).get("/api/v1/queue/flagged").json()["items"]
    if as_json:
        print_json({"items": items})
        return
    table = Table(title=f"{len(items)} protocols waiting")
    for column in ("constituency", "station", "version", "status", "failed checks"):
        table.add_column(column)
    for item in items:
        table.add_row(
            str(item["constituency"]),
            item["station"],
            str(item["version"] or "–"),
            item["status"],
            ", ".join(check["code"] for check in item["failed_checks"]),
        )
    console.print(table)


@decide.command()
def unreported(
    context: typer.Context,
    constituency: int = typer.Argument(..., min=1, help="The constituency's number."),
    sort: str = typer.Option(
        "station",
        "--sort",
        help="station, name, state, registered_voters or minutes_since_turnout; - reverses.",
    ),
    csv_file: Path | None = typer.Option(None, "--csv", help="Write the list as CSV here."),
) -> None:
    """The constituency's stations not yet reported, with their contacts."""
    caller = _caller_of(context)
    if csv_file is not None:
        response = caller.get(
            f"/api/v1/constituencies/{constituency}/unreported.csv", {"sort": sort}
        )
        # Contacts are personal data: the file is its owner's alone.
        csv_file.touch(mode=0o600, exist_ok=True)
        csv_file.chmod(0o600)
        csv_file.write_text(response.text, encoding="utf-8")
        console.print(f"written to {csv_file}", highlight=False)
        return
    stations = caller.get(
        f"/api/v1/constituencies/{constituency}/unreported", {"sort": sort}
    ).json()["stations"]
    table = Table(title=f"constituency {constituency}: {len(stations)} not reported")
    for column in ("station", "waiting for", "last turnout", "minutes since", "contact"):
        table.add_column(column)
    for station in stations:
        table.add_row(
            station["station"],
            station["waiting_for"],
            station["last_turnout_as_of"] or "–",
            "–"
            if station["minutes_since_turnout"] is None
            else str(station["minutes_since_turnout"]),
            station["contact"] or "",
        )
    console.print(table)
