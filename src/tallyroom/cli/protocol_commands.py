"""`tallyroom protocol sign` and `submit`: what a station does without a browser."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from tallyroom.cli.json_file import read_json_file, report_problems
from tallyroom.cli.output import console, fail
from tallyroom.cli.server_client import post_json, resolve_token
from tallyroom.domain.protocol_document import MalformedProtocol, parse_protocol_document
from tallyroom.domain.signature import load_private_key, sign_document

protocol = typer.Typer(
    help="Sign and submit a polling station's protocol.",
    no_args_is_help=True,
    add_completion=False,
)


@protocol.command("sign")
def sign(
    file: Path = typer.Argument(..., help="The protocol document (JSON)."),
    key: Path = typer.Option(..., "--key", help="The station's private key (PEM)."),
    out: Path | None = typer.Option(None, "--out", help="Write the envelope here, not stdout."),
) -> None:
    """Sign a protocol document with the station's key: prints {"protocol", "signature"}."""
    document, text = read_json_file(file)
    try:
        parse_protocol_document(document)
    except MalformedProtocol as error:
        report_problems(file, text, [(p.field, p.message) for p in error.problems])
        fail(f"{file}: {len(error.problems)} problem(s) in the protocol; nothing was signed")
    try:
        private_key = load_private_key(key.read_bytes())
    except (OSError, ValueError, TypeError) as error:
        fail(f"{key}:1: not a readable Ed25519 private key: {error}")
    envelope = {"protocol": document, "signature": sign_document(document, private_key)}
    rendered = json.dumps(envelope, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        print(rendered, end="")
        return
    out.write_text(rendered, encoding="utf-8")
    console.print(f"signed {document['station']} version {document['version']} → {out}")


@protocol.command("submit")
def submit(
    file: Path = typer.Argument(..., help="The signed envelope written by `protocol sign`."),
    server: str = typer.Option(..., "--server", help="Server URL, e.g. http://127.0.0.1:8000."),
    token: str | None = typer.Option(None, "--token", help="The station's token."),
    token_file: Path | None = typer.Option(None, "--token-file", help="A file with the token."),
) -> None:
    """Send a signed protocol to the server and print what it decided."""
    secret = resolve_token(token, token_file)
    envelope, _text = read_json_file(file)
    if not isinstance(envelope, dict) or set(envelope) != {"protocol", "signature"}:
        fail(f'{file}:1: expected a signed envelope {{"protocol": …, "signature": …}}')
    outcome = post_json(server, "/api/v1/protocols", envelope, secret)
    status = outcome.get("status")
    colour = {"accepted": "green", "flagged": "yellow"}.get(str(status), "cyan")
    note = " (this version was stored already)" if outcome.get("already_stored") else ""
    console.print(
        f"station {outcome.get('station')} version {outcome.get('version')}: "
        f"[bold {colour}]{status}[/]{note}"
    )
    for reason in outcome.get("reasons", []):
        console.print(f"  {reason.get('code')}: {reason.get('message', '')}", highlight=False)
    if outcome.get("rule_set_version"):
        console.print(f"  judged by rule set {outcome['rule_set_version']}", highlight=False)
