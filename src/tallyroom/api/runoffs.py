"""Routes for runoffs: the commission defines a two-round contest's round 2 from its
certified round 1 (withdrawals recorded); the defined rounds 2 are public, each with its
count as it stands (stations submit round-2 protocols to POST /api/v1/protocols, naming the
round-2 contest); round 2 is certified on its own, and withdrawn with a reason."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import caller_of
from tallyroom.api.certifications import certified, withdrawn
from tallyroom.api.conditional_get import json_read
from tallyroom.api.json_body import optional_json_object
from tallyroom.api.openapi_contract import CONDITIONAL_READ, command, command_responses, public_read
from tallyroom.api.request_bodies import (
    CertificationRequestBody,
    ReasonBody,
    RunoffRequestBody,
    validated,
)
from tallyroom.api.response_bodies import CertificationBody, RunoffBody, RunoffsBody
from tallyroom.api.runtime import runtime_of
from tallyroom.domain.runoff import constituency_of_runoff
from tallyroom.service.definition.elections import election_row
from tallyroom.service.results.runoff_certification import (
    certify_runoff,
    withdraw_runoff_certification,
)
from tallyroom.service.results.runoff_protocols import published_runoffs
from tallyroom.service.results.runoffs import define_runoff

router = APIRouter(prefix="/api/v1", tags=["commission"])


@router.post(
    "/contests/{contest}/runoff",
    summary="Define a two-round contest's round 2 from its certified round 1",
    status_code=201,
    responses=command_responses({201: (RunoffBody, "round 2 defined")}),
    openapi_extra=command(
        RunoffRequestBody,
        body="the qualified candidates who withdrew and why, round 2's polling date (optional)",
        body_required=False,
    ),
)
async def post_runoff(contest: str, request: Request) -> JSONResponse:
    body = validated(RunoffRequestBody, await optional_json_object(request))
    defined = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: define_runoff(
            session,
            principal=principal,
            contest=contest,
            withdrawals=body.withdrawals,
            reason=body.reason,
            polling_date=body.polling_date,
        ),
    )
    return JSONResponse(defined.as_dict(), status_code=201)


@router.post(
    "/contests/{contest}/runoff/certification",
    summary="Certify a two-round contest's round 2 once every station's protocol is counted",
    status_code=201,
    responses=command_responses({201: (CertificationBody, "round 2 certified, signed")}),
    openapi_extra=command(
        CertificationRequestBody, body="why it is certified (optional)", body_required=False
    ),
)
async def post_runoff_certification(contest: str, request: Request) -> JSONResponse:
    return await certified(
        request,
        lambda session, principal, reason, key: certify_runoff(
            session,
            principal=principal,
            contest=f"{contest}/round-2",
            reason=reason,
            signing_key=key,
        ),
    )


@router.post(
    "/contests/{contest}/runoff/certification/withdrawal",
    summary="Withdraw a round 2's certification, with a reason",
    responses=command_responses({200: (CertificationBody, "withdrawn")}),
    openapi_extra=command(ReasonBody, body="why the certification is withdrawn"),
)
async def post_runoff_certification_withdrawal(contest: str, request: Request) -> JSONResponse:
    return await withdrawn(
        request,
        lambda session, principal, reason: withdraw_runoff_certification(
            session, principal=principal, contest=f"{contest}/round-2", reason=reason
        ),
        constituency_of_runoff(f"{contest}/round-2"),
    )


@router.get(
    "/runoffs",
    summary="Every round 2 defined, with its qualified and withdrawn candidates (public)",
    responses=public_read(RunoffsBody, "the rounds 2, by constituency"),
    openapi_extra=CONDITIONAL_READ,
    tags=["results"],
)
async def get_runoffs(request: Request) -> Response:
    def read(session: Session) -> dict[str, object]:
        election = election_row(session)
        return {"election": election.code, "runoffs": published_runoffs(session, election.id)}

    published = await run_in_threadpool(runtime_of(request).read, read)
    return json_read(request, json.dumps(published, ensure_ascii=False).encode())
