"""The public site's "Am I registered, where do I vote?" page: a form (ID-card number and
birth date) answered with the station only, in az/en/ru, rate-limited per address."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from tallyroom.api.rate_limit import RateLimit
from tallyroom.api.runtime import Runtime, limited_body
from tallyroom.service.register.voter_look_up import VotingPlace, where_do_i_vote
from tallyroom.web.language import LANGUAGE_COOKIE, choose_language
from tallyroom.web.rendering import render
from tallyroom.web.results_source import ResultsSource

PATH = "/where-do-i-vote"
#: the form's fields are short; anything longer is not a voter's id or a date
MAXIMUM_FIELD = 32
FORM_BYTES = 1024


def voter_look_up_router(
    source: ResultsSource, runtime: Runtime, *, limit: RateLimit | None = None
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    rate = limit or RateLimit()

    def page(request: Request, *, status: int = 200, **data: Any) -> Response:
        language = choose_language(
            request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)
        )
        election = source.election()
        body = render(
            "where_do_i_vote.html",
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
            json_path=None,
            csv_base=None,
            events_path="/events",
            clock=runtime.clock.kind.value,
        )
        return Response(
            body,
            status_code=status,
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": "no-store", "Content-Language": language},
        )

    @router.get(PATH)
    async def form(request: Request) -> Response:
        return await run_in_threadpool(lambda: page(request, asked=False))

    @router.post(PATH)
    async def answer(request: Request) -> Response:
        client = request.client.host if request.client else "unknown"
        if not rate.allow(client):
            return await run_in_threadpool(
                lambda: page(request, status=429, asked=True, too_many=True)
            )
        # read as bytes, bounded, and parsed here: a form of two short fields
        raw = await limited_body(request, FORM_BYTES)
        try:
            fields = parse_qs(raw.decode("utf-8"), max_num_fields=4)
        except (UnicodeDecodeError, ValueError):
            fields = {}
        voter = (fields.get("voter") or [""])[0].strip().upper()
        born = (fields.get("birth_date") or [""])[0].strip()
        try:
            birth_date = date.fromisoformat(born)
        except ValueError:
            birth_date = None
        if not voter or len(voter) > MAXIMUM_FIELD or birth_date is None:
            return await run_in_threadpool(lambda: page(request, status=422, asked=True, bad=True))

        def look_up() -> VotingPlace | None:
            return runtime.read(
                lambda session: where_do_i_vote(session, voter=voter, birth_date=birth_date)
            )

        place = await run_in_threadpool(look_up)
        return await run_in_threadpool(lambda: page(request, asked=True, place=place))

    return router
