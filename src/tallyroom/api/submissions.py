"""Routes stations use: protocol submission and hourly turnout reports.

The bodies are declared in the OpenAPI contract (request_bodies.py) but read by the fast
path: json_body's strict JSON, then the service's own checks, each problem with its code."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from tallyroom.api.errors import error_responses
from tallyroom.api.integer_parameters import ProtocolVersion
from tallyroom.api.json_body import json_object
from tallyroom.api.openapi_contract import command, command_responses
from tallyroom.api.request_bodies import (
    ProtocolSubmissionBody,
    TurnoutBatchBody,
    TurnoutReportBody,
)
from tallyroom.api.response_bodies import (
    PhotoOutcomeBody,
    SubmissionOutcomeBody,
    TurnoutBatchOutcomeBody,
    TurnoutOutcomeBody,
)
from tallyroom.api.runtime import bearer_token, limited_body, runtime_of
from tallyroom.domain.canonical_json import canonical_json, sha256_hex
from tallyroom.domain.uploaded_file import MAXIMUM_SIGNED_PHOTO_BYTES
from tallyroom.service.errors import InvalidInput, NotFound
from tallyroom.service.protocols.double_entry import record_double_entry
from tallyroom.service.protocols.protocol_photos import published_photo, store_protocol_photo
from tallyroom.service.protocols.turnout import TurnoutReport, report_turnout, report_turnout_many
from tallyroom.service.results.runoff_protocols import is_runoff_document, submit_runoff_protocol
from tallyroom.service.results.runoff_turnout import report_runoff_turnout

router = APIRouter(prefix="/api/v1", tags=["stations"])


@router.post(
    "/protocols",
    summary="Submit a signed protocol",
    description="201 when stored, 200 when this exact version was stored already. The "
    "signature is checked over the RFC 8785 canonical JSON of `protocol` as sent.",
    status_code=201,
    responses=command_responses(
        {
            201: (SubmissionOutcomeBody, "stored (accepted, flagged or received)"),
            200: (SubmissionOutcomeBody, "this exact version was stored already"),
        },
        503,
    ),
    openapi_extra=command(ProtocolSubmissionBody, body="a protocol and its signature"),
)
async def post_protocol(request: Request) -> JSONResponse:
    envelope = await json_object(request)
    if is_runoff_document(envelope.get("protocol")):
        # A round-2 protocol: judged at once, against the candidates standing in round 2.
        runoff_outcome = await run_in_threadpool(
            runtime_of(request).command,
            bearer_token(request),
            lambda session, principal: submit_runoff_protocol(
                session,
                principal=principal,
                document=envelope.get("protocol"),
                signature=envelope.get("signature"),
            ),
        )
        return JSONResponse(
            runoff_outcome.as_dict(), status_code=200 if runoff_outcome.already_stored else 201
        )
    answer = runtime_of(request).intake.submit(
        bearer_token(request), envelope.get("protocol"), envelope.get("signature")
    )
    outcome = await asyncio.wrap_future(answer)
    if envelope.get("entry") == "two_clerks" and not outcome.already_stored:
        await _record_double_entry(request, envelope["protocol"], outcome.version)
    return JSONResponse(outcome.as_dict(), status_code=200 if outcome.already_stored else 201)


async def _record_double_entry(request: Request, document: Any, version: int) -> None:
    """The station app entered this version twice (two clerks) before signing: say so in the
    audit log, after the version itself is stored."""
    body_sha256 = sha256_hex(canonical_json(document))
    await run_in_threadpool(
        runtime_of(request).command,
        bearer_token(request),
        lambda session, principal: record_double_entry(
            session,
            principal=principal,
            station_code=str(document["station"]),
            version=version,
            body_sha256=body_sha256,
        ),
    )


@router.put(
    "/stations/{code}/protocols/{version}/photo",
    summary="Send the photo of a stored version's signed paper protocol",
    description="The body is the JPEG exactly as the station app made it (`Content-Type: "
    "image/jpeg`): it must hash to the `photo_sha256` the version's signed document names, "
    "and carry no metadata (EXIF, XMP, ICC, comments). 201 when stored, 200 when these bytes "
    "were stored already; refused whole otherwise.",
    status_code=201,
    responses=command_responses(
        {201: (PhotoOutcomeBody, "stored"), 200: (PhotoOutcomeBody, "stored already")},
        404,
        409,
        413,
    ),
)
async def put_protocol_photo(code: str, version: ProtocolVersion, request: Request) -> JSONResponse:
    # a little room over the photo's own limit, so an oversized photo is named as such
    content = await limited_body(request, MAXIMUM_SIGNED_PHOTO_BYTES + 1024)
    declared = request.headers.get("content-type")
    outcome = await run_in_threadpool(
        runtime_of(request).command,
        bearer_token(request),
        lambda session, principal: store_protocol_photo(
            session,
            principal=principal,
            station_code=code,
            version=version,
            content=content,
            declared_type=declared,
        ),
    )
    return JSONResponse(outcome.as_dict(), status_code=200 if outcome.already_stored else 201)


@router.get(
    "/photos/{sha256}.jpg",
    summary="The photo of a station's signed paper protocol, by its SHA-256",
    tags=["public"],
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "the photo as signed"},
        **error_responses(404, 422),
    },
    response_class=Response,
)
async def get_protocol_photo(sha256: str, request: Request) -> Response:
    if not (len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256)):
        raise NotFound("unknown_photo", "no such photo")
    found = await run_in_threadpool(
        runtime_of(request).read, lambda session: published_photo(session, sha256)
    )
    if found is None:
        raise NotFound("unknown_photo", "no photo of a signed protocol has this SHA-256")
    return Response(
        found.content,
        media_type="image/jpeg",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@router.post(
    "/stations/{code}/turnout",
    summary="Report voters so far at a reporting hour",
    status_code=201,
    responses=command_responses(
        {
            201: (TurnoutOutcomeBody, "stored"),
            200: (TurnoutOutcomeBody, "this exact report was stored already"),
        }
    ),
    openapi_extra=command(TurnoutReportBody, body="the station's figure at one hour"),
)
async def post_turnout(code: str, request: Request) -> JSONResponse:
    body: dict[str, Any] = await json_object(request)
    runtime = runtime_of(request)
    if body.get("contest") is not None:
        # A report of round 2's own polling day, naming the round-2 contest.
        runoff_outcome = await run_in_threadpool(
            runtime.command,
            bearer_token(request),
            lambda session, principal: report_runoff_turnout(
                session,
                principal=principal,
                contest=body["contest"],
                station_code=code,
                as_of=body.get("as_of"),
                voters=body.get("voters"),
                clock=runtime.clock,
                signature=body.get("signature"),
            ),
        )
        return JSONResponse(
            runoff_outcome.as_dict(), status_code=200 if runoff_outcome.already_stored else 201
        )
    outcome = await run_in_threadpool(
        runtime.command,
        bearer_token(request),
        lambda session, principal: report_turnout(
            session,
            principal=principal,
            station_code=code,
            as_of=body.get("as_of"),
            voters=body.get("voters"),
            clock=runtime.clock,
            signature=body.get("signature"),
        ),
    )
    return JSONResponse(outcome.as_dict(), status_code=200 if outcome.already_stored else 201)


@router.post(
    "/turnout",
    summary="Report many stations' turnout at once (a constituency commission relaying)",
    description="All or nothing: one bad report refuses the batch, every problem listed with "
    "its index and station. `as_of` is exactly HH:MM, a reporting hour that has come by the "
    "election clock on polling day.",
    status_code=201,
    responses=command_responses(
        {
            201: (TurnoutBatchOutcomeBody, "stored"),
            200: (TurnoutBatchOutcomeBody, "every report was stored already"),
        }
    ),
    openapi_extra=command(TurnoutBatchBody, body="the stations' reports"),
)
async def post_turnout_batch(request: Request) -> JSONResponse:
    body: dict[str, Any] = await json_object(request)
    items = body.get("reports")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidInput("invalid_request", "reports must be a list of objects")
    if any(item.get("contest") is not None for item in items):
        # Never stored as round 1's: a round-2 report goes to its station's own route.
        raise InvalidInput(
            "contest_not_relayed",
            "round-2 reports are sent one station at a time: "
            "POST /api/v1/stations/{code}/turnout with the contest",
        )
    reports = [
        TurnoutReport(item.get("station"), item.get("as_of"), item.get("voters")) for item in items
    ]
    runtime = runtime_of(request)
    outcomes = await run_in_threadpool(
        runtime.command,
        bearer_token(request),
        lambda session, principal: report_turnout_many(
            session, principal=principal, reports=reports, clock=runtime.clock
        ),
    )
    stored_now = any(not outcome.already_stored for outcome in outcomes)
    return JSONResponse(
        {"reports": [outcome.as_dict() for outcome in outcomes]},
        status_code=201 if stored_now else 200,
    )
