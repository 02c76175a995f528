"""Routes for certification: a constituency's contest and the nation's result certified by
the commission (signed with its key) and withdrawn with a reason; the signed documents
published for anyone to check."""

from __future__ import annotations

import json
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import caller_of
from tallyroom.api.conditional_get import json_read
from tallyroom.api.integer_parameters import ConstituencyNumber
from tallyroom.api.json_body import json_object, optional_json_object
from tallyroom.api.openapi_contract import (
    CONDITIONAL_READ,
    command,
    command_responses,
    public_read,
)
from tallyroom.api.request_bodies import CertificationRequestBody, ReasonBody, validated
from tallyroom.api.response_bodies import CertificationBody, CertificationsBody
from tallyroom.api.runtime import runtime_of
from tallyroom.service.definition.credentials import Principal
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


#: certifies in the command's transaction: (session, principal, reason, commission's key)
Certifying = Callable[
    [Session, Principal, str | None, Ed25519PrivateKey | None], PublishedCertification
]
#: withdraws a certification in the command's transaction: (session, principal, reason)
Withdrawing = Callable[[Session, Principal, str], None]


def certified_body(certification: PublishedCertification) -> dict[str, object]:
    return {
        "constituency": certification.constituency,
        "certified": True,
        "document": certification.document,
        "public_key": certification.public_key,
        "signature": certification.signature,
    }


async def certified(request: Request, certifying: Certifying) -> JSONResponse:
    """The command of a certification route (round 1, round 2): the body's optional reason,
    signed with the server's commission key; 201 with the signed document."""
    # No body at all is the same as {}: a reason is only needed when too close.
    body = validated(CertificationRequestBody, await optional_json_object(request))
    runtime = runtime_of(request)
    certification = await run_in_threadpool(
        runtime.command,
        caller_of(request),
        lambda session, principal: certifying(
            session, principal, body.reason, runtime.tree_head_key
        ),
    )
    return JSONResponse(certified_body(certification), status_code=201)


async def withdrawn(
    request: Request, withdrawing: Withdrawing, constituency: int | None
) -> JSONResponse:
    """The command of a withdrawal route: the body's required reason."""
    reason = validated(ReasonBody, await json_object(request)).reason
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: withdrawing(session, principal, reason),
    )
    return JSONResponse({"constituency": constituency, "certified": False})


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
    return await certified(
        request,
        lambda session, principal, reason, key: certify_contest(
            session, principal=principal, constituency_number=number, reason=reason, signing_key=key
        ),
    )


@router.post(
    "/constituencies/{number}/certification/withdrawal",
    summary="Withdraw a constituency's certification, with a reason",
    responses=command_responses({200: (CertificationBody, "withdrawn")}),
    openapi_extra=command(ReasonBody, body="why the certification is withdrawn"),
)
async def post_withdrawal(number: ConstituencyNumber, request: Request) -> JSONResponse:
    return await withdrawn(
        request,
        lambda session, principal, reason: withdraw_contest_certification(
            session, principal=principal, constituency_number=number, reason=reason
        ),
        number,
    )


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
    return await withdrawn(
        request,
        lambda session, principal, reason: withdraw_nation_certification(
            session, principal=principal, reason=reason
        ),
        None,
    )


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
