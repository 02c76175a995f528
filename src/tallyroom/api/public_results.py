"""Public reads: national and constituency results, turnout by hour, progress, stations,
the feed of changes and the audit chain's head. Each carries an ETag (304 when current);
the results are rendered once per results revision."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from tallyroom.api.conditional_get import json_read
from tallyroom.api.integer_parameters import ConstituencyFilter, ConstituencyNumber
from tallyroom.api.openapi_contract import CONDITIONAL_READ, public_read
from tallyroom.api.response_bodies import (
    AuditHeadBody,
    ChangesBody,
    ConstituencyResultBody,
    NationalResultsBody,
    NationalSummaryBody,
    ProgressBody,
    RuleSetBody,
    StationDetailBody,
    TurnoutByHourBody,
)
from tallyroom.api.runtime import runtime_of
from tallyroom.domain.results import NationalResults
from tallyroom.service.audit import audit_log, audit_tree
from tallyroom.service.definition.elections import election_row
from tallyroom.service.protocols.election_rules import served_rules
from tallyroom.service.protocols.result_changes import changes_since
from tallyroom.service.protocols.turnout import turnout_by_hour
from tallyroom.service.results.results import constituency_result
from tallyroom.service.results.results_json import constituency_json, national_json, turnout_json
from tallyroom.service.results.station_detail import station_detail

router = APIRouter(prefix="/api/v1", tags=["public"])

#: results revisions are 64-bit
LARGEST_REVISION = 2**63 - 1


def _etag(results: NationalResults, part: str) -> str:
    return f'W/"{results.election}-{results.revision}-{part}"'


async def _respond(
    request: Request, results: NationalResults, part: str, build: Callable[[], Any]
) -> Response:
    """The JSON for this part, rendered once per revision (in the background while the newest
    rendering is served, on a served site); 304 when the client has what is served."""
    runtime = runtime_of(request)

    def rendered() -> tuple[NationalResults, bytes]:
        return results, json.dumps(build(), ensure_ascii=False).encode()

    shown, body = await runtime.rendered.serve(
        results.revision, part, rendered, background=runtime.results.serves_stale
    )
    return json_read(
        request,
        body,
        etag=_etag(shown, part),
        last_modified=shown.as_of.strftime("%a, %d %b %Y %H:%M:%S GMT"),
    )


async def database_read(request: Request, query: Callable[[Session], Any]) -> Response:
    """A read of the database, answered with the ETag of its JSON."""
    document = await run_in_threadpool(runtime_of(request).read, query)
    return json_read(request, json.dumps(document, ensure_ascii=False).encode())


async def national_results(request: Request) -> NationalResults:
    """The cached picture, answered on the event loop; a reader waits for the database only
    when nothing is cached yet (or the cache is made to show every change at once)."""
    runtime = runtime_of(request)
    served = runtime.results.without_waiting(runtime.reader)
    if served is not None:
        return served
    return await run_in_threadpool(runtime.results.national, runtime.reader)


@router.get(
    "/results",
    summary="National results: seats, progress, every constituency",
    responses=public_read(NationalResultsBody, "the national results"),
    openapi_extra=CONDITIONAL_READ,
)
async def get_results(request: Request) -> Response:
    results = await national_results(request)
    return await _respond(request, results, "national", lambda: national_json(results))


@router.get(
    "/results/summary",
    summary="National results without the constituencies",
    responses=public_read(NationalSummaryBody, "the national results, without constituencies"),
    openapi_extra=CONDITIONAL_READ,
)
async def get_summary(request: Request) -> Response:
    results = await national_results(request)
    return await _respond(
        request, results, "summary", lambda: national_json(results, with_constituencies=False)
    )


@router.get(
    "/results/constituencies/{number}",
    summary="One constituency's results",
    responses=public_read(ConstituencyResultBody, "the constituency's results", 404, 422),
    openapi_extra=CONDITIONAL_READ,
)
async def get_constituency(number: ConstituencyNumber, request: Request) -> Response:
    results = await national_results(request)
    result = constituency_result(results, number)
    return await _respond(
        request,
        results,
        f"constituency-{number}",
        lambda: constituency_json(result, results.leveling),
    )


@router.get(
    "/progress",
    summary="Stations reporting and registered voters covered",
    responses=public_read(ProgressBody, "how far the count is"),
    openapi_extra=CONDITIONAL_READ,
)
async def get_progress(request: Request) -> Response:
    results = await national_results(request)
    return await _respond(
        request,
        results,
        "progress",
        lambda: {
            "status": results.status,
            "stations_total": results.stations_total,
            "stations_reporting": results.stations_reporting,
            "stations_annulled": results.stations_annulled,
            "registered_voters": results.registered_voters,
            "registered_voters_reporting": results.registered_voters_reporting,
            "revision": results.revision,
        },
    )


@router.get(
    "/turnout",
    summary="Turnout by reporting hour, nationally or for a constituency",
    responses=public_read(TurnoutByHourBody, "voters by reporting hour", 422),
    openapi_extra=CONDITIONAL_READ,
)
async def get_turnout(
    request: Request,
    constituency: ConstituencyFilter = None,
) -> Response:
    def query(session: Session) -> dict[str, Any]:
        election = election_row(session)
        return turnout_json(
            turnout_by_hour(session, election_id=election.id, constituency_number=constituency)
        )

    return await database_read(request, query)


@router.get(
    "/stations/{code}",
    summary="A station: tags, protocol versions, turnout reports",
    responses=public_read(StationDetailBody, "the station", 404, 422),
    openapi_extra=CONDITIONAL_READ,
)
async def get_station(code: str, request: Request) -> Response:
    return await database_read(request, lambda session: station_detail(session, code))


@router.get(
    "/changes",
    summary="Stations whose counted result changed since a results revision",
    description="The incremental feed for media and mirrors: poll with `since` set to the "
    "`revision` of your last answer (or of /results) and refetch only the stations listed "
    "(and their constituencies). `since=0` lists every station that ever counted.",
    responses=public_read(ChangesBody, "the stations changed, oldest change first", 422),
    openapi_extra=CONDITIONAL_READ,
)
async def get_changes(
    request: Request, since: Annotated[int, Query(ge=0, le=LARGEST_REVISION)] = 0
) -> Response:
    def query(session: Session) -> dict[str, Any]:
        return changes_since(session, election_id=election_row(session).id, since=since)

    return await database_read(request, query)


@router.get(
    "/audit/head",
    summary="The audit chain's head: publish it, verify against it",
    responses=public_read(AuditHeadBody, "the newest entry of the audit chain"),
    openapi_extra=CONDITIONAL_READ,
)
async def get_audit_head(request: Request) -> Response:
    def query(session: Session) -> dict[str, Any]:
        sequence, entry_hash = audit_log.head(session)
        signed = audit_tree.latest_head(session)
        return {
            "sequence": sequence,
            "entry_hash": entry_hash,
            "signed_head": None if signed is None else signed.as_json(),
        }

    return await database_read(request, query)


@router.get(
    "/rules",
    summary="The control rules a protocol is judged by",
    description="Each rule a check in a small expression language, a tolerance and an "
    "action (flag or refuse), with a message per language; `version` is stored with every "
    "protocol version it judged. The station app applies the same rules as the protocol is "
    "typed (docs/definition-format.md, rules.yaml).",
    responses=public_read(RuleSetBody, "the election's rule set", 404),
    openapi_extra=CONDITIONAL_READ,
)
async def get_rules(request: Request) -> Response:
    return await database_read(request, served_rules)
