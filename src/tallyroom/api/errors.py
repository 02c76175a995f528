"""One error envelope for every failure: `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from tallyroom.api.security_headers import SECURITY_HEADERS
from tallyroom.service.errors import ServiceError
from tallyroom.web.error_page import PAGE_ERRORS, error_page, is_page_address
from tallyroom.web.results_source import ResultsSource

log = logging.getLogger("tallyroom.api")


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable: what went wrong")
    message: str = Field(description="for a person: what went wrong and what to do")
    details: dict[str, Any] = Field(description="the specifics, e.g. every problem found")


class ErrorBody(BaseModel):
    """The one shape of every error the API answers."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "unknown_station",
                        "message": "there is no polling station '999-9999'",
                        "details": {},
                    }
                }
            ]
        }
    )

    error: ErrorDetail


#: what each error status means, as the API documents it
ERROR_MEANINGS = {
    400: "the body is not JSON, or not a JSON object",
    401: "no token, or an unknown, expired or revoked one",
    403: "the token may not do this (another station, or not the commission)",
    404: "no such station, constituency or protocol version",
    409: "the request conflicts with what is stored",
    413: "the body is larger than the API accepts",
    422: "the request is well-formed but not valid; `details` names every problem",
    429: "too many requests from this address; wait a minute",
    503: "the server cannot take protocols at the moment; try again",
}
#: the errors every command may answer
COMMAND_ERRORS = (400, 401, 403, 404, 409, 413, 422)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for these error statuses, each with the one error shape."""
    return {
        status: {"model": ErrorBody, "description": ERROR_MEANINGS[status]} for status in statuses
    }


def error_response(status: int, code: str, message: str, **details: Any) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message, "details": details}},
    )


def _with_head(headers: Mapping[str, str]) -> dict[str, str]:
    """A 405's `Allow` names HEAD wherever GET is allowed (see head_requests)."""
    answer = dict(headers)
    allowed = [method.strip() for method in answer.get("Allow", "").split(",") if method.strip()]
    if "GET" in allowed and "HEAD" not in allowed:
        answer["Allow"] = ", ".join([*allowed, "HEAD"])
    return answer


def install_error_handlers(app: FastAPI, *, site: ResultsSource | None = None) -> None:
    """The one error envelope; with `site`, the site's pages answer 404 and 405 as HTML."""

    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, error: ServiceError) -> JSONResponse:
        return error_response(error.status, error.code, error.message, **error.details)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(part) for part in problem["loc"]), "message": problem["msg"]}
            for problem in error.errors()
        ]
        return error_response(422, "invalid_request", "the request is not valid", problems=problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        headers = _with_head(error.headers or {})
        if (
            site is not None
            and error.status_code in PAGE_ERRORS
            and is_page_address(request.url.path)
        ):
            page = await error_page(site, request, error.status_code, headers)
            if page is not None:
                return page
        codes = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}
        response = error_response(
            error.status_code, codes.get(error.status_code, "http_error"), str(error.detail)
        )
        response.headers.update(headers)
        return response

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=error)
        # Answered outside the middleware stack (Starlette's ServerErrorMiddleware), so the
        # security headers are added here.
        response = error_response(
            500, "internal_error", "an internal error occurred; it was logged"
        )
        response.headers.update(SECURITY_HEADERS)
        return response
