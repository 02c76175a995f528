"""Routes for the commission's queues: flagged protocols (JSON, and live as server-sent
events), stations under complaint, and who has not reported (JSON and CSV). Commission staff
only; nothing here is public or cached."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import acting_principal, caller_of
from tallyroom.api.errors import error_responses
from tallyroom.api.integer_parameters import ConstituencyNumber
from tallyroom.api.openapi_contract import commission_read
from tallyroom.api.response_bodies import QueueBody, UnreportedStationsBody
from tallyroom.api.runtime import Runtime, runtime_of
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.people.console_sessions import ConsoleCredential, authenticate_caller
from tallyroom.service.protocols.flagged_queue import (
    complaint_queue,
    flagged_queue,
    require_commission_role,
)
from tallyroom.service.protocols.unreported_stations import unreported_stations
from tallyroom.service.results.results import results_revision

router = APIRouter(prefix="/api/v1", tags=["commission"])

#: how often a live queue looks at the results revision (every protocol stored bumps it):
#: a flagged protocol reaches the commission's screens well within a second
QUEUE_CHECK_INTERVAL = 0.2
KEEPALIVE_SECONDS = 15.0
#: the longest a stream stays open; the browser's EventSource reconnects by itself
LONGEST_STREAM_SECONDS = 300
RETRY_MILLISECONDS = 2000
SECURITY: dict[str, Any] = {"security": [{"bearer": []}]}
Sort = Annotated[str, Query(max_length=40, pattern=r"^-?[a-z_]+$")]
Lifetime = Annotated[float, Query(gt=0, le=LONGEST_STREAM_SECONDS)]
#: the CSV's columns, as the JSON names them
UNREPORTED_COLUMNS = (
    "station",
    "name",
    "constituency",
    "waiting_for",
    "registered_voters",
    "last_turnout_as_of",
    "last_turnout_at",
    "minutes_since_turnout",
    "contact",
)


def _staff(runtime: Runtime, credential: str | ConsoleCredential | None) -> Principal:
    # A write: a person's session restarts its idle clock.
    def check(session: Session) -> Principal:
        principal = authenticate_caller(session, credential)
        require_commission_role(principal)
        return principal

    return runtime.write(check)


@router.get(
    "/queue/flagged",
    summary="Protocols waiting for a person: flagged, or a decision awaiting confirmation",
    response_model=QueueBody,
    responses=commission_read(QueueBody, "the queue, by constituency and station"),
    openapi_extra=SECURITY,
)
async def get_flagged_queue(request: Request) -> JSONResponse:
    principal = await acting_principal(request)
    items = await run_in_threadpool(
        runtime_of(request).read,
        lambda session: flagged_queue(session, principal=principal),
    )
    return JSONResponse(
        {"items": [item.as_dict() for item in items]}, headers={"Cache-Control": "no-store"}
    )


@router.get(
    "/queue/flagged/events",
    summary="The flagged queue live (text/event-stream): an `item` event for each new or "
    "changed item, `removed` when one is decided",
    responses=commission_read(QueueBody, "server-sent events", 422),
    openapi_extra=SECURITY,
    response_class=StreamingResponse,
)
async def get_flagged_queue_events(
    request: Request, lifetime: Lifetime = LONGEST_STREAM_SECONDS
) -> StreamingResponse:
    runtime = runtime_of(request)
    # Refused before the stream starts: a 401 or 403, never an event stream of errors.
    principal = await run_in_threadpool(_staff, runtime, caller_of(request))
    return StreamingResponse(
        _queue_events(runtime, principal, lifetime),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _queue_events(
    runtime: Runtime, principal: Principal, lifetime: float
) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    started = last_sent_at = time.monotonic()
    seen_revision: int | None = None
    sent: dict[str, str] = {}
    while time.monotonic() - started < lifetime and not runtime.stopping.is_set():
        revision = await run_in_threadpool(
            runtime.read, lambda session: results_revision(session, principal.election_id)[0]
        )
        if revision != seen_revision:
            seen_revision = revision
            items = await run_in_threadpool(
                runtime.read, lambda session: flagged_queue(session, principal=principal)
            )
            current = {item.key: json.dumps(item.as_dict(), ensure_ascii=False) for item in items}
            for key, data in current.items():
                if sent.get(key) != data:
                    last_sent_at = time.monotonic()
                    yield f"event: item\nid: {revision}\ndata: {data}\n\n"
            for key in sorted(set(sent) - set(current)):
                last_sent_at = time.monotonic()
                yield f"event: removed\nid: {revision}\ndata: {json.dumps({'station': key})}\n\n"
            sent = current
        elif time.monotonic() - last_sent_at >= KEEPALIVE_SECONDS:
            last_sent_at = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(QUEUE_CHECK_INTERVAL)


@router.get(
    "/queue/complaints",
    summary="Stations under complaint (filled by the complaints work; empty today)",
    response_model=QueueBody,
    responses=commission_read(QueueBody, "the queue"),
    openapi_extra=SECURITY,
)
async def get_complaint_queue(request: Request) -> JSONResponse:
    principal = await acting_principal(request)
    items = await run_in_threadpool(
        runtime_of(request).read,
        lambda session: complaint_queue(session, principal=principal),
    )
    return JSONResponse({"items": items}, headers={"Cache-Control": "no-store"})


def _unreported(request: Request, number: int, sort: str) -> Any:
    runtime = runtime_of(request)
    credential = caller_of(request)
    principal = runtime.write(lambda session: authenticate_caller(session, credential))
    return runtime.read(
        lambda session: unreported_stations(
            session,
            principal=principal,
            constituency_number=number,
            sort=sort,
        )
    )


@router.get(
    "/constituencies/{number}/unreported",
    summary="Stations not yet reported, with their last turnout report and contact",
    response_model=UnreportedStationsBody,
    responses=commission_read(UnreportedStationsBody, "the stations", 404, 422),
    openapi_extra=SECURITY,
)
async def get_unreported(
    number: ConstituencyNumber, request: Request, sort: Sort = "station"
) -> JSONResponse:
    stations = await run_in_threadpool(_unreported, request, number, sort)
    return JSONResponse(
        {"constituency": number, "stations": [s.as_dict() for s in stations]},
        headers={"Cache-Control": "no-store"},
    )


@router.get(
    "/constituencies/{number}/unreported.csv",
    summary="The same list as CSV, to print or share inside the commission",
    responses={
        200: {
            "description": "the stations as CSV, one a row",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **error_responses(401, 403, 404, 422),
    },
    openapi_extra=SECURITY,
    response_class=Response,
)
async def get_unreported_csv(
    number: ConstituencyNumber, request: Request, sort: Sort = "station"
) -> Response:
    stations = await run_in_threadpool(_unreported, request, number, sort)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(UNREPORTED_COLUMNS)
    for station in stations:
        row = station.as_dict()
        writer.writerow(["" if row[c] is None else row[c] for c in UNREPORTED_COLUMNS])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="unreported-{number:03d}.csv"',
        },
    )
