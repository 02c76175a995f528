"""Routes of the poll book (a station's desks, authenticated by the station's token or a desk's
own poll-book token), the desks' enrolment with one-time codes and revocation, and the poll
book's public figures."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from tallyroom.api.acting_person import caller_of
from tallyroom.api.conditional_get import json_read
from tallyroom.api.enrolments import enrolled
from tallyroom.api.integer_parameters import LARGEST_INTEGER
from tallyroom.api.json_body import json_object
from tallyroom.api.openapi_contract import (
    CONDITIONAL_READ,
    command,
    command_responses,
    public_read,
    request_body,
)
from tallyroom.api.poll_book_bodies import (
    AbsenteeCertificateBody,
    AbsenteeCertificateOutcomeBody,
    AdditionBody,
    AdditionOutcomeBody,
    CheckInBatchBody,
    CheckInBatchOutcomeBody,
    CheckInBody,
    CheckInOutcomeBody,
    LookUpBody,
    PollBookCodeBody,
    PollBookEnrolmentBody,
    PollBookFiguresBody,
    PollBookKeyBody,
    StationPollBookFiguresBody,
    TurnoutCrossCheckBody,
    VoterRecordBody,
)
from tallyroom.api.request_bodies import EnrolmentBody, ReasonBody, validated
from tallyroom.api.runtime import runtime_of
from tallyroom.service.register import poll_book, poll_book_devices, poll_book_figures
from tallyroom.service.register.poll_book import CheckInRequest

router = APIRouter(prefix="/api/v1", tags=["poll book"])
#: 500 check-ins of ~200 bytes each, with room to spare
BATCH_BODY_BYTES = 256 * 1024


def _request(body: CheckInBody) -> CheckInRequest:
    return CheckInRequest(
        voter=body.voter,
        client_reference=body.client_reference,
        identity_match=body.identity_match,
        portable=body.portable,
        certificate=body.certificate,
        checked_in_at=body.checked_in_at,
        contest=body.contest,
    )


@router.post(
    "/pollbook/look-ups",
    summary="Look a voter up (full record only at their own station)",
    responses=command_responses({200: (VoterRecordBody, "what this desk may know")}),
    openapi_extra=command(LookUpBody, body="the voter's id or certificate number"),
)
async def post_look_up(request: Request) -> JSONResponse:
    body = validated(LookUpBody, await json_object(request))
    record = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: poll_book.look_up(
            session, principal=principal, voter=body.voter, certificate=body.certificate
        ),
    )
    if record is None:
        raise poll_book.UNKNOWN_VOTER
    return JSONResponse(record)


@router.post(
    "/pollbook/check-ins",
    summary="Check a voter in (answered at once; a second check-in is refused)",
    status_code=201,
    responses=command_responses({201: (CheckInOutcomeBody, "checked in")}),
    openapi_extra=command(CheckInBody, body="the check-in"),
)
async def post_check_in(request: Request) -> JSONResponse:
    body = validated(CheckInBody, await json_object(request))
    runtime, caller = runtime_of(request), caller_of(request)
    if isinstance(caller, str):
        # a desk's token: committed with the other desks' check-ins of the moment
        outcome = await asyncio.wrap_future(runtime.check_ins.check_in(caller, _request(body)))
    else:
        outcome = await run_in_threadpool(
            runtime.command,
            caller,
            lambda session, principal: poll_book.check_in(
                session, principal=principal, request=_request(body)
            ),
        )
    if outcome.status == "refused":
        raise poll_book.refusal_error(outcome)
    status = 200 if outcome.status == "already_recorded" else 201
    return JSONResponse(outcome.as_dict(), status_code=status)


@router.post(
    "/pollbook/check-ins/batch",
    summary="Send a poll book's check-ins (up to 500; conflicts become incidents)",
    responses=command_responses({200: (CheckInBatchOutcomeBody, "each check-in's outcome")}),
    openapi_extra=command(CheckInBatchBody, body="the check-ins, oldest first"),
)
async def post_check_in_batch(request: Request) -> JSONResponse:
    body = validated(CheckInBatchBody, await json_object(request, BATCH_BODY_BYTES))
    outcomes = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: poll_book.record_check_ins(
            session,
            principal=principal,
            requests=[_request(item) for item in body.check_ins],
            online=not body.offline,
        ),
    )
    return JSONResponse({"outcomes": [outcome.as_dict() for outcome in outcomes]})


@router.post(
    "/pollbook/additions",
    summary="Add a voter to the station's list on polling day (legal reason required)",
    status_code=201,
    responses=command_responses({201: (AdditionOutcomeBody, "added and checked in")}),
    openapi_extra=command(AdditionBody, body="the voter and the legal reason"),
)
async def post_addition(request: Request) -> JSONResponse:
    body = validated(AdditionBody, await json_object(request))
    check_in = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: poll_book.add_voter(
            session,
            principal=principal,
            voter=body.voter,
            full_name=body.full_name,
            birth_date=body.birth_date,
            legal_reason=body.legal_reason,
            client_reference=body.client_reference,
            identity_match=body.identity_match,
            portable=body.portable,
        ),
    )
    return JSONResponse({"check_in": check_in}, status_code=201)


@router.post(
    "/register/absentee-certificates",
    summary="Issue a voter an absentee certificate (commission)",
    status_code=201,
    responses=command_responses({201: (AbsenteeCertificateOutcomeBody, "issued")}),
    openapi_extra=command(AbsenteeCertificateBody, body="the voter and the certificate number"),
)
async def post_absentee_certificate(request: Request) -> JSONResponse:
    body = validated(AbsenteeCertificateBody, await json_object(request))
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: poll_book.issue_absentee_certificate(
            session, principal=principal, voter=body.voter, number=body.number
        ),
    )
    return JSONResponse({"number": body.number, "issued": True}, status_code=201)


@router.post(
    "/stations/{code}/poll-book-codes",
    summary="Issue a one-time code for one more poll-book desk at a station (a commission)",
    description="The commission or the station's constituency commission; up to "
    f"{poll_book_devices.MAXIMUM_DEVICES} desks a station (409 `too_many_devices`). Nothing is "
    "revoked: the station's signing device and its other desks keep working. The code enrols "
    "a desk only (`POST /api/v1/pollbook/enrolments`), never a signing device.",
    status_code=201,
    responses=command_responses({201: (PollBookCodeBody, "the code, shown once")}),
    openapi_extra=command(),
)
async def post_poll_book_code(code: str, request: Request) -> JSONResponse:
    issued = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: poll_book_devices.issue_poll_book_code(
            session, principal=principal, station_code=code
        ),
    )
    return JSONResponse(issued.as_dict(), status_code=201)


@router.post(
    "/pollbook/enrolments",
    summary="Enrol a poll-book desk's public key with its station's one-time desk code",
    description="No token: the desk's code is the proof. The code is spent; the answer "
    "carries the desk's poll-book token. 403 `enrolment_code_wrong` or "
    "`enrolment_code_wrong_purpose` (a signing device's code), 409 `enrolment_code_used`, "
    "`enrolment_code_expired` or `key_known`, 422 `enrolment_code_mistyped` or "
    "`public_key_invalid`.",
    status_code=201,
    responses=command_responses({201: (PollBookEnrolmentBody, "enrolled")}),
    openapi_extra=request_body(EnrolmentBody, "the station, the desk's code and its key"),
)
async def post_poll_book_enrolment(request: Request) -> JSONResponse:
    return await enrolled(request, poll_book_devices.enrol_poll_book_device)


@router.post(
    "/stations/{code}/poll-book-desks/{number}/revocation",
    summary="Revoke one poll-book desk (lost or replaced), with the reason",
    description="A commission in its scope. The desk's key and token stop from now; the "
    "station's other desks and its signing device keep working; what it checked in stays.",
    status_code=201,
    responses=command_responses({201: (PollBookKeyBody, "the desk's key, revoked")}),
    openapi_extra=command(ReasonBody, body="why the desk is revoked"),
)
async def post_poll_book_revocation(
    code: str,
    number: Annotated[int, Path(ge=1, le=LARGEST_INTEGER)],
    request: Request,
) -> JSONResponse:
    body = validated(ReasonBody, await json_object(request))
    key = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: poll_book_devices.revoke_poll_book_device(
            session, principal=principal, station_code=code, number=number, reason=body.reason
        ),
    )
    return JSONResponse(key.as_dict(), status_code=201)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@router.get(
    "/pollbook/figures",
    summary="The poll book's national figures (check-ins, additions, double votes)",
    responses=public_read(PollBookFiguresBody, "national poll-book figures"),
    openapi_extra=CONDITIONAL_READ,
)
async def get_figures(request: Request) -> Response:
    figures = await run_in_threadpool(
        runtime_of(request).read, lambda session: poll_book_figures.national_figures(session)
    )
    return json_read(request, _json(figures))


@router.get(
    "/pollbook/stations/{code}/figures",
    summary="A station's poll-book figures",
    responses=public_read(StationPollBookFiguresBody, "the station's figures", 404, 422),
    openapi_extra=CONDITIONAL_READ,
)
async def get_station_figures(code: str, request: Request) -> Response:
    figures = await run_in_threadpool(
        runtime_of(request).read,
        lambda session: poll_book_figures.station_figures(session, code),
    )
    return json_read(request, _json(figures))


@router.get(
    "/pollbook/turnout-cross-check",
    summary="Check-ins by reporting hour beside the turnout the stations reported",
    responses=public_read(TurnoutCrossCheckBody, "by reporting hour"),
    openapi_extra=CONDITIONAL_READ,
)
async def get_turnout_cross_check(request: Request) -> Response:
    hours = await run_in_threadpool(
        runtime_of(request).read, lambda session: poll_book_figures.turnout_cross_check(session)
    )
    return json_read(request, _json({"hours": hours}))
