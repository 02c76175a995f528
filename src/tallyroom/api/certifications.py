"""Routes for certification: a constituency's contest and the nation's result certified by
the commission (signed with its key) and withdrawn with a reason; the signed documents
published for anyone to check."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import caller_of
from tallyroom.api.conditional_get import json_read
from tallyroom.api.integer_parameters import ConstituencyNumber
from tallyroom.api.json_body import json_object
from tallyroom.api.openapi_contract import (
    CONDITIONAL_READ,
    command,
    command_responses,
    public_read,
)
from tallyroom.api.request_bodies import CertificationRequestBody, ReasonBody, validated
from tallyroom.api.response_bodies import CertificationBody, CertificationsBody
from tallyroom.api.runtime import runtime_of
from tallyroom.service.definition.elections import election_row
from tallyroom.service.results.certification import (
    PublishedCertification,
    certify_contest,
    certify_nation,
    nation_certified,
    published_certifications,
    withdraw_contest_certification,
    withdraw_nation_certification,
)

router = APIRouter(prefix="/api/v1", tags=["commission"])


def certified_body(certification: PublishedCertification) -> dict[str, object]:
    return {
        "constituency": certification.constituency,
        "certified": True,
        "document": certification.document,
        "public_key": certification.public_key,
        "signature": certification.signature,
    }


@router.post(
    "/constituencies/{number}/certification",
    summary="Certify a constituency's result (a reason when it is too close to call)",
    status_code=201,
    responses=command_responses({201: (CertificationBody, "certified, signed")}),
    openapi_extra=command(
        CertificationRequestBody,
        body="why a too-close result is certified (optional otherwise)",
        body_required=False,
    ),
)
async def post_certification(number: ConstituencyNumber, request: Request) -> JSONResponse:
    # No body at all is the same as {}: a reason is only needed when too close.
    empty = request.headers.get("content-length", "0") == "0" and (
        "transfer-encoding" not in request.headers
    )
    body = validated(CertificationRequestBody, {} if empty else await json_object(request))
    runtime = runtime_of(request)
    certification = await run_in_threadpool(
        runtime.command,
        caller_of(request),
        lambda session, principal: certify_contest(
            session,
            principal=principal,
            constituency_number=number,
            reason=body.reason,
            signing_key=runtime.tree_head_key,
        ),
    )
    return JSONResponse(certified_body(certification), status_code=201)


@router.post(
    "/constituencies/{number}/certification/withdrawal",
    summary="Withdraw a constituency's certification, with a reason",
    responses=command_responses({200: (CertificationBody, "withdrawn")}),
    openapi_extra=command(ReasonBody, body="why the certification is withdrawn"),
)
async def post_withdrawal(number: ConstituencyNumber, request: Request) -> JSONResponse:
    reason = validated(ReasonBody, await json_object(request)).reason
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: withdraw_contest_certification(
            session, principal=principal, constituency_number=number, reason=reason
        ),
    )
    return JSONResponse({"constituency": number, "certified": False})


@router.post(
    "/certification",
    summary="Certify the national result, once every constituency is certified",
    status_code=201,
    responses=command_responses({201: (CertificationBody, "certified, signed: results final")}),
    openapi_extra=command(),
)
async def post_national_certification(request: Request) -> JSONResponse:
    runtime = runtime_of(request)
    certification = await run_in_threadpool(
        runtime.command,
        caller_of(request),
        lambda session, principal: certify_nation(
            session, principal=principal, signing_key=runtime.tree_head_key
        ),
    )
    return JSONResponse(certified_body(certification), status_code=201)


@router.post(
    "/certification/withdrawal",
    summary="Withdraw the national certification, with a reason",
    responses=command_responses({200: (CertificationBody, "withdrawn: results preliminary")}),
    openapi_extra=command(ReasonBody, body="why the certification is withdrawn"),
)
async def post_national_withdrawal(request: Request) -> JSONResponse:
    reason = validated(ReasonBody, await json_object(request)).reason
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: withdraw_nation_certification(
            session, principal=principal, reason=reason
        ),
    )
    return JSONResponse({"constituency": None, "certified": False})


@router.get(
    "/certifications",
    summary="Every certification as signed, withdrawn ones too (public)",
    responses=public_read(CertificationsBody, "the certifications, oldest first"),
    openapi_extra=CONDITIONAL_READ,
    tags=["results"],
)
async def get_certifications(request: Request) -> Response:
    def read(session: Session) -> dict[str, object]:
        election = election_row(session)
        return {
            "election": election.code,
            "final": nation_certified(session, election.id),
            "certifications": [c.as_dict() for c in published_certifications(session)],
        }

    published = await run_in_threadpool(runtime_of(request).read, read)
    return json_read(request, json.dumps(published, ensure_ascii=False).encode())
