"""Routes of the webcam registry: cameras and their public links, the monitor's heartbeats,
and the outages derived from them (all the commission's; the monitor is its own system)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import caller_of
from tallyroom.api.json_body import json_object
from tallyroom.api.openapi_contract import command, command_responses
from tallyroom.api.request_bodies import CommissionBody, StationCode, validated
from tallyroom.api.runtime import runtime_of
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.watchers import webcams

router = APIRouter(prefix="/api/v1", tags=["webcams"])


class CameraBody(BaseModel):
    model_config = ConfigDict(title="Camera", extra="forbid")
    station: StationCode
    viewing_url: Annotated[str, Field(min_length=9, max_length=500, pattern=r"^https://")]


class CamerasBody(CommissionBody):
    model_config = ConfigDict(
        title="Cameras",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"cameras": [{"station": "001-0001", "viewing_url": "https://cams.example/1"}]}
            ]
        },
    )
    cameras: Annotated[list[CameraBody], Field(min_length=1, max_length=2000)]


class HeartbeatsBody(CommissionBody):
    model_config = ConfigDict(
        title="Heartbeats",
        extra="forbid",
        json_schema_extra={"examples": [{"stations": ["001-0001"]}]},
    )
    stations: Annotated[list[StationCode], Field(min_length=1, max_length=5000)]


class CountedBody(BaseModel):
    model_config = ConfigDict(title="Counted")
    count: int


@router.post(
    "/webcams",
    summary="Register cameras and their public viewing links",
    status_code=201,
    responses=command_responses({201: (CountedBody, "registered")}),
    openapi_extra=command(CamerasBody, body="the cameras"),
)
async def post_cameras(request: Request) -> JSONResponse:
    body = validated(CamerasBody, await json_object(request, nul_allowed=False))
    count = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: webcams.register_webcams(
            session, principal=principal, cameras=[(c.station, c.viewing_url) for c in body.cameras]
        ),
    )
    return JSONResponse({"count": count}, status_code=201)


@router.post(
    "/webcams/heartbeats",
    summary="The camera monitor: these stations' cameras are up now",
    status_code=201,
    responses=command_responses({201: (CountedBody, "recorded")}),
    openapi_extra=command(HeartbeatsBody, body="the stations whose cameras are up"),
)
async def post_heartbeats(request: Request) -> JSONResponse:
    body = validated(HeartbeatsBody, await json_object(request, nul_allowed=False))
    count = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: webcams.record_heartbeats(
            session, principal=principal, stations=body.stations
        ),
    )
    return JSONResponse({"count": count}, status_code=201)


@router.post(
    "/webcams/outages",
    summary="Record the outages up to now, derived from the heartbeats",
    status_code=201,
    responses=command_responses({201: (CountedBody, "outages recorded")}),
    openapi_extra=command(),
)
async def post_outages(request: Request) -> JSONResponse:
    runtime = runtime_of(request)

    def derive(session: Session, principal: Principal) -> int:
        election = election_of(election_row(session, None))
        return webcams.derive_outages(
            session, principal=principal, until=runtime.clock.now(election)
        )

    count = await run_in_threadpool(runtime.command, caller_of(request), derive)
    return JSONResponse({"count": count}, status_code=201)
