"""One error envelope for every failure: `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from tallyroom.service.errors import ServiceError
from tallyroom.web.error_page import PAGE_ERRORS, error_page, is_page_address
from tallyroom.web.results_source import ResultsSource

log = logging.getLogger("tallyroom.api")


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
        return error_response(500, "internal_error", "an internal error occurred; it was logged")
