"""The site's own error pages: an address it does not have (404), or a method it does not take
(405), answered with an HTML page in the reader's language; the API keeps its JSON errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from tallyroom.service.errors import ServiceError
from tallyroom.web.language import LANGUAGE_COOKIE, choose_language
from tallyroom.web.rendering import render
from tallyroom.web.results_source import ResultsSource

log = logging.getLogger("tallyroom.web")
#: the errors a reader of the site may meet by following or typing an address
PAGE_ERRORS = frozenset({404, 405})
#: machine-read addresses, which answer errors in the API's JSON shape
_MACHINE_SUFFIXES = (".json", ".csv")
_MACHINE_PREFIXES = ("/api/", "/static/", "/events", "/docs", "/redoc")


def is_page_address(path: str) -> bool:
    """Whether a reader expects a page at this address (not the API, data files or assets)."""
    return not (
        path == "/api" or path.startswith(_MACHINE_PREFIXES) or path.endswith(_MACHINE_SUFFIXES)
    )


async def error_page(
    source: ResultsSource, request: Request, status: int, headers: Mapping[str, str]
) -> Response | None:
    """The error as a page, or None when the site cannot draw one (no election loaded yet)."""
    language = choose_language(
        request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)
    )

    def link(path: str, **query: Any) -> str:
        pairs = {key: value for key, value in query.items() if value is not None}
        return path + ("?" + urlencode(pairs) if pairs else "")

    try:
        revision = source.fresh_revision() or await run_in_threadpool(source.revision)
        election = await run_in_threadpool(source.election)
    except ServiceError:  # no election loaded: the JSON error still answers
        log.warning("no error page for %s", request.url.path, exc_info=True)
        return None
    body = render(
        "error.html",
        language=language,
        timezone=election.timezone,
        election_name=election.name_in(language),
        status=status,
        page=None,
        data=None,
        revision=revision,
        link=link,
        path=request.url.path,
        query={},
        json_path=None,
        csv_base=None,
        events_path=link("/events"),
    )
    return Response(
        body,
        status_code=status,
        media_type="text/html; charset=utf-8",
        headers={**headers, "Content-Language": language, "Cache-Control": "no-store"},
    )
