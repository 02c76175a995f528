"""The route a station's device reads its set-up from (candidates in ballot order, the facts
the checks use, reporting hours, accepted formats, its latest stored version)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from tallyroom.api.openapi_contract import command, command_responses
from tallyroom.api.response_bodies import StationSetupBody
from tallyroom.api.runtime import bearer_token, runtime_of
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.definition.station_setup import station_setup

router = APIRouter(prefix="/api/v1", tags=["stations"])


@router.get(
    "/stations/{code}/setup",
    summary="A station's set-up for its device",
    responses=command_responses({200: (StationSetupBody, "the station's set-up")}),
    openapi_extra=command(),
)
async def get_station_setup(code: str, request: Request) -> JSONResponse:
    token = bearer_token(request)
    setup = await run_in_threadpool(
        runtime_of(request).read,
        lambda session: station_setup(
            session, principal=authenticate(session, token), station_code=code
        ),
    )
    return JSONResponse(setup, headers={"Cache-Control": "no-store"})
