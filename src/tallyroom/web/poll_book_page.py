"""The public site's poll-book page: the cross-checks of the check-ins (hourly check-ins beside
the reported turnout; each station's ballots issued beside its check-ins; additions, absentee
certificates in and out, double votes), in az/en/ru. Aggregates only, never a voter."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from tallyroom.api.runtime import Runtime
from tallyroom.domain.rule_set import CHECK_IN_TOLERANCE
from tallyroom.service.register.poll_book_figures import (
    national_figures,
    poll_book_stations,
    turnout_cross_check,
)
from tallyroom.web.language import LANGUAGE_COOKIE, choose_language
from tallyroom.web.rendering import render
from tallyroom.web.results_source import ResultsSource

PATH = "/poll-book"


def poll_book_router(source: ResultsSource, runtime: Runtime) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(request: Request) -> Response:
        language = choose_language(
            request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)
        )
        election = source.election()

        def read(session: Any) -> dict[str, Any]:
            return {
                "national": national_figures(session),
                "hours": turnout_cross_check(session),
                "stations": poll_book_stations(session),
            }

        data = runtime.read(read)
        data["tolerance"] = CHECK_IN_TOLERANCE.value / 100
        body = render(
            "poll_book.html",
            language=language,
            timezone=election.timezone,
            election_name=election.name_in(language),
            data=data,
            revision=source.revision(),
            link=lambda path, **query: (
                path
                + (
                    "?" + urlencode({k: v for k, v in query.items() if v is not None})
                    if query
                    else ""
                )
            ),
            path=PATH,
            query={},
            json_path="/api/v1/pollbook/figures",
            csv_base=None,
            events_path="/events",
            clock=runtime.clock.kind.value,
        )
        return Response(
            body,
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": "no-cache", "Content-Language": language},
        )

    @router.get(PATH)
    async def poll_book(request: Request) -> Response:
        return await run_in_threadpool(lambda: page(request))

    return router
