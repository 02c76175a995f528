"""Routes for the commission's decisions: flagged protocols, annulments, recounts, certification."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from tallyroom.api.acting_person import caller_of
from tallyroom.api.integer_parameters import ConstituencyNumber, ProtocolVersion
from tallyroom.api.json_body import json_object
from tallyroom.api.openapi_contract import command, command_responses
from tallyroom.api.request_bodies import (
    DecisionBody,
    ReasonBody,
    TokenRevocationBody,
    validated,
)
from tallyroom.api.response_bodies import (
    AnnulmentBody,
    CertificationBody,
    RecountOrderBody,
    RevocationBody,
    SubmissionOutcomeBody,
)
from tallyroom.api.runtime import runtime_of
from tallyroom.service.certification import certify_contest
from tallyroom.service.credentials import revoke_token
from tallyroom.service.protocols import annul_station, decide_flagged, order_recount

router = APIRouter(prefix="/api/v1", tags=["commission"])


@router.post(
    "/stations/{code}/protocols/{version}/decision",
    summary="Accept or reject a flagged protocol",
    responses=command_responses({200: (SubmissionOutcomeBody, "the protocol as decided")}),
    openapi_extra=command(DecisionBody, body="accept or reject, and why"),
)
async def post_decision(
    code: str,
    version: ProtocolVersion,
    request: Request,
) -> JSONResponse:
    body = validated(DecisionBody, await json_object(request))
    outcome = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: decide_flagged(
            session,
            principal=principal,
            station_code=code,
            version=version,
            accept=body.decision == "accept",
            reason=body.reason,
        ),
    )
    return JSONResponse(outcome.as_dict())


@router.post(
    "/stations/{code}/annulment",
    summary="Annul a station's result",
    status_code=201,
    responses=command_responses({201: (AnnulmentBody, "annulled")}),
    openapi_extra=command(ReasonBody, body="why the result is annulled"),
)
async def post_annulment(code: str, request: Request) -> JSONResponse:
    reason = validated(ReasonBody, await json_object(request)).reason
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: annul_station(
            session, principal=principal, station_code=code, reason=reason
        ),
    )
    return JSONResponse({"station": code, "annulled": True}, status_code=201)


@router.post(
    "/stations/{code}/recount",
    summary="Order a recount at a station",
    status_code=201,
    responses=command_responses({201: (RecountOrderBody, "ordered")}),
    openapi_extra=command(ReasonBody, body="why the recount is ordered"),
)
async def post_recount(code: str, request: Request) -> JSONResponse:
    reason = validated(ReasonBody, await json_object(request)).reason
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: order_recount(
            session, principal=principal, station_code=code, reason=reason
        ),
    )
    return JSONResponse({"station": code, "recount_ordered": True}, status_code=201)


@router.post(
    "/constituencies/{number}/certification",
    summary="Certify a constituency's result",
    status_code=201,
    responses=command_responses({201: (CertificationBody, "certified")}),
    openapi_extra=command(),
)
async def post_certification(number: ConstituencyNumber, request: Request) -> JSONResponse:
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: certify_contest(
            session, principal=principal, constituency_number=number
        ),
    )
    return JSONResponse({"constituency": number, "certified": True}, status_code=201)


@router.post(
    "/tokens/revocation",
    summary="Revoke a token (a lost phone, a replaced secretary)",
    status_code=201,
    responses=command_responses({201: (RevocationBody, "revoked")}),
    openapi_extra=command(TokenRevocationBody, body="the token to revoke"),
)
async def post_token_revocation(request: Request) -> JSONResponse:
    token = validated(TokenRevocationBody, await json_object(request)).token
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: revoke_token(session, principal=principal, token=token),
    )
    return JSONResponse({"revoked": True}, status_code=201)
