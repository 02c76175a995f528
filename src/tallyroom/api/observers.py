"""Routes of observers and complaints: accreditation (the commission), observers' protocol
copies (an observer's own credential), complaints (anyone files; commissions decide) and
their public reads."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from contextlib import nullcontext
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import caller_of
from tallyroom.api.errors import error_responses
from tallyroom.api.json_body import json_object
from tallyroom.api.observer_bodies import (
    AccreditationBody,
    AccreditedObserversBody,
    AppealBody,
    AppealDecisionBody,
    ApplicationBody,
    ApplicationDecisionBody,
    AssignmentBody,
    ComplaintDecisionBody,
    ComplaintFiledBody,
    ComplaintFilingBody,
    ComplaintRegisterBody,
    ComplaintStepBody,
    CopyCountsBody,
    CopyStoredBody,
    DoneBody,
    IssuedObserversBody,
    ObserverStatisticsBody,
    OrganisationApplicationBody,
    OutageCitationBody,
    ProtocolCopyBody,
    PublicationBody,
    RevocationReasonBody,
    StationCopiesBody,
    WithheldComplaintBody,
)
from tallyroom.api.openapi_contract import command, command_responses, request_body
from tallyroom.api.request_bodies import validated
from tallyroom.api.runtime import Runtime, bearer_token, runtime_of
from tallyroom.domain.observer_accreditation import AccreditationRequest
from tallyroom.domain.observer_badge import badge_svg
from tallyroom.domain.protocol_copy import FieldDifference
from tallyroom.domain.uploaded_file import CheckedFile
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.errors import InvalidInput, TooLarge
from tallyroom.service.watchers import complaints, observer_accreditation, observer_copies
from tallyroom.service.watchers.observer_view import observer_summary
from tallyroom.service.watchers.stored_files import checked
from tallyroom.store.database import transaction
from tallyroom.web.filing_rate_limit import filing_limit_of

router = APIRouter(prefix="/api/v1", tags=["observers"])
Outcome = TypeVar("Outcome")
#: a complaint with five photos, in base64
MAXIMUM_FILING_BYTES = 40 * 1024 * 1024


def writer(runtime: Runtime) -> Callable[[Callable[[Session], Outcome]], Outcome]:
    """Run one command in one transaction on the runtime's writer (the web forms' too)."""

    def write(action: Callable[[Session], Outcome]) -> Outcome:
        with runtime.write_lock or nullcontext(), transaction(runtime.writer) as session:
            return action(session)

    return write


def _write(request: Request, action: Callable[[Session], Outcome]) -> Outcome:
    return writer(runtime_of(request))(action)


async def _body(request: Request, limit: int) -> dict[str, Any]:
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise TooLarge("body_too_large", f"the body is over {limit // (1024 * 1024)} MiB")
    size = 0
    chunks = bytearray()
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge("body_too_large", f"the body is over {limit // (1024 * 1024)} MiB")
        chunks.extend(chunk)
    try:
        parsed = json.loads(bytes(chunks))
    except (ValueError, RecursionError):
        raise InvalidInput("malformed_json", "the body is not JSON") from None
    if not isinstance(parsed, dict):
        raise InvalidInput("not_an_object", "the body must be a JSON object")
    return refuse_nul(parsed)


def refuse_nul(body: dict[str, Any]) -> dict[str, Any]:
    """No NUL character anywhere: PostgreSQL cannot store one in text, and nothing a person
    types contains one."""
    if "\\u0000" in json.dumps(body):
        raise InvalidInput("nul_character", "the body holds a NUL character")
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            "not_unicode", "the body holds a string that is not Unicode text"
        ) from None
    return body


async def checked_json(request: Request) -> dict[str, Any]:
    """A small JSON body (api/json_body.py's limits) without NUL characters."""
    return refuse_nul(await json_object(request))


def _decoded(content_base64: str) -> bytes:
    try:
        return base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("invalid_base64", "the file is not valid base64") from None


# ------------------------------------------------------------------------------ accreditation


@router.post(
    "/organisation-applications",
    summary="Apply as an organisation to observe or to run an exit poll",
    status_code=201,
    responses=command_responses({201: (ApplicationBody, "stored, awaiting the decision")}),
    openapi_extra=request_body(OrganisationApplicationBody, "the organisation"),
)
async def post_application(request: Request) -> JSONResponse:
    body = validated(OrganisationApplicationBody, await checked_json(request))
    application = observer_accreditation.Application(
        body.code,
        body.name,
        body.kind,
        body.country,
        body.represents,
        body.partner_name,
        body.partner_country,
    )
    row = await run_in_threadpool(
        _write,
        request,
        lambda session: observer_accreditation.apply_organisation(session, application),
    )
    return JSONResponse({"code": row.code, "kind": row.kind, "status": row.status}, status_code=201)


@router.post(
    "/organisation-applications/{code}/decision",
    summary="Accredit or refuse an organisation",
    responses=command_responses({200: (ApplicationBody, "decided")}),
    openapi_extra=command(ApplicationDecisionBody, body="accredit or refuse, and why"),
)
async def post_application_decision(code: str, request: Request) -> JSONResponse:
    body = validated(ApplicationDecisionBody, await checked_json(request))
    row = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: observer_accreditation.decide_application(
            session,
            principal=principal,
            code=code,
            accredit=body.decision == "accredit",
            reason=body.reason,
        ),
    )
    return JSONResponse({"code": row.code, "kind": row.kind, "status": row.status})


@router.post(
    "/observers/accreditations",
    summary="Accredit observers (all or none); credentials are shown once",
    status_code=201,
    responses=command_responses({201: (IssuedObserversBody, "accredited")}),
    openapi_extra=command(AccreditationBody, body="the observers"),
)
async def post_accreditations(request: Request) -> JSONResponse:
    body = validated(AccreditationBody, await checked_json(request))
    requests = [
        AccreditationRequest(
            line=index,
            code=o.code,
            full_name=o.full_name,
            kind=o.kind,
            country=o.country,
            organisation=o.organisation,
            represents=o.represents,
            stations=tuple(o.stations),
            constituency=o.constituency,
        )
        for index, o in enumerate(body.observers, start=1)
    ]
    issued = await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: observer_accreditation.accredit_observers(
            session, principal=principal, requests=requests
        ),
    )
    return JSONResponse(
        {
            "observers": [
                {
                    "code": i.code,
                    "badge_number": i.badge_number,
                    "credential": i.credential,
                    "badge_svg": badge_svg(
                        full_name=i.full_name,
                        badge_number=i.badge_number,
                        organisation=i.organisation,
                        kind=i.kind,
                        credential=i.credential,
                    ),
                }
                for i in issued
            ]
        },
        status_code=201,
    )


@router.post(
    "/observers/{code}/revocation",
    summary="Revoke an observer's accreditation",
    status_code=201,
    responses=command_responses({201: (DoneBody, "revoked")}),
    openapi_extra=command(RevocationReasonBody, body="why"),
)
async def post_observer_revocation(code: str, request: Request) -> JSONResponse:
    reason = validated(RevocationReasonBody, await checked_json(request)).reason
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: observer_accreditation.revoke_accreditation(
            session, principal=principal, code=code, reason=reason
        ),
    )
    return JSONResponse({"done": True}, status_code=201)


@router.post(
    "/observers/{code}/assignment",
    summary="Assign an accredited observer to stations or a constituency",
    status_code=201,
    responses=command_responses({201: (DoneBody, "assigned")}),
    openapi_extra=command(AssignmentBody, body="the stations and constituency"),
)
async def post_assignment(code: str, request: Request) -> JSONResponse:
    body = validated(AssignmentBody, await checked_json(request))
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: observer_accreditation.assign_observer(
            session,
            principal=principal,
            code=code,
            stations=body.stations,
            constituency=body.constituency,
        ),
    )
    return JSONResponse({"done": True}, status_code=201)


@router.get(
    "/observers",
    summary="Accredited observers with their names (the commission only)",
    response_model=AccreditedObserversBody,
    responses=error_responses(401, 403, 404, 422),
    openapi_extra={"security": [{"bearer": []}]},
)
async def get_accredited_observers(
    request: Request, offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0
) -> JSONResponse:
    token = bearer_token(request)

    def read(session: Session) -> list[observer_accreditation.AccreditedObserver]:
        principal = authenticate(session, token)
        return observer_accreditation.accredited_observers(
            session, principal=principal, limit=100, offset=offset
        )

    found = await run_in_threadpool(runtime_of(request).read, read)
    return JSONResponse(
        {
            "observers": [
                {
                    "code": o.code,
                    "full_name": o.full_name,
                    "kind": o.kind,
                    "organisation": o.organisation,
                    "country": o.country,
                    "badge_number": o.badge_number,
                    "stations": o.stations,
                    "revoked": o.revoked,
                }
                for o in found
            ]
        }
    )


@router.get(
    "/observers/statistics",
    summary="Accredited observers by kind, organisation and country",
    response_model=ObserverStatisticsBody,
    responses=error_responses(401, 403, 404, 422),
)
async def get_observer_statistics(request: Request) -> JSONResponse:
    summary = await run_in_threadpool(
        runtime_of(request).read, lambda session: observer_summary(session, accredited_only=True)
    )

    def counts(items: Any) -> list[dict[str, Any]]:
        return [{"key": c.key, "name": c.name, "observers": c.observers} for c in items]

    return JSONResponse(
        {
            "local": summary.local,
            "international": summary.international,
            "international_organisations": summary.international_organisations,
            "international_countries": summary.international_countries,
            "local_by_kind": counts(summary.local_by_kind),
            "local_by_organisation": counts(summary.local_by_organisation),
            "international_by_organisation": counts(summary.international_by_organisation),
            "international_by_country": counts(summary.international_by_country),
        }
    )


# -------------------------------------------------------------------------- protocol copies


def idempotency_key_of(request: Request) -> str | None:
    """The sender's `Idempotency-Key` header: the same key again gets the first answer's
    thing, stored once (checked by the service)."""
    key = request.headers.get("idempotency-key")
    return key.strip()[:100] if key else None


def _photo(content_base64: str | None) -> CheckedFile | None:
    if content_base64 is None:
        return None
    return checked(_decoded(content_base64), declared_type=None, photos_only=True)


@router.post(
    "/observer/protocol-copies",
    summary="Submit the figures of your copy of a station's protocol (observer credential)",
    status_code=201,
    responses=command_responses({201: (CopyStoredBody, "stored; never counted")}),
    openapi_extra=command(ProtocolCopyBody, body="the copy's figures and a photo"),
)
async def post_protocol_copy(request: Request) -> JSONResponse:
    body = validated(ProtocolCopyBody, await _body(request, MAXIMUM_FILING_BYTES))
    photo = _photo(body.photo_base64)
    credential = bearer_token(request)
    key = idempotency_key_of(request)

    def submit(session: Session) -> int:
        observer = observer_accreditation.authenticate_observer(session, credential)
        row = observer_copies.submit_copy(
            session,
            observer=observer,
            station_code=body.station,
            figures=body.figures.model_dump(),
            photo=photo,
            idempotency_key=key,
        )
        return row.id

    copy_id = await run_in_threadpool(_write, request, submit)
    return JSONResponse({"station": body.station, "copy_id": copy_id}, status_code=201)


def _differences(items: tuple[FieldDifference, ...]) -> list[dict[str, Any]]:
    return [{"field": d.field, "copy_value": d.copy, "station_value": d.station} for d in items]


@router.get(
    "/stations/{code}/observer-copies",
    summary="Observers' copies of a station's protocol, beside the counted versions",
    response_model=StationCopiesBody,
    responses=error_responses(401, 403, 404, 422),
)
async def get_station_copies(code: str, request: Request) -> JSONResponse:
    copies = await run_in_threadpool(
        runtime_of(request).read,
        lambda session: observer_copies.station_copies(session, station_code=code),
    )
    return JSONResponse(
        {
            "station": code,
            "copies": [
                {
                    "badge_number": c.badge_number,
                    "submitted_at": c.submitted_at.isoformat(),
                    "counted_version": c.counted_version,
                    "matches": c.matches,
                    "against_counted": _differences(c.against_counted),
                    "version_at_copy": c.version_at_copy,
                    "against_version_at_copy": _differences(c.against_version_at_copy),
                    "has_photo": c.has_photo,
                }
                for c in copies
            ],
        }
    )


@router.get(
    "/observer-copies/summary",
    summary="National count of observers' copies matching and not matching the protocols",
    response_model=CopyCountsBody,
    responses=error_responses(401, 403, 404, 422),
)
async def get_copy_counts(request: Request) -> JSONResponse:
    counts = await run_in_threadpool(runtime_of(request).read, observer_copies.national_copy_counts)
    return JSONResponse(
        {
            "copies": counts.copies,
            "matching": counts.matching,
            "mismatching": counts.mismatching,
            "not_comparable": counts.not_comparable,
            "stations_with_mismatch": list(counts.stations_with_mismatch),
        }
    )


# ------------------------------------------------------------------------------- complaints


def _public(c: complaints.PublicComplaint) -> dict[str, Any]:
    return {
        "tracking_number": c.tracking_number,
        "category": c.category,
        "about": c.about,
        "station": c.station,
        "constituency": c.constituency,
        "filed_at": c.filed_at.isoformat(),
        "due_at": c.due_at.isoformat(),
        "status": c.status,
        "overdue": c.overdue,
        "steps": [
            {
                "kind": s.kind,
                "body": s.body,
                "decided_by": s.decided_by,
                "decided_at": s.decided_at.isoformat(),
                "reason": s.reason,
                "outcome": s.outcome,
            }
            for s in c.steps
        ],
        "description": c.description,
        "attachments": list(c.attachments),
        "station_decision": c.station_decision,
        "webcam_outage": {
            "id": c.webcam_outage[0],
            "started_at": c.webcam_outage[1].isoformat(),
            "ended_at": c.webcam_outage[2].isoformat(),
        }
        if c.webcam_outage
        else None,
    }


@router.post(
    "/complaints",
    summary="File a complaint (anyone; an observer's credential, if sent, signs it)",
    status_code=201,
    responses=command_responses(
        {201: (ComplaintFiledBody, "filed: keep the tracking number")}, 429
    ),
    openapi_extra=request_body(ComplaintFilingBody, "the complaint and its attachments"),
)
async def post_complaint(request: Request) -> JSONResponse:
    filing_limit_of(request.app.state).admit(request.client.host if request.client else "unknown")
    body = validated(ComplaintFilingBody, await _body(request, MAXIMUM_FILING_BYTES))
    # Checked before any transaction: a refused file stores nothing.
    files = [
        checked(_decoded(a.content_base64), declared_type=a.content_type) for a in body.attachments
    ]
    credential = bearer_token(request)
    filing = complaints.ComplaintFiling(
        category=body.category,
        about=body.about,
        description=body.description,
        reporter_kind=body.reporter_kind,
        station=body.station,
        constituency=body.constituency,
        reporter_name=body.reporter_name,
        reporter_contact=body.reporter_contact,
        webcam_outage=body.webcam_outage,
    )
    key = idempotency_key_of(request)

    def file(session: Session) -> dict[str, Any]:
        observer = (
            observer_accreditation.authenticate_observer(session, credential)
            if credential
            else None
        )
        row = complaints.file_complaint(
            session, filing, attachments=files, observer=observer, idempotency_key=key
        )
        return {
            "tracking_number": row.tracking_number,
            "status": row.status,
            "due_at": row.due_at.isoformat(),
        }

    return JSONResponse(await run_in_threadpool(_write, request, file), status_code=201)


@router.get(
    "/complaints",
    summary="The public register of complaints",
    response_model=ComplaintRegisterBody,
    responses=error_responses(401, 403, 404, 422),
)
async def get_complaints(request: Request, station: str | None = None) -> JSONResponse:
    found = await run_in_threadpool(
        runtime_of(request).read,
        lambda session: complaints.complaint_register(session, station=station),
    )
    return JSONResponse({"complaints": [_public(c) for c in found]})


@router.get(
    "/complaints/{tracking}",
    summary="A complaint in full (the commission, or the reporter's own organisation)",
    response_model=WithheldComplaintBody,
    openapi_extra={"security": [{"bearer": []}]},
    responses=error_responses(401, 403, 404, 422),
)
async def get_complaint(tracking: str, request: Request) -> JSONResponse:
    token = bearer_token(request)

    def read(session: Session) -> complaints.WithheldComplaint:
        viewer: Any
        if token and token.startswith(observer_accreditation.CREDENTIAL_PREFIX):
            viewer = observer_accreditation.authenticate_observer(session, token)
        else:
            viewer = authenticate(session, token)
        return complaints.withheld_complaint(session, viewer=viewer, tracking=tracking)

    found = await run_in_threadpool(runtime_of(request).read, read)
    return JSONResponse(
        {
            "complaint": _public(found.public),
            "description": found.description,
            "attachments": list(found.attachments),
            "reporter_kind": found.reporter_kind,
            "reporter_name": found.reporter_name,
            "reporter_contact": found.reporter_contact,
        }
    )


@router.post(
    "/complaints/{tracking}/review",
    summary="Take a complaint under review",
    status_code=201,
    responses=command_responses({201: (DoneBody, "under review")}),
    openapi_extra=command(ComplaintStepBody, body="why"),
)
async def post_review(tracking: str, request: Request) -> JSONResponse:
    reason = validated(ComplaintStepBody, await checked_json(request)).reason
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: complaints.begin_review(
            session, principal=principal, tracking=tracking, reason=reason
        ),
    )
    return JSONResponse({"done": True}, status_code=201)


@router.post(
    "/complaints/{tracking}/decision",
    summary="Uphold (perhaps ordering a recount or annulment) or dismiss a complaint",
    status_code=201,
    responses=command_responses({201: (DoneBody, "decided")}),
    openapi_extra=command(ComplaintDecisionBody, body="the decision and why"),
)
async def post_complaint_decision(tracking: str, request: Request) -> JSONResponse:
    body = validated(ComplaintDecisionBody, await checked_json(request))
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: complaints.decide_complaint(
            session,
            principal=principal,
            tracking=tracking,
            upheld=body.decision == "uphold",
            reason=body.reason,
            remedy=body.remedy,
        ),
    )
    return JSONResponse({"done": True}, status_code=201)


@router.post(
    "/complaints/{tracking}/appeal",
    summary="Record an appeal of a decided complaint",
    status_code=201,
    responses=command_responses({201: (DoneBody, "recorded")}),
    openapi_extra=command(AppealBody, body="the body appealed to, and why"),
)
async def post_appeal(tracking: str, request: Request) -> JSONResponse:
    body = validated(AppealBody, await checked_json(request))
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: complaints.record_appeal(
            session,
            principal=principal,
            tracking=tracking,
            appeal_body=body.appeal_body,
            reason=body.reason,
        ),
    )
    return JSONResponse({"done": True}, status_code=201)


@router.post(
    "/complaints/{tracking}/appeal-decision",
    summary="Record the outcome of an appeal",
    status_code=201,
    responses=command_responses({201: (DoneBody, "recorded")}),
    openapi_extra=command(AppealDecisionBody, body="the outcome and why"),
)
async def post_appeal_decision(tracking: str, request: Request) -> JSONResponse:
    body = validated(AppealDecisionBody, await checked_json(request))
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: complaints.decide_appeal(
            session,
            principal=principal,
            tracking=tracking,
            appeal_upheld=body.outcome == "upheld",
            reason=body.reason,
        ),
    )
    return JSONResponse({"done": True}, status_code=201)


@router.post(
    "/complaints/{tracking}/publication",
    summary="Publish a complaint's description, redacted, and chosen attachments",
    status_code=201,
    responses=command_responses({201: (DoneBody, "published")}),
    openapi_extra=command(PublicationBody, body="the redacted description"),
)
async def post_publication(tracking: str, request: Request) -> JSONResponse:
    body = validated(PublicationBody, await checked_json(request))
    await run_in_threadpool(
        runtime_of(request).command,
        caller_of(request),
        lambda session, principal: complaints.publish_complaint(
            session,
            principal=principal,
            tracking=tracking,
            redacted_description=body.description,
            attachments=body.attachments,
        ),
    )
    return JSONResponse({"done": True}, status_code=201)


@router.post(
    "/complaints/{tracking}/webcam-outage",
    summary="Link a complaint to an outage of its station's camera (once)",
    status_code=201,
    responses=command_responses({201: (DoneBody, "linked")}),
    openapi_extra=command(OutageCitationBody, body="the outage and why"),
)
async def post_outage_citation(tracking: str, request: Request) -> JSONResponse:
    body = validated(OutageCitationBody, await checked_json(request))
    await run_in_threadpool(
        runtime_of(request).command,
        bearer_token(request),
        lambda session, principal: complaints.cite_outage(
            session,
            principal=principal,
            tracking=tracking,
            outage_id=body.outage,
            reason=body.reason,
        ),
    )
    return JSONResponse({"done": True}, status_code=201)
