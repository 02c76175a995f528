"""`tallyroom login` and `logout`: a person signs in to a server (password, then the TOTP
code) and the session is kept in a file only she can read (0600), for later commands
acting as her (`session_headers`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import typer

from tallyroom.cli.output import console, errors, fail
from tallyroom.cli.server_client import TIMEOUT_SECONDS

SESSION_COOKIE = "tallyroom_session"
CSRF_HEADER = "X-CSRF-Token"
SESSION_PATH = "/console/session"


def default_session_file() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "tallyroom" / "session"


@dataclass(frozen=True, slots=True)
class StoredSession:
    server: str
    session: str
    csrf_token: str

    def headers(self) -> dict[str, str]:
        """What a request acting as the person sends: her cookie and the CSRF token."""
        return {"Cookie": f"{SESSION_COOKIE}={self.session}", CSRF_HEADER: self.csrf_token}


def write_session(path: Path, stored: StoredSession) -> None:
    """Written 0600 from the start (never readable by others, not even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(
            {"server": stored.server, "session": stored.session, "csrf_token": stored.csrf_token},
            file,
        )


def read_session(path: Path) -> StoredSession:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
        return StoredSession(str(value["server"]), str(value["session"]), str(value["csrf_token"]))
    except FileNotFoundError:
        fail(f"{path}: no session: run `tallyroom login --server URL` first", code=1)
    except (OSError, ValueError, KeyError, TypeError) as error:
        fail(f"{path}: not a session file: {error}", code=1)


def session_headers(path: Path | None = None) -> tuple[str, dict[str, str]]:
    """The server and headers of the person signed in, for commands acting as her."""
    stored = read_session(path or default_session_file())
    return stored.server, stored.headers()


def _cookie_of(response: httpx.Response) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        if SESSION_COOKIE in cookie:
            return cookie[SESSION_COOKIE].value
    return None


def _post(url: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    try:
        response = httpx.post(url, json=body, headers=headers or {}, timeout=TIMEOUT_SECONDS)
    except httpx.InvalidURL as error:
        fail(f"{url}: not a server URL: {error}")
    except httpx.UnsupportedProtocol:
        fail(f"{url}: not a server URL (it must start with http:// or https://)")
    except httpx.TransportError as error:
        fail(f"cannot reach {url}: {error.__class__.__name__}: {error or 'no answer'}", code=1)
    if response.is_error:
        try:
            refusal = response.json()["error"]
            message = f"{refusal['code']}: {refusal['message']}"
        except (ValueError, KeyError, TypeError):
            message = response.text[:300] or response.reason_phrase
        errors.print(f"[bold red]refused ({response.status_code}):[/] {message}", highlight=False)
        raise typer.Exit(1)
    return response


def login(
    server: str = typer.Option(..., "--server", help="The server, e.g. https://console.example"),
    user: str = typer.Option(..., "--login", prompt="login", help="Your login."),
    session_file: Path | None = typer.Option(
        None, "--session-file", help="Where to keep the session (~/.config/tallyroom/session)."
    ),
) -> None:
    """Sign in as a person (password, then the authenticator app's code); the session is
    kept in a 0600 file for later commands. Security keys sign in through the console."""
    password = typer.prompt("password", hide_input=True)
    base = server.rstrip("/")
    first = _post(base + SESSION_PATH, {"login": user, "password": password})
    step, cookie = first.json(), _cookie_of(first)
    if step.get("stage") == "second_factor":
        if "totp" not in step.get("second_factors", []):
            fail("this account signs in with a security key: use the console in a browser", 1)
        code = typer.prompt("code from the authenticator app")
        second = _post(
            base + SESSION_PATH + "/totp",
            {"code": code},
            {"Cookie": f"{SESSION_COOKIE}={cookie}", CSRF_HEADER: step["csrf_token"]},
        )
        step, cookie = second.json(), _cookie_of(second)
    if step.get("stage") != "active" or not cookie:
        fail(f"the sign-in did not complete (stage {step.get('stage')!r})", code=1)
    path = session_file or default_session_file()
    write_session(path, StoredSession(base, cookie, step["csrf_token"]))
    console.print(f"signed in to {base} as {user}; session kept in {path}", highlight=False)


def logout(
    session_file: Path | None = typer.Option(None, "--session-file", help="The session file."),
) -> None:
    """End the session on the server and remove the session file."""
    path = session_file or default_session_file()
    stored = read_session(path)
    try:
        response = httpx.delete(
            stored.server + SESSION_PATH, headers=stored.headers(), timeout=TIMEOUT_SECONDS
        )
        ended = response.status_code in (204, 401)
    except httpx.HTTPError as error:
        errors.print(f"cannot reach {stored.server}: {error}; the file is removed anyway")
        ended = False
    path.unlink(missing_ok=True)
    console.print("signed out" if ended else "session file removed", highlight=False)
