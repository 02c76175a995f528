"""Routes for the lots a law orders for ties: one commission member enters the outcome of
the lot drawn by hand in public, a second confirms it (four-eyes); the lots are public."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import caller_of
from tallyroom.api.conditional_get import json_read
from tallyroom.api.integer_parameters import LotId
from tallyroom.api.json_body import json_object
from tallyroom.api.openapi_contract import CONDITIONAL_READ, command, command_responses, public_read
from tallyroom.api.request_bodies import LotEntryBody, validated
from tallyroom.api.response_bodies import LotBody, LotsBody
from tallyroom.api.runtime import runtime_of
from tallyroom.service.definition.elections import election_row
from tallyroom.service.results.drawn_lots import recorded_lots
from tallyroom.service.results.lot_entry import confirm_lot, enter_lot, lot_record

router = APIRouter(prefix="/api/v1", tags=["commission"])


@router.post(
    "/lots",
    summary="Enter the outcome of the lot drawn for a tie (a second member confirms it)",
    status_code=201,
    responses=command_responses({201: (LotBody, "entered: the seat stays tied until confirmed")}),
    openapi_extra=command(LotEntryBody, body="the tied seat, the winner and how it was drawn"),
)
async def post_lot(request: Request) -> JSONResponse:
    body = validated(LotEntryBody, await json_object(request))
    entered = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: enter_lot(
            session,
            principal=principal,
            seat=body.seat,
            won_by=body.won_by,
            account=body.account,
        ),
    )
    return JSONResponse(entered.as_dict(), status_code=201)


@router.post(
    "/lots/{lot_id}/confirmation",
    summary="Confirm a lot another member entered: it then decides the seat",
    responses=command_responses({200: (LotBody, "confirmed: the lot decides the seat")}),
    openapi_extra=command(),
)
async def post_lot_confirmation(lot_id: LotId, request: Request) -> JSONResponse:
    confirmed = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: confirm_lot(session, principal=principal, lot_id=lot_id),
    )
    return JSONResponse(confirmed.as_dict())


@router.get(
    "/lots",
    summary="Every lot drawn for a tie, entered or confirmed (public)",
    responses=public_read(LotsBody, "the lots, in the order entered"),
    openapi_extra=CONDITIONAL_READ,
    tags=["results"],
)
async def get_lots(request: Request) -> Response:
    def read(session: Session) -> dict[str, object]:
        election = election_row(session)
        return {
            "election": election.code,
            "lots": [lot_record(row).as_dict() for row in recorded_lots(session, election.id)],
        }

    published = await run_in_threadpool(runtime_of(request).read, read)
    return json_read(request, json.dumps(published, ensure_ascii=False).encode())
