"""Signing in from the command line (`tallyroom login`): the console's sign-in as JSON at
/console/session — a password, then a TOTP code — answered with the session cookie the
later commands send. Not part of the public API's OpenAPI contract: it is the console's."""

from __future__ import annotations

from typing import Annotated, ClassVar

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from tallyroom.api.acting_person import (
    clear_session_cookie,
    client_address,
    console_credential,
    set_session_cookie,
    signed_in_person,
)
from tallyroom.api.json_body import json_object
from tallyroom.api.request_bodies import CommissionBody, validated
from tallyroom.api.runtime import runtime_of
from tallyroom.service.errors import ServiceError, Unauthorised
from tallyroom.service.people.console_sessions import (
    SESSION_COOKIE,
    SignInStep,
    sign_in_with_password,
    sign_in_with_totp,
    sign_out,
)

PATH = "/console/session"


class PasswordBody(CommissionBody):
    model_config = ConfigDict(extra="forbid", title="PasswordSignIn")
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "login": ("login_required", "give the login"),
        "password": ("password_required", "give the password"),
    }

    login: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class TotpBody(CommissionBody):
    model_config = ConfigDict(extra="forbid", title="TotpSignIn")
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "code": ("code_required", "give the six digits of the authenticator app"),
    }

    code: Annotated[str, Field(min_length=1, max_length=16)]


class SignInStepBody(BaseModel):
    """Where the sign-in stands; the session is in the Set-Cookie header."""

    stage: str = Field(description="second_factor, enrolment or active")
    second_factors: list[str]
    csrf_token: str = Field(description="send it as X-CSRF-Token with every change")


class SessionBody(BaseModel):
    person: int
    login: str
    role: str
    constituency: int | None
    csrf_token: str


def _answer(outcome: SignInStep | ServiceError) -> JSONResponse:
    if isinstance(outcome, ServiceError):
        raise outcome
    body = SignInStepBody(
        stage=outcome.stage.value,
        second_factors=list(outcome.second_factors),
        csrf_token=outcome.csrf_token,
    )
    response = JSONResponse(body.model_dump(), headers={"Cache-Control": "no-store"})
    set_session_cookie(response, outcome.token)
    return response


def sign_in_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.post(PATH)
    async def password(request: Request) -> JSONResponse:
        body = validated(PasswordBody, await json_object(request))
        address = client_address(request)
        outcome = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: sign_in_with_password(
                session, login=body.login.strip(), password=body.password, address=address
            ),
        )
        return _answer(outcome)

    @router.post(f"{PATH}/totp")
    async def totp(request: Request) -> JSONResponse:
        body = validated(TotpBody, await json_object(request))
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            raise Unauthorised("sign_in_unknown", "sign in with your password first")
        address = client_address(request)
        outcome = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: sign_in_with_totp(
                session,
                token=token[:128],
                csrf_token=request.headers.get("x-csrf-token"),
                code=body.code,
                address=address,
            ),
        )
        return _answer(outcome)

    @router.get(PATH)
    async def who(request: Request) -> JSONResponse:
        person = await signed_in_person(request)
        body = SessionBody(
            person=person.person.id,
            login=person.person.login,
            role=person.person.role.value,
            constituency=person.person.constituency,
            csrf_token=person.csrf_token,
        )
        return JSONResponse(body.model_dump(), headers={"Cache-Control": "no-store"})

    @router.delete(PATH)
    async def end(request: Request) -> Response:
        credential = console_credential(request)
        if credential is None:
            raise Unauthorised("session_missing", "there is no session to end")
        await run_in_threadpool(
            runtime_of(request).write, lambda session: sign_out(session, credential)
        )
        response = Response(status_code=204)
        clear_session_cookie(response)
        return response

    return router
