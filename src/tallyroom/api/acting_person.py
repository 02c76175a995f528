"""Who acts in a request: a machine token (`Authorization: Bearer`) or a person signed in to
the console (the session cookie, with the CSRF token in `X-CSRF-Token` on every change).

For a command: `runtime.command(caller_of(request), action)`; the action receives the
principal authenticated inside the command's transaction. For a read or a page:
`principal: ActingPrincipal` (a FastAPI dependency)."""

from __future__ import annotations

import os
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from tallyroom.api.runtime import bearer_token, runtime_of
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import Unauthorised
from tallyroom.service.people.console_sessions import (
    CSRF_HEADER,
    IDLE_LIMIT,
    SESSION_COOKIE,
    ConsoleCredential,
    SignedIn,
    authenticate_caller,
    signed_in,
)
from tallyroom.service.people.security_keys import RelyingParty

#: methods that change nothing, so need no CSRF token
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: the console's origin (https://console.example), which WebAuthn keys are bound to; by
#: default the origin the request was addressed to
CONSOLE_ORIGIN_VARIABLE = "TALLYROOM_CONSOLE_ORIGIN"


def console_credential(request: Request, csrf_token: str | None = None) -> ConsoleCredential | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return ConsoleCredential(
        token=token[:128],
        csrf_token=csrf_token if csrf_token is not None else request.headers.get(CSRF_HEADER),
        changes=request.method not in SAFE_METHODS,
    )


def caller_of(request: Request) -> str | ConsoleCredential | None:
    """A bearer token when the request has one, else the console session's cookie."""
    return bearer_token(request) or console_credential(request)


async def acting_principal(request: Request) -> Principal:
    """The principal of a token or a person's session (a write: the session's idle clock
    restarts)."""
    credential = caller_of(request)
    return await run_in_threadpool(
        runtime_of(request).write, lambda session: authenticate_caller(session, credential)
    )


ActingPrincipal = Annotated[Principal, Depends(acting_principal)]


async def signed_in_person(request: Request, csrf_token: str | None = None) -> SignedIn:
    """The person signed in (console pages), or Unauthorised."""
    credential = console_credential(request, csrf_token)
    if credential is None:
        raise Unauthorised("session_missing", "sign in to the console")
    return await run_in_threadpool(
        runtime_of(request).write, lambda session: signed_in(session, credential)
    )


def relying_party(request: Request) -> RelyingParty:
    origin = os.environ.get(CONSOLE_ORIGIN_VARIABLE, "").strip().rstrip("/")
    if not origin:
        origin = f"{request.url.scheme}://{request.url.netloc}"
    return RelyingParty(id=urlsplit(origin).hostname or "localhost", origin=origin)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(response: Response, token: str) -> None:
    """Secure, HttpOnly, SameSite=Strict; it lives no longer than an idle session."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(IDLE_LIMIT.total_seconds()),
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
