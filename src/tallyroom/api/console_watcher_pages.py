"""The console's pages for the watchers' workflows that had only an API: complaints
(/console/complaints: review, uphold or dismiss with a recount or annulment, record an appeal
and its outcome, publish a redacted description and chosen attachments, link an outage of
the station's camera) and organisations'
applications (/console/applications: accredit or refuse). A commission member handles every
complaint, a constituency member those of her constituency; applications are the
commission's. Every form carries the session's CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import signed_in_person
from tallyroom.api.console_pages import CONSOLE, NO_STORE, console_page, form_fields, render_page
from tallyroom.api.runtime import runtime_of
from tallyroom.domain.complaint import StationRemedy
from tallyroom.service.errors import InvalidInput, NotFound
from tallyroom.service.watchers import complaints, observer_accreditation, webcams

COMPLAINTS = f"{CONSOLE}/complaints"
APPLICATIONS = f"{CONSOLE}/applications"
#: what a reason or a redacted description may hold (the services' own limits apply too)
LONGEST_TEXT = 5_000
LONGEST_PATH_PART = 64


def _path_part(text: str, what: str) -> str:
    if len(text) > LONGEST_PATH_PART or not all(c.isalnum() or c in "-_." for c in text):
        raise NotFound(f"unknown_{what}", f"there is no such {what}")
    return text


def _text(fields: dict[str, str], name: str, *, required: bool = True) -> str:
    value = fields.get(name, "")
    if len(value) > LONGEST_TEXT or "\x00" in value:
        raise InvalidInput(
            f"invalid_{name}",
            f"{name}: at most {LONGEST_TEXT} characters",
            problems=[{"field": name, "message": f"at most {LONGEST_TEXT} characters"}],
        )
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{name}_required", f"{name}: required")
    return value


def _choice(fields: dict[str, str], name: str, choices: dict[str, bool]) -> bool:
    value = fields.get(name, "")
    if value not in choices:
        raise InvalidInput(f"invalid_{name}", f"{name}: one of {', '.join(choices)}")
    return choices[value]


def console_watcher_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    # --- complaints -------------------------------------------------------------------------

    @router.get(COMPLAINTS)
    @console_page
    async def complaints_page(request: Request) -> Response:
        person = await signed_in_person(request)

        def load(
            session: Session,
        ) -> tuple[list[complaints.WithheldComplaint], dict[str, tuple[Any, ...]]]:
            found = complaints.complaints_to_handle(session, principal=person.principal)
            stations = {
                w.public.station
                for w in found
                if w.public.station and w.public.webcam_outage is None
            }
            outages = {
                code: webcams.station_outages(
                    session, election_id=person.principal.election_id, station_code=code
                )
                for code in stations
            }
            return found, outages

        found, outages = await run_in_threadpool(runtime_of(request).read, load)
        return await render_page(
            request,
            "console/complaints.html",
            person=person,
            complaints=found,
            outages=outages,
            remedies=[r.value for r in StationRemedy],
        )

    async def complaint_step(request: Request, tracking: str, step: str) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        number = _path_part(tracking, "complaint")
        principal = person.principal

        def act(session: Session) -> None:
            if step == "review":
                complaints.begin_review(
                    session, principal=principal, tracking=number, reason=_text(fields, "reason")
                )
            elif step == "decision":
                upheld = _choice(fields, "decision", {"uphold": True, "dismiss": False})
                remedy_text = fields.get("remedy", "")
                try:
                    remedy = StationRemedy(remedy_text) if remedy_text else None
                except ValueError:
                    raise InvalidInput("invalid_remedy", "recount, annulment or none") from None
                complaints.decide_complaint(
                    session,
                    principal=principal,
                    tracking=number,
                    upheld=upheld,
                    reason=_text(fields, "reason"),
                    remedy=remedy,
                )
            elif step == "appeal":
                complaints.record_appeal(
                    session,
                    principal=principal,
                    tracking=number,
                    appeal_body=_text(fields, "appeal_body")[:200],
                    reason=_text(fields, "reason"),
                )
            elif step == "webcam-outage":
                text = fields.get("outage", "")
                if not (text.isascii() and text.isdigit() and len(text) < 10):
                    raise InvalidInput("invalid_outage", "choose one of the camera's outages")
                complaints.cite_outage(
                    session,
                    principal=principal,
                    tracking=number,
                    outage_id=int(text),
                    reason=_text(fields, "reason"),
                )
            elif step == "appeal-decision":
                complaints.decide_appeal(
                    session,
                    principal=principal,
                    tracking=number,
                    appeal_upheld=_choice(fields, "outcome", {"upheld": True, "dismissed": False}),
                    reason=_text(fields, "reason"),
                )
            else:
                chosen = [
                    name[len("attachment.") :]
                    for name, value in fields.items()
                    if name.startswith("attachment.") and value == "on"
                ]
                complaints.publish_complaint(
                    session,
                    principal=principal,
                    tracking=number,
                    redacted_description=_text(fields, "description"),
                    attachments=chosen,
                )

        await run_in_threadpool(runtime_of(request).write, act)
        return RedirectResponse(
            f"{COMPLAINTS}#complaint-{number}", status_code=303, headers=NO_STORE
        )

    for step in (
        "review",
        "decision",
        "appeal",
        "appeal-decision",
        "publication",
        "webcam-outage",
    ):

        def endpoint_for(step: str = step) -> object:
            @console_page
            async def endpoint(request: Request, tracking: str) -> Response:
                return await complaint_step(request, tracking, step)

            endpoint.__name__ = f"complaint_{step.replace('-', '_')}_form"
            return endpoint

        router.add_api_route(
            f"{COMPLAINTS}/{{tracking}}/{step}",
            endpoint_for(),  # type: ignore[arg-type]
            methods=["POST"],
        )

    # --- applications -----------------------------------------------------------------------

    @router.get(APPLICATIONS)
    @console_page
    async def applications_page(request: Request) -> Response:
        person = await signed_in_person(request)
        found = await run_in_threadpool(
            runtime_of(request).read,
            lambda session: observer_accreditation.organisation_applications(
                session, principal=person.principal
            ),
        )
        return await render_page(
            request, "console/applications.html", person=person, applications=found
        )

    @router.post(f"{APPLICATIONS}/{{code}}/decision")
    @console_page
    async def application_decision_form(request: Request, code: str) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        organisation = _path_part(code, "application")
        accredit = _choice(fields, "decision", {"accredit": True, "refuse": False})
        reason = _text(fields, "reason")
        await run_in_threadpool(
            runtime_of(request).write,
            lambda session: observer_accreditation.decide_application(
                session,
                principal=person.principal,
                code=organisation,
                accredit=accredit,
                reason=reason,
            ),
        )
        return RedirectResponse(APPLICATIONS, status_code=303, headers=NO_STORE)

    return router
