"""Routes binding a device's own key to its station: enrolment with a one-time code, and a
new code when a phone is lost (which revokes the old key from that moment)."""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import caller_of
from tallyroom.api.json_body import json_object
from tallyroom.api.openapi_contract import command, command_responses, request_body
from tallyroom.api.request_bodies import EnrolmentBody
from tallyroom.api.response_bodies import EnrolmentCodeBody, EnrolmentOutcomeBody
from tallyroom.api.runtime import runtime_of
from tallyroom.service.definition.elections import election_row
from tallyroom.service.definition.station_enrolment import enrol_station, issue_enrolment_code

router = APIRouter(prefix="/api/v1", tags=["stations"])


class Enrolled(Protocol):
    """What an enrolled device receives (its token, its key's fingerprint)."""

    def as_dict(self) -> dict[str, Any]: ...


class Enrolling(Protocol):
    """An enrolment of one purpose: a signing device's, or a poll-book desk's."""

    def __call__(
        self, session: Session, *, station_code: Any, code: Any, public_key: Any, election_id: int
    ) -> Enrolled: ...


async def enrolled(request: Request, enrol: Enrolling) -> JSONResponse:
    """The command of an enrolment route: no token, the body's station, one-time code and
    public key are the proof; 201 with what the device receives."""
    body = await json_object(request)
    enrolment = await run_in_threadpool(
        runtime_of(request).unauthenticated_command,
        lambda session: enrol(
            session,
            station_code=body.get("station"),
            code=body.get("code"),
            public_key=body.get("public_key"),
            election_id=election_row(session).id,
        ),
    )
    return JSONResponse(enrolment.as_dict(), status_code=201)


@router.post(
    "/enrolments",
    summary="Enrol a device's public key for its station with a one-time code",
    description="No token: the station's enrolment code is the proof. The code is spent; the "
    "station's previous key and token are revoked; the answer carries the new station "
    "token. 403 `enrolment_code_wrong`, 409 `enrolment_code_used` or `enrolment_code_expired`, "
    "422 `enrolment_code_mistyped` or `public_key_invalid`.",
    status_code=201,
    responses=command_responses({201: (EnrolmentOutcomeBody, "enrolled")}),
    openapi_extra=request_body(EnrolmentBody, "the station, its code and the device's key"),
)
async def post_enrolment(request: Request) -> JSONResponse:
    return await enrolled(request, enrol_station)


@router.post(
    "/stations/{code}/enrolment-code",
    summary="Issue a new one-time enrolment code for a station (its device was lost)",
    description="The commission or the station's constituency commission. The station's "
    "current key and station token are revoked from this moment; what the key signed "
    "before stays valid, and a document it signed that arrives later is flagged.",
    status_code=201,
    responses=command_responses({201: (EnrolmentCodeBody, "the new code, shown once")}),
    openapi_extra=command(),
)
async def post_enrolment_code(code: str, request: Request) -> JSONResponse:
    new_code = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: issue_enrolment_code(
            session, principal=principal, station_code=code
        ),
    )
    return JSONResponse({"station": code, "code": new_code}, status_code=201)
