"""Routes for the commission's decisions: flagged protocols, annulments, recounts, certification."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from tallyroom.api.integer_parameters import ConstituencyNumber, ProtocolVersion
from tallyroom.api.json_body import json_object
from tallyroom.api.runtime import bearer_token, runtime_of
from tallyroom.service.certification import certify_contest
from tallyroom.service.credentials import revoke_token
from tallyroom.service.errors import InvalidInput
from tallyroom.service.protocols import annul_station, decide_flagged, order_recount

router = APIRouter(prefix="/api/v1", tags=["commission"])


def _reason(body: dict[str, object]) -> str:
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("reason_required", "a decision needs a reason")
    return reason


@router.post(
    "/stations/{code}/protocols/{version}/decision", summary="Accept or reject a flagged protocol"
)
async def post_decision(code: str, version: ProtocolVersion, request: Request) -> JSONResponse:
    body = await json_object(request)
    decision = body.get("decision")
    if decision not in ("accept", "reject"):
        raise InvalidInput("invalid_decision", "decision must be accept or reject")
    reason = _reason(body)
    outcome = await run_in_threadpool(
        runtime_of(request).command,
        bearer_token(request),
        lambda session, principal: decide_flagged(
            session,
            principal=principal,
            station_code=code,
            version=version,
            accept=decision == "accept",
            reason=reason,
        ),
    )
    return JSONResponse(outcome.as_dict())


@router.post("/stations/{code}/annulment", summary="Annul a station's result")
async def post_annulment(code: str, request: Request) -> JSONResponse:
    reason = _reason(await json_object(request))
    await run_in_threadpool(
        runtime_of(request).command,
        bearer_token(request),
        lambda session, principal: annul_station(
            session, principal=principal, station_code=code, reason=reason
        ),
    )
    return JSONResponse({"station": code, "annulled": True}, status_code=201)


@router.post("/stations/{code}/recount", summary="Order a recount at a station")
async def post_recount(code: str, request: Request) -> JSONResponse:
    reason = _reason(await json_object(request))
    await run_in_threadpool(
        runtime_of(request).command,
        bearer_token(request),
        lambda session, principal: order_recount(
            session, principal=principal, station_code=code, reason=reason
        ),
    )
    return JSONResponse({"station": code, "recount_ordered": True}, status_code=201)


@router.post("/constituencies/{number}/certification", summary="Certify a constituency's result")
async def post_certification(number: ConstituencyNumber, request: Request) -> JSONResponse:
    await run_in_threadpool(
        runtime_of(request).command,
        bearer_token(request),
        lambda session, principal: certify_contest(
            session, principal=principal, constituency_number=number
        ),
    )
    return JSONResponse({"constituency": number, "certified": True}, status_code=201)


@router.post("/tokens/revocation", summary="Revoke a token (a lost phone, a replaced secretary)")
async def post_token_revocation(request: Request) -> JSONResponse:
    body = await json_object(request)
    token = body.get("token")
    if not isinstance(token, str) or not token:
        raise InvalidInput("token_required", "name the token to revoke")
    await run_in_threadpool(
        runtime_of(request).command,
        bearer_token(request),
        lambda session, principal: revoke_token(session, principal=principal, token=token),
    )
    return JSONResponse({"revoked": True}, status_code=201)
