"""The console's constituency pages (/console/constituencies/{n}: stations not reported,
sortable and as CSV; the certification's standing; certify, with a reason when too close, and
withdraw) and the national act (/console/certification), with each defined round 2 certified
and withdrawn there. A constituency member sees her own constituency only; certifying is the
commission's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import signed_in_person
from tallyroom.api.console_pages import CONSOLE, NO_STORE, console_page, form_fields, render_page
from tallyroom.api.runtime import runtime_of
from tallyroom.domain.certification_document import NATION_SCOPE
from tallyroom.domain.results import ConstituencyResult
from tallyroom.domain.runoff import constituency_of_runoff, runoff_contest_code
from tallyroom.service.definition.credentials import Principal, Role
from tallyroom.service.errors import InvalidInput, NotFound
from tallyroom.service.protocols.unreported_stations import (
    SORT_KEYS,
    UnreportedStation,
    unreported_stations,
)
from tallyroom.service.results.certification import (
    PublishedCertification,
    certify_contest,
    certify_nation,
    nation_certified,
    published_certifications,
    withdraw_contest_certification,
    withdraw_nation_certification,
)
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.runoff_certification import (
    certify_runoff,
    withdraw_runoff_certification,
)
from tallyroom.service.results.runoff_protocols import RoundTwoResult, round_two_results

CONSTITUENCIES = f"{CONSOLE}/constituencies"
NATIONAL = f"{CONSOLE}/certification"
#: a round 2 is named in the address by its constituency's number (its id holds a slash)
ROUND_TWO = f"{NATIONAL}/round-2"
#: a reason is a sentence or a paragraph (the service's own limit applies as well)
LONGEST_REASON = 2_000
LONGEST_SORT = 40


@dataclass(frozen=True, slots=True)
class ConstituencyStanding:
    """What the constituency page shows of the count and its certification."""

    result: ConstituencyResult
    #: the certification in force, if any
    certification: PublishedCertification | None
    #: the latest withdrawn one, if any, with its reason
    withdrawn: PublishedCertification | None


def _number(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise NotFound("unknown_constituency", f"there is no constituency {text[:20]!r}")
    return int(text)


def _reason(fields: dict[str, str]) -> str:
    reason = fields.get("reason", "")
    if len(reason) > LONGEST_REASON:
        raise InvalidInput(
            "invalid_reason",
            "the reason is too long",
            problems=[{"field": "reason", "message": f"at most {LONGEST_REASON} characters"}],
        )
    return reason.strip()


def _standing(session: Session, number: int) -> ConstituencyStanding:
    result = next(
        (c for c in build_national_results(session).constituencies if c.number == number), None
    )
    if result is None:
        raise NotFound("unknown_constituency", f"there is no constituency {number}")
    mine = [c for c in published_certifications(session) if c.constituency == number]
    standing = next((c for c in reversed(mine) if c.withdrawn_at is None), None)
    withdrawn = next((c for c in reversed(mine) if c.withdrawn_at is not None), None)
    return ConstituencyStanding(result, standing, withdrawn)


def _constituency_view(
    session: Session, principal: Principal, number: int, sort: str
) -> tuple[list[UnreportedStation], ConstituencyStanding]:
    # unreported_stations refuses another constituency's member before anything is read
    stations = unreported_stations(
        session, principal=principal, constituency_number=number, sort=sort
    )
    return stations, _standing(session, number)


def _national_view(session: Session, principal: Principal) -> dict[str, Any]:
    # The commission's staff read it (the way to each constituency's unreported stations);
    # certifying is the members' (the service refuses anyone else).
    if principal.role is not Role.COMMISSION_STAFF:
        principal.require_commission()
    election_id = principal.election_id
    constituencies = build_national_results(session).constituencies
    published = published_certifications(session)
    national = [c for c in published if c.scope == NATION_SCOPE]
    return {
        "constituencies": constituencies,
        "rounds_two": _rounds_two(session, election_id, published),
        "final": nation_certified(session, election_id),
        "all_certified": all(c.certified for c in constituencies),
        "national": national[-1] if national else None,
    }


@dataclass(frozen=True, slots=True)
class RoundTwoStanding:
    """A defined round 2 on the national page: its constituency, its count and the latest
    withdrawal of its certification, if any, with its reason."""

    constituency: int
    count: RoundTwoResult
    withdrawn: PublishedCertification | None


def _rounds_two(
    session: Session, election_id: int, published: list[PublishedCertification]
) -> list[RoundTwoStanding]:
    withdrawn = {
        str(c.document.get("contest")): c
        for c in published
        if c.withdrawn_at is not None and c.document.get("contest")
    }
    counts = round_two_results(session, election_id)
    numbered = sorted((constituency_of_runoff(code) or 0, code) for code in counts)
    return [
        RoundTwoStanding(number, counts[code], withdrawn.get(code)) for number, code in numbered
    ]


def console_certification_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(f"{CONSTITUENCIES}/{{number}}")
    @console_page
    async def constituency_page(request: Request, number: str) -> Response:
        person = await signed_in_person(request)
        constituency = _number(number)
        sort = (request.query_params.get("sort") or "station")[:LONGEST_SORT]
        stations, standing = await run_in_threadpool(
            runtime_of(request).read,
            lambda session: _constituency_view(session, person.principal, constituency, sort),
        )
        return await render_page(
            request,
            "console/constituency.html",
            person=person,
            number=constituency,
            stations=stations,
            standing=standing,
            sort=sort,
            sort_keys=SORT_KEYS,
        )

    @router.post(f"{CONSTITUENCIES}/{{number}}/certification")
    @console_page
    async def certify_form(request: Request, number: str) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        constituency = _number(number)
        reason = _reason(fields) or None
        runtime = runtime_of(request)

        await run_in_threadpool(
            runtime.write,
            lambda session: certify_contest(
                session,
                principal=person.principal,
                constituency_number=constituency,
                reason=reason,
                signing_key=runtime.tree_head_key,
            ),
        )
        return RedirectResponse(
            f"{CONSTITUENCIES}/{constituency}", status_code=303, headers=NO_STORE
        )

    @router.post(f"{CONSTITUENCIES}/{{number}}/certification/withdrawal")
    @console_page
    async def withdraw_form(request: Request, number: str) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        constituency = _number(number)
        reason = _reason(fields)
        await run_in_threadpool(
            runtime_of(request).write,
            lambda session: withdraw_contest_certification(
                session, principal=person.principal, constituency_number=constituency, reason=reason
            ),
        )
        return RedirectResponse(
            f"{CONSTITUENCIES}/{constituency}", status_code=303, headers=NO_STORE
        )

    @router.get(NATIONAL)
    @console_page
    async def national_page(request: Request) -> Response:
        person = await signed_in_person(request)
        view = await run_in_threadpool(
            runtime_of(request).read, lambda session: _national_view(session, person.principal)
        )
        return await render_page(request, "console/certification.html", person=person, **view)

    @router.post(NATIONAL)
    @console_page
    async def certify_nation_form(request: Request) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        runtime = runtime_of(request)
        await run_in_threadpool(
            runtime.write,
            lambda session: certify_nation(
                session, principal=person.principal, signing_key=runtime.tree_head_key
            ),
        )
        return RedirectResponse(NATIONAL, status_code=303, headers=NO_STORE)

    @router.post(f"{NATIONAL}/withdrawal")
    @console_page
    async def withdraw_nation_form(request: Request) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        reason = _reason(fields)
        await run_in_threadpool(
            runtime_of(request).write,
            lambda session: withdraw_nation_certification(
                session, principal=person.principal, reason=reason
            ),
        )
        return RedirectResponse(NATIONAL, status_code=303, headers=NO_STORE)

    @router.post(f"{ROUND_TWO}/{{number}}")
    @console_page
    async def certify_round_two_form(request: Request, number: str) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        contest = runoff_contest_code(_number(number))
        reason = _reason(fields) or None
        runtime = runtime_of(request)
        await run_in_threadpool(
            runtime.write,
            lambda session: certify_runoff(
                session,
                principal=person.principal,
                contest=contest,
                reason=reason,
                signing_key=runtime.tree_head_key,
            ),
        )
        return RedirectResponse(NATIONAL, status_code=303, headers=NO_STORE)

    @router.post(f"{ROUND_TWO}/{{number}}/withdrawal")
    @console_page
    async def withdraw_round_two_form(request: Request, number: str) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        contest = runoff_contest_code(_number(number))
        reason = _reason(fields)
        await run_in_threadpool(
            runtime_of(request).write,
            lambda session: withdraw_runoff_certification(
                session, principal=person.principal, contest=contest, reason=reason
            ),
        )
        return RedirectResponse(NATIONAL, status_code=303, headers=NO_STORE)

    return router
