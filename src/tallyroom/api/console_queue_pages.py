"""The console's flagged-protocol queue at /console/queue: each waiting protocol with its
failed checks, figures, the station's history and the tally-sheet photo's place, kept live
by web/static/console/queue.js (the SSE stream of /api/v1/queue/flagged/events), and the
decision forms (accept, reject, recount, annul, confirm) posting to the same service
commands as the JSON API, each with the session's CSRF token."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import signed_in_person
from tallyroom.api.console_pages import CONSOLE, NO_STORE, console_page, form_fields, render_page
from tallyroom.api.runtime import runtime_of
from tallyroom.domain.decision_policy import DecisionKind
from tallyroom.service.definition.credentials import Role
from tallyroom.service.errors import InvalidInput, NotFound
from tallyroom.service.people.console_sessions import SignedIn
from tallyroom.service.protocols.commission_decisions import (
    PENDING_CONFIRMATION,
    DecisionOutcome,
    confirm_decision,
    decide,
)
from tallyroom.service.protocols.flagged_queue import QueueItem, flagged_queue

QUEUE = f"{CONSOLE}/queue"
#: a station code or a decision number in a path: short, or refused before any query
LONGEST_PATH_PART = 40
#: the longest reason a form may carry (the service's own limit applies as well)
LONGEST_REASON = 2_000
DECISIONS = {kind.value: kind for kind in DecisionKind}


def _version(text: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        raise InvalidInput(
            "invalid_decision",
            "the decision is not valid",
            problems=[{"field": "version", "message": "a protocol version number"}],
        )
    return int(value)


def _reason(fields: dict[str, str]) -> str:
    reason = fields.get("reason", "")
    if len(reason) > LONGEST_REASON:
        raise InvalidInput(
            "invalid_decision",
            "the decision is not valid",
            problems=[{"field": "reason", "message": f"at most {LONGEST_REASON} characters"}],
        )
    return reason.strip()


def _decided(station: str, outcome: DecisionOutcome) -> Response:
    done = {
        "station": station,
        "decision": outcome.kind.value,
        "state": "pending" if outcome.state == PENDING_CONFIRMATION else "decided",
    }
    return RedirectResponse(f"{QUEUE}?{urlencode(done)}", status_code=303, headers=NO_STORE)


def _may_decide(person: SignedIn) -> dict[str, bool]:
    """Which forms the person's role is offered (the service decides again on each post)."""
    commission = person.principal.role is Role.COMMISSION
    local = person.principal.role is Role.CONSTITUENCY_COMMISSION
    return {
        "accept": commission or local,
        "reject": commission or local,
        "recount": commission,
        "annul": commission,
        "confirm": commission,
    }


def console_queue_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(QUEUE)
    @console_page
    async def queue_page(request: Request) -> Response:
        person = await signed_in_person(request)
        items = await run_in_threadpool(
            runtime_of(request).read,
            lambda session: flagged_queue(session, principal=person.principal),
        )
        parameters = request.query_params
        done = None
        if parameters.get("station") and parameters.get("decision") in DECISIONS:
            done = {
                "station": parameters["station"][:LONGEST_PATH_PART],
                "decision": parameters["decision"],
                "pending": parameters.get("state") == "pending",
            }
        return await render_page(
            request,
            "console/queue.html",
            person=person,
            items=items,
            may=_may_decide(person),
            done=done,
        )

    @router.get(f"{QUEUE}/items/{{station}}")
    @console_page
    async def queue_item(request: Request, station: str) -> Response:
        """One item as the queue page shows it: queue.js puts it in place when the stream
        says it is new or changed."""
        person = await signed_in_person(request)
        code = station[:LONGEST_PATH_PART]

        def read(session: Session) -> QueueItem:
            for item in flagged_queue(session, principal=person.principal):
                if item.station == code:
                    return item
            raise NotFound("not_in_queue", f"station {code} waits for no decision")

        item = await run_in_threadpool(runtime_of(request).read, read)
        return await render_page(
            request, "console/queue_item.html", person=person, item=item, may=_may_decide(person)
        )

    @router.post(f"{QUEUE}/{{station}}/decision")
    @console_page
    async def decision_form(request: Request, station: str) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        if len(station) > LONGEST_PATH_PART:
            raise NotFound("unknown_station", "there is no such polling station")
        kind = DECISIONS.get(fields.get("decision", ""))
        if kind is None:
            raise InvalidInput(
                "invalid_decision",
                "the decision is not valid",
                problems=[{"field": "decision", "message": "accept, reject, recount or annul"}],
            )
        version = _version(fields.get("version", ""))
        reason = _reason(fields)
        confirmed = fields.get("confirmed") == "yes"
        outcome = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: decide(
                session,
                principal=person.principal,
                station_code=station,
                kind=kind,
                version=version,
                reason=reason,
                confirmed=confirmed,
            ),
        )
        return _decided(station, outcome)

    @router.post(f"{CONSOLE}/decisions/{{decision_id}}/confirmation")
    @console_page
    async def confirmation_form(request: Request, decision_id: str) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        if not (decision_id.isascii() and decision_id.isdigit()) or len(decision_id) > 9:
            raise NotFound("unknown_decision", "there is no such proposed decision")
        number = int(decision_id)
        outcome = await run_in_threadpool(
            runtime_of(request).write,
            lambda session: confirm_decision(
                session, principal=person.principal, decision_id=number
            ),
        )
        return _decided(outcome.station, outcome)

    return router
