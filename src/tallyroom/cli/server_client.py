"""Talking to a tallyroom server from the command line: tokens, requests, error envelopes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NoReturn

import httpx
import typer

from tallyroom.cli.output import errors, fail

TOKEN_ENVIRONMENT = "TALLYROOM_TOKEN"
#: a server busy on polling night may take a while; a station would rather wait than resend
TIMEOUT_SECONDS = 60.0


def resolve_token(token: str | None, token_file: Path | None) -> str:
    """The token from --token, --token-file or TALLYROOM_TOKEN, in that order."""
    if token and token_file:
        fail("give --token or --token-file, not both")
    if token_file is not None:
        try:
            value = token_file.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as error:
            fail(f"{token_file}: cannot read the token: {error}")
        if not value:
            fail(f"{token_file}: the token file is empty")
        return value
    value = (token or os.environ.get(TOKEN_ENVIRONMENT, "")).strip()
    if not value:
        fail(f"no token: give --token, --token-file or set {TOKEN_ENVIRONMENT}")
    return value


def _refused(response: httpx.Response) -> NoReturn:
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
        details = error.get("details") or {}
    except (ValueError, KeyError, TypeError):
        code, message, details = "http_error", response.text[:500] or response.reason_phrase, {}
    errors.print(
        f"[bold red]refused ({response.status_code} {code}):[/] {message}",
        highlight=False,
        soft_wrap=True,
    )
    for problem in details.get("problems", []) if isinstance(details, dict) else []:
        errors.print(f"  {problem.get('field')}: {problem.get('message')}", highlight=False)
    raise typer.Exit(1)


def post_json(server: str, path: str, body: Any, token: str) -> dict[str, Any]:
    """POST and return the JSON answer; exits 1 with the server's code and message on 4xx/5xx
    and with a plain explanation when the server cannot be reached."""
    answer: dict[str, Any] = call_server(
        "POST", server, path, body=body, headers={"Authorization": f"Bearer {token}"}
    ).json()
    return answer


def call_server(
    method: str,
    server: str,
    path: str,
    *,
    headers: dict[str, str],
    body: Any = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    """The server's answer to one request (any 2xx); exits 1 with the server's code and
    message on 4xx/5xx and with a plain explanation when the server cannot be reached."""
    url = server.rstrip("/") + path
    try:
        response = httpx.request(
            method,
            url,
            json=body,
            params=params,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
        )
    except httpx.InvalidURL as error:
        fail(f"{server}: not a server URL: {error}")
    except httpx.UnsupportedProtocol:
        fail(f"{server}: not a server URL (it must start with http:// or https://)")
    except httpx.TransportError as error:
        fail(f"cannot reach {url}: {error.__class__.__name__}: {error or 'no answer'}", code=1)
    if response.is_error:
        _refused(response)
    return response
