"""Routes for the commission's decisions: flagged protocols, annulments, recounts, the
confirmation of a decision under four-eyes, and token revocation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from tallyroom.api.acting_person import caller_of
from tallyroom.api.integer_parameters import DecisionId, ProtocolVersion
from tallyroom.api.json_body import json_object
from tallyroom.api.openapi_contract import command, command_responses
from tallyroom.api.request_bodies import (
    AnnulmentOrderBody,
    DecisionBody,
    ReasonBody,
    TokenRevocationBody,
    validated,
)
from tallyroom.api.response_bodies import (
    AnnulmentBody,
    DecisionOutcomeBody,
    RecountOrderBody,
    RevocationBody,
)
from tallyroom.api.runtime import runtime_of
from tallyroom.domain.decision_policy import DecisionKind
from tallyroom.service.definition.credentials import revoke_token
from tallyroom.service.protocols.commission_decisions import (
    PENDING_CONFIRMATION,
    DecisionOutcome,
    confirm_decision,
    decide,
)

router = APIRouter(prefix="/api/v1", tags=["commission"])

#: the protocol's or station's status once a decision is in effect
_DECIDED_STATUS = {
    DecisionKind.ACCEPT: "accepted",
    DecisionKind.REJECT: "rejected",
    DecisionKind.RECOUNT: "recount_ordered",
    DecisionKind.ANNUL: "annulled",
}
#: a decision in effect is created (201); one waiting for a second person accepted (202)
_PENDING_STATUS_CODE = 202


def _outcome_body(outcome: DecisionOutcome) -> dict[str, Any]:
    pending = outcome.state == PENDING_CONFIRMATION
    return outcome.as_dict() | {
        "status": PENDING_CONFIRMATION if pending else _DECIDED_STATUS[outcome.kind]
    }


@router.post(
    "/stations/{code}/protocols/{version}/decision",
    summary="Accept or reject a flagged protocol",
    responses=command_responses(
        {
            200: (DecisionOutcomeBody, "decided"),
            202: (DecisionOutcomeBody, "proposed: a second person must confirm it"),
        }
    ),
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
        lambda session, principal: decide(
            session,
            principal=principal,
            station_code=code,
            kind=DecisionKind(body.decision),
            version=version,
            reason=body.reason,
        ),
    )
    pending = outcome.state == PENDING_CONFIRMATION
    return JSONResponse(
        _outcome_body(outcome), status_code=_PENDING_STATUS_CODE if pending else 200
    )


@router.post(
    "/stations/{code}/annulment",
    summary="Annul a station's result",
    status_code=201,
    responses=command_responses(
        {
            201: (AnnulmentBody, "annulled"),
            202: (AnnulmentBody, "proposed: a second person must confirm it"),
        }
    ),
    openapi_extra=command(AnnulmentOrderBody, body="why the result is annulled, confirmed"),
)
async def post_annulment(code: str, request: Request) -> JSONResponse:
    body = validated(AnnulmentOrderBody, await json_object(request))
    outcome = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: decide(
            session,
            principal=principal,
            station_code=code,
            kind=DecisionKind.ANNUL,
            reason=body.reason,
            confirmed=body.confirmed,
        ),
    )
    pending = outcome.state == PENDING_CONFIRMATION
    return JSONResponse(
        {
            "station": code,
            "annulled": not pending,
            "state": outcome.state,
            "decision_id": outcome.decision_id,
        },
        status_code=_PENDING_STATUS_CODE if pending else 201,
    )


@router.post(
    "/stations/{code}/recount",
    summary="Order a recount at a station (an annulment standing on it stays)",
    status_code=201,
    responses=command_responses(
        {
            201: (RecountOrderBody, "ordered"),
            202: (RecountOrderBody, "proposed: a second person must confirm it"),
        }
    ),
    openapi_extra=command(ReasonBody, body="why the recount is ordered"),
)
async def post_recount(code: str, request: Request) -> JSONResponse:
    reason = validated(ReasonBody, await json_object(request)).reason
    outcome = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: decide(
            session,
            principal=principal,
            station_code=code,
            kind=DecisionKind.RECOUNT,
            reason=reason,
        ),
    )
    pending = outcome.state == PENDING_CONFIRMATION
    return JSONResponse(
        {
            "station": code,
            "recount_ordered": not pending,
            "state": outcome.state,
            "decision_id": outcome.decision_id,
        },
        status_code=_PENDING_STATUS_CODE if pending else 201,
    )


@router.post(
    "/decisions/{decision_id}/confirmation",
    summary="Confirm a decision another person proposed (four-eyes)",
    responses=command_responses({200: (DecisionOutcomeBody, "confirmed: now in effect")}),
    openapi_extra=command(),
)
async def post_confirmation(decision_id: DecisionId, request: Request) -> JSONResponse:
    outcome = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: confirm_decision(
            session, principal=principal, decision_id=decision_id
        ),
    )
    return JSONResponse(_outcome_body(outcome))


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
