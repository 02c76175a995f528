"""Public reads: national and constituency results, turnout by hour, progress, stations,
and the audit chain's head. Cached per results revision, with ETags."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from tallyroom.api.runtime import runtime_of
from tallyroom.domain.results import NationalResults
from tallyroom.service import audit_log, audit_tree
from tallyroom.service.elections import election_row
from tallyroom.service.results import constituency_result
from tallyroom.service.results_json import constituency_json, national_json, turnout_json
from tallyroom.service.station_detail import station_detail
from tallyroom.service.turnout import turnout_by_hour

router = APIRouter(prefix="/api/v1", tags=["public"])


def _etag(results: NationalResults, part: str) -> str:
    return f'W/"{results.election}-{results.revision}-{part}"'


async def _respond(
    request: Request, results: NationalResults, part: str, build: Callable[[], Any]
) -> Response:
    """The JSON for this part, rendered once per revision (in the background while the newest
    rendering is served, on a served site); 304 when the client has what is served."""
    runtime = runtime_of(request)

    def rendered() -> tuple[NationalResults, bytes]:
        return results, json.dumps(build(), ensure_ascii=False).encode()

    shown, body = await runtime.rendered.serve(
        results.revision, part, rendered, background=runtime.results.serves_stale
    )
    etag = _etag(shown, part)
    headers = {
        "ETag": etag,
        "Last-Modified": shown.as_of.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "Cache-Control": "public, max-age=1",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


async def national_results(request: Request) -> NationalResults:
    """The cached picture, answered on the event loop; a reader waits for the database only
    when nothing is cached yet (or the cache is made to show every change at once)."""
    runtime = runtime_of(request)
    served = runtime.results.without_waiting(runtime.reader)
    if served is not None:
        return served
    return await run_in_threadpool(runtime.results.national, runtime.reader)


@router.get("/results", summary="National results: seats, progress, every constituency")
async def get_results(request: Request) -> Response:
    results = await national_results(request)
    return await _respond(request, results, "national", lambda: national_json(results))


@router.get("/results/summary", summary="National results without the constituencies")
async def get_summary(request: Request) -> Response:
    results = await national_results(request)
    return await _respond(
        request, results, "summary", lambda: national_json(results, with_constituencies=False)
    )


@router.get("/results/constituencies/{number}", summary="One constituency's results")
async def get_constituency(number: int, request: Request) -> Response:
    results = await national_results(request)
    result = constituency_result(results, number)
    return await _respond(
        request, results, f"constituency-{number}", lambda: constituency_json(result)
    )


@router.get("/progress", summary="Stations reporting and registered voters covered")
async def get_progress(request: Request) -> dict[str, Any]:
    results = await national_results(request)
    return {
        "status": results.status,
        "stations_total": results.stations_total,
        "stations_reporting": results.stations_reporting,
        "registered_voters": results.registered_voters,
        "registered_voters_reporting": results.registered_voters_reporting,
        "revision": results.revision,
    }


@router.get("/turnout", summary="Turnout by reporting hour, nationally or for a constituency")
async def get_turnout(request: Request, constituency: int | None = None) -> dict[str, Any]:
    runtime = runtime_of(request)

    def query(session: Any) -> dict[str, Any]:
        election = election_row(session)
        return turnout_json(
            turnout_by_hour(session, election_id=election.id, constituency_number=constituency)
        )

    return await run_in_threadpool(runtime.read, query)


@router.get("/stations/{code}", summary="A station: tags, protocol versions, turnout reports")
async def get_station(code: str, request: Request) -> dict[str, Any]:
    runtime = runtime_of(request)
    return await run_in_threadpool(runtime.read, lambda session: station_detail(session, code))


@router.get("/audit/head", summary="The audit chain's head: publish it, verify against it")
async def get_audit_head(request: Request) -> dict[str, Any]:
    runtime = runtime_of(request)
    sequence, entry_hash = await run_in_threadpool(runtime.read, audit_log.head)
    signed = await run_in_threadpool(runtime.read, audit_tree.latest_head)
    return {
        "sequence": sequence,
        "entry_hash": entry_hash,
        "signed_head": None if signed is None else signed.as_json(),
    }
