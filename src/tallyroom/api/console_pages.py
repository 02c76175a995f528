"""The commission's console at /console: signing in (a password, then TOTP or a WebAuthn
security key), signing out, a home page of what the person may do, the people page
(commission members create, deactivate and reset accounts) and the readable audit log.
Pages are Jinja2 templates in az/en/ru under the public site's CSP; every form carries the
session's CSRF token."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import segno
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import (
    clear_session_cookie,
    client_address,
    relying_party,
    set_session_cookie,
    signed_in_person,
)
from tallyroom.api.json_body import json_object
from tallyroom.api.runtime import limited_body, runtime_of
from tallyroom.service.audit.audit_search import AuditQuery, parse_moment, search_audit
from tallyroom.service.definition.credentials import Role
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import Forbidden, InvalidInput, ServiceError, Unauthorised
from tallyroom.service.people import people
from tallyroom.service.people.console_sessions import (
    CSRF_HEADER,
    SESSION_COOKIE,
    ConsoleCredential,
    SignedIn,
    SignInStep,
    Stage,
    enrol_security_key,
    enrolment_options,
    security_key_options,
    sign_in_progress,
    sign_in_with_password,
    sign_in_with_security_key,
    sign_in_with_totp,
    sign_out,
)
from tallyroom.service.people.people import IssuedSecret, PersonRole, SecondFactor
from tallyroom.web.language import LANGUAGE_COOKIE, choose_language
from tallyroom.web.rendering import render

CONSOLE = "/console"
STATIC = Path(__file__).resolve().parents[1] / "web" / "static" / "console"
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}
#: the sign-in form's CSRF token before there is a session (double-submit cookie)
SIGN_IN_CSRF_COOKIE = "tallyroom_sign_in_csrf"
MAXIMUM_FORM_FIELDS = 40
NO_STORE = {"Cache-Control": "no-store"}

Endpoint = Callable[..., Awaitable[Response]]


class MalformedForm(ServiceError):
    status = 400


async def form_fields(request: Request) -> dict[str, str]:
    """A urlencoded form, size-limited; a field given twice keeps its first value."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise MalformedForm("not_a_form", "send the form as application/x-www-form-urlencoded")
    body = await limited_body(request)
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=MAXIMUM_FORM_FIELDS,
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedForm("malformed_form", f"the form cannot be read: {error}") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


def _language(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE))


def _timezone(session: Session) -> str:
    try:
        return election_row(session).timezone
    except ServiceError:
        return "UTC"


async def _page(
    request: Request,
    template: str,
    *,
    status: int = 200,
    person: SignedIn | None = None,
    csrf_token: str | None = None,
    **context: Any,
) -> Response:
    runtime = runtime_of(request)
    language = _language(request)
    timezone = await run_in_threadpool(runtime.read, _timezone)
    query = {key: value for key, value in request.query_params.items() if key != "lang"}

    def here(lang: str) -> str:
        return request.url.path + "?" + urlencode({**query, "lang": lang})

    body = render(
        template,
        language=language,
        timezone=timezone,
        here=here,
        person=person,
        csrf_token=csrf_token or (person.csrf_token if person else ""),
        path=request.url.path,
        Role=Role,
        **context,
    )
    response = Response(body, status_code=status, media_type="text/html; charset=utf-8")
    response.headers.update(NO_STORE)
    chosen = request.query_params.get("lang")
    if chosen is not None and chosen == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response


#: a console page in the reader's language, for the console's other page modules
render_page = _page


def console_page(endpoint: Endpoint) -> Endpoint:
    """A page whose refusals are pages too: no session sends a reader to sign in, any other
    refusal is shown with its status and message."""

    @functools.wraps(endpoint)
    async def answered(request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return await endpoint(request, *args, **kwargs)
        except Unauthorised as error:
            if request.method == "GET":
                return RedirectResponse(f"{CONSOLE}/sign-in", status_code=303, headers=NO_STORE)
            return await _refusal(request, error)
        except ServiceError as error:
            return await _refusal(request, error)

    return answered


async def _refusal(request: Request, error: ServiceError) -> Response:
    response = await _page(request, "console/refusal.html", status=error.status, error=error)
    retry = error.details.get("retry_after")
    if isinstance(retry, int):
        response.headers["Retry-After"] = str(retry)
    return response


def _person_factors(kind: str) -> SecondFactor:
    try:
        return SecondFactor(kind)
    except ValueError:
        raise InvalidInput(
            "invalid_second_factor",
            "the second factor is totp, webauthn or none",
            problems=[{"field": "second_factor", "message": "totp, webauthn or none"}],
        ) from None


def _next_address(step: SignInStep) -> str:
    return {
        Stage.SECOND_FACTOR: f"{CONSOLE}/second-factor",
        Stage.ENROLMENT: f"{CONSOLE}/enrolment",
        Stage.ACTIVE: CONSOLE,
    }[step.stage]


def _advanced(step: SignInStep) -> Response:
    response = RedirectResponse(_next_address(step), status_code=303, headers=NO_STORE)
    set_session_cookie(response, step.token)
    return response


def _json_advanced(step: SignInStep) -> JSONResponse:
    response = JSONResponse({"next": _next_address(step)}, headers=NO_STORE)
    set_session_cookie(response, step.token)
    return response


def _cookie(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorised("sign_in_unknown", "sign in with your password first")
    return token[:128]


def _optional_int(text: str | None, field: str) -> int | None:
    if text is None or not text.strip():
        return None
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise InvalidInput(
            "invalid_search",
            "the search is not valid",
            problems=[{"field": field, "message": "a number"}],
        )
    return int(value)


def console_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    # --- signing in -----------------------------------------------------------------------

    @router.get(f"{CONSOLE}/sign-in")
    async def sign_in_page(request: Request) -> Response:
        csrf = secrets.token_urlsafe(32)
        response = await _page(request, "console/sign_in.html", csrf_token=csrf, error=None)
        response.set_cookie(
            SIGN_IN_CSRF_COOKIE, csrf, path=CONSOLE, secure=True, httponly=True, samesite="strict"
        )
        return response

    @router.post(f"{CONSOLE}/sign-in")
    @console_page
    async def sign_in(request: Request) -> Response:
        fields = await form_fields(request)
        expected = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
        given = fields.get("csrf_token", "")
        if not expected or not secrets.compare_digest(expected.encode(), given.encode()):
            raise _csrf_refusal()
        login, password = fields.get("login", "")[:64], fields.get("password", "")[:1024]
        address = client_address(request)
        outcome = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: sign_in_with_password(
                session, login=login.strip(), password=password, address=address
            ),
        )
        if isinstance(outcome, ServiceError):
            response = await _page(
                request,
                "console/sign_in.html",
                status=outcome.status,
                csrf_token=expected,
                error=outcome,
            )
            if isinstance(outcome.details.get("retry_after"), int):
                response.headers["Retry-After"] = str(outcome.details["retry_after"])
            return response
        return _advanced(outcome)

    @router.get(f"{CONSOLE}/second-factor")
    @console_page
    async def second_factor_page(request: Request) -> Response:
        token = _cookie(request)
        stage, csrf, factors = await run_in_threadpool(
            runtime_of(request).read, lambda session: sign_in_progress(session, token)
        )
        if stage is Stage.ENROLMENT:
            return RedirectResponse(f"{CONSOLE}/enrolment", status_code=303)
        return await _page(
            request, "console/second_factor.html", csrf_token=csrf, factors=factors, error=None
        )

    @router.post(f"{CONSOLE}/second-factor/totp")
    @console_page
    async def totp(request: Request) -> Response:
        token = _cookie(request)
        fields = await form_fields(request)
        address = client_address(request)
        outcome = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: sign_in_with_totp(
                session,
                token=token,
                csrf_token=fields.get("csrf_token"),
                code=fields.get("code", "")[:16],
                address=address,
            ),
        )
        if isinstance(outcome, ServiceError):
            _stage, csrf, factors = await run_in_threadpool(
                runtime_of(request).read, lambda session: sign_in_progress(session, token)
            )
            return await _page(
                request,
                "console/second_factor.html",
                status=outcome.status,
                csrf_token=csrf,
                factors=factors,
                error=outcome,
            )
        return _advanced(outcome)

    @router.post(f"{CONSOLE}/second-factor/security-key/options")
    async def security_key_challenge(request: Request) -> Response:
        token = _cookie(request)
        party = relying_party(request)
        options = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: security_key_options(
                session, token=token, csrf_token=request.headers.get(CSRF_HEADER), party=party
            ),
        )
        return Response(options, media_type="application/json", headers=NO_STORE)

    @router.post(f"{CONSOLE}/second-factor/security-key")
    async def security_key_answer(request: Request) -> Response:
        token = _cookie(request)
        credential = await json_object(request)
        party, address = relying_party(request), client_address(request)
        outcome = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: sign_in_with_security_key(
                session,
                token=token,
                csrf_token=request.headers.get(CSRF_HEADER),
                credential=credential,
                party=party,
                address=address,
            ),
        )
        if isinstance(outcome, ServiceError):
            raise outcome
        return _json_advanced(outcome)

    @router.get(f"{CONSOLE}/enrolment")
    @console_page
    async def enrolment_page(request: Request) -> Response:
        token = _cookie(request)
        stage, csrf, _ = await run_in_threadpool(
            runtime_of(request).read, lambda session: sign_in_progress(session, token)
        )
        if stage is not Stage.ENROLMENT:
            return RedirectResponse(f"{CONSOLE}/second-factor", status_code=303)
        return await _page(request, "console/enrolment.html", csrf_token=csrf)

    @router.post(f"{CONSOLE}/enrolment/options")
    async def enrolment_challenge(request: Request) -> Response:
        token = _cookie(request)
        body = await json_object(request)
        code = body.get("enrolment_code")
        party, address = relying_party(request), client_address(request)
        outcome = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: enrolment_options(
                session,
                token=token,
                csrf_token=request.headers.get(CSRF_HEADER),
                enrolment_code=code if isinstance(code, str) else "",
                party=party,
                address=address,
            ),
        )
        if isinstance(outcome, ServiceError):
            raise outcome
        return Response(outcome, media_type="application/json", headers=NO_STORE)

    @router.post(f"{CONSOLE}/enrolment")
    async def enrolment(request: Request) -> Response:
        token = _cookie(request)
        credential = await json_object(request)
        party = relying_party(request)
        outcome = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: enrol_security_key(
                session,
                token=token,
                csrf_token=request.headers.get(CSRF_HEADER),
                credential=credential,
                party=party,
            ),
        )
        if isinstance(outcome, ServiceError):
            raise outcome
        return _json_advanced(outcome)

    @router.post(f"{CONSOLE}/sign-out")
    @console_page
    async def sign_out_form(request: Request) -> Response:
        fields = await form_fields(request)
        credential = ConsoleCredential(_cookie(request), fields.get("csrf_token"), changes=True)
        await run_in_threadpool(
            runtime_of(request).write, lambda session: sign_out(session, credential)
        )
        response = RedirectResponse(f"{CONSOLE}/sign-in", status_code=303, headers=NO_STORE)
        clear_session_cookie(response)
        return response

    # --- the person's pages ---------------------------------------------------------------

    @router.get(CONSOLE)
    @console_page
    async def home(request: Request) -> Response:
        person = await signed_in_person(request)
        return await _page(request, "console/home.html", person=person)

    @router.get(f"{CONSOLE}/people")
    @console_page
    async def people_page(request: Request) -> Response:
        person = await signed_in_person(request)
        listed = await run_in_threadpool(
            runtime_of(request).read,
            lambda session: people.list_people(session, principal=person.principal),
        )
        return await _page(
            request,
            "console/people.html",
            person=person,
            people=listed,
            roles=list(PersonRole),
            factors=list(SecondFactor),
        )

    @router.post(f"{CONSOLE}/people")
    @console_page
    async def create_person(request: Request) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        try:
            role = PersonRole(fields.get("role", ""))
        except ValueError:
            raise InvalidInput(
                "invalid_account",
                "the account is not valid",
                problems=[{"field": "role", "message": "choose a role"}],
            ) from None
        constituency = _optional_int(fields.get("constituency"), "constituency")
        factor = _person_factors(fields.get("second_factor", "none"))
        created, secret = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: people.create_person(
                session,
                principal=person.principal,
                login=fields.get("login", "").strip()[:100],
                full_name=fields.get("full_name", "")[:300],
                email=fields.get("email", "").strip()[:300] or None,
                role=role,
                constituency=constituency,
                password=None,
                second_factor=factor,
            ),
        )
        return await _issued(request, person, created.login, secret)

    @router.post(f"{CONSOLE}/people/{{login}}/{{change}}")
    @console_page
    async def change_person(request: Request, login: str, change: str) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        principal = person.principal
        secret: IssuedSecret | None = None
        if change == "deactivate":
            await run_in_threadpool(
                runtime_of(request).write,
                lambda session: people.deactivate_person(session, principal=principal, login=login),
            )
        elif change == "reset-password":
            secret = await run_in_threadpool(
                runtime_of(request).write,
                lambda session: people.reset_password(session, principal=principal, login=login),
            )
        elif change == "reset-second-factor":
            factor = _person_factors(fields.get("second_factor", "totp"))
            secret = await run_in_threadpool(
                runtime_of(request).write,
                lambda session: people.reset_second_factor(
                    session, principal=principal, login=login, second_factor=factor
                ),
            )
        elif change == "lift-delay":
            await run_in_threadpool(
                runtime_of(request).write,
                lambda session: people.lift_delay(session, principal=principal, login=login),
            )
        else:
            raise HTTPException(404)
        if secret is not None:
            return await _issued(request, person, login, secret)
        return RedirectResponse(f"{CONSOLE}/people", status_code=303, headers=NO_STORE)

    @router.get(f"{CONSOLE}/audit")
    @console_page
    async def audit_page(request: Request) -> Response:
        person = await signed_in_person(request)
        parameters = request.query_params
        query = AuditQuery(
            station=(parameters.get("station") or "").strip() or None,
            constituency=_optional_int(parameters.get("constituency"), "constituency"),
            person=_optional_int(parameters.get("person"), "person"),
            action=(parameters.get("action") or "").strip() or None,
            since=parse_moment(parameters.get("since"), "since"),
            until=parse_moment(parameters.get("until"), "until"),
            before=_optional_int(parameters.get("before"), "before"),
        )
        found, logins = await run_in_threadpool(
            runtime_of(request).read,
            lambda session: (
                search_audit(session, principal=person.principal, query=query),
                people.person_logins(session, person.principal),
            ),
        )
        shown = {key: value for key, value in parameters.items() if key not in ("before", "lang")}
        older = (
            f"{CONSOLE}/audit?" + urlencode({**shown, "before": found.next_before})
            if found.next_before is not None
            else None
        )
        return await _page(
            request,
            "console/audit.html",
            person=person,
            found=found,
            logins=logins,
            search=shown,
            older=older,
        )

    # --- the console's scripts and styles -------------------------------------------------

    static_files = {
        file.name: file.read_bytes()
        for file in STATIC.iterdir()
        if file.is_file() and file.suffix in STATIC_TYPES
    }

    @router.get("/static/console/{name}")
    async def console_static(name: str) -> Response:
        body = static_files.get(name)
        if body is None:
            raise HTTPException(404)
        return Response(
            body,
            media_type=STATIC_TYPES[Path(name).suffix],
            headers={"Cache-Control": "public, max-age=3600"},
        )

    return router


def _csrf_refusal() -> ServiceError:
    return Forbidden("csrf_token_invalid", "the form's CSRF token is missing or wrong")


async def _issued(request: Request, person: SignedIn, login: str, secret: IssuedSecret) -> Response:
    qr = (
        segno.make(secret.totp_uri, error="m").svg_data_uri(scale=4)
        if secret.totp_uri is not None
        else None
    )
    return await _page(
        request, "console/issued.html", person=person, login=login, secret=secret, totp_qr=qr
    )
