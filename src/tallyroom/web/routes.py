"""The public site's routes: every page as HTML, JSON and CSV, static files and live events.

Mount with `app.include_router(web_router(source))`. Paths:
`/` (overview), `/constituencies/{number}`, `/stations/{code}`, `/parties`, `/candidates`,
`/observers`, `/integrity`, `/audit-heads` (the audit log's signed tree heads), `/search?q=`;
each page's JSON at `<page>.json` (the overview's at `/overview.json`) and its tables at
`<page>/<table>.csv` (`/overview/<table>.csv`);
`/events` (server-sent events) and `/static/<file>`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from tallyroom.domain.election_clock import ClockKind
from tallyroom.web.audit_heads_page import audit_heads_page
from tallyroom.web.candidates_page import candidates_page
from tallyroom.web.constituency_page import ConstituencyNotFound, constituency_page
from tallyroom.web.integrity import integrity_page
from tallyroom.web.language import LANGUAGE_COOKIE, choose_language
from tallyroom.web.live_updates import RevisionWatch, last_event_id, revision_events
from tallyroom.web.observers_page import observers_page
from tallyroom.web.overview_page import overview_page
from tallyroom.web.page import Page
from tallyroom.web.page_cache import PageCache
from tallyroom.web.parties_page import parties_page
from tallyroom.web.rendering import render
from tallyroom.web.results_source import ResultsSource, Revision, StationNotFound
from tallyroom.web.search_page import search_page
from tallyroom.web.station_page import station_page

STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}


def web_router(
    source: ResultsSource,
    *,
    base_path: str = "",
    events_lifetime: float = 300.0,
    background_builds: bool = False,
    clock: ClockKind = ClockKind.REAL,
    stopping: threading.Event | None = None,
) -> APIRouter:
    """The public results site over a results source (see `DatabaseResultsSource`).

    With `background_builds`, a page of a newer revision is built in the background while
    its newest rendering is served (a served site during ingest); without, the first reader
    of a new revision waits for its build (every change shows at once: tests). Under a
    drill `clock` every page shows a DRILL banner and every JSON document says so."""
    router = APIRouter(include_in_schema=False)
    cache = PageCache()
    watch = RevisionWatch(source.revision)

    def link(path: str, **query: Any) -> str:
        pairs = {key: value for key, value in query.items() if value is not None}
        return base_path + path + ("?" + urlencode(pairs) if pairs else "")

    def validators(revision: Revision, variant: str) -> dict[str, str]:
        return {
            "ETag": f'W/"r{revision.number}-{variant}"',
            "Last-Modified": format_datetime(_in_utc(revision.changed_at), usegmt=True),
            "Cache-Control": "public, max-age=0, must-revalidate",
        }

    def page_headers(revision: Revision, language: str) -> dict[str, str]:
        headers = validators(revision, language)
        headers["Vary"] = "Cookie"
        headers["Content-Language"] = language
        return headers

    def not_modified(request: Request, headers: dict[str, str]) -> bool:
        tags = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
        return headers["ETag"] in tags

    def build(revision: Revision, key: Hashable, builder: Callable[[], Page]) -> Page:
        page: Page = cache.get(revision.number, ("page", key), builder)
        return page

    async def current_revision() -> Revision:
        fresh = source.fresh_revision()
        return fresh if fresh is not None else await run_in_threadpool(source.revision)

    async def cached(
        revision: Revision, key: Hashable, make: Callable[[], bytes]
    ) -> tuple[Revision, bytes]:
        """A rendering and the revision it shows. Built ones are answered on the event loop;
        building (queries, templates) runs in a worker thread, once per revision however many
        readers ask, and meanwhile the others get the previous revision's rendering."""
        found = await cache.serve(
            revision.number,
            key,
            lambda: (revision, make()),
            background=background_builds,
        )
        shown: tuple[Revision, bytes] = found
        return shown

    async def html(
        request: Request,
        key: Hashable,
        builder: Callable[[], Page],
        *,
        path: str,
        json_path: str | None,
        csv_base: str | None,
        query: dict[str, str] | None = None,
    ) -> Response:
        language = choose_language(
            request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)
        )
        revision = await current_revision()
        chosen = request.query_params.get("lang")
        if not_modified(request, validators(revision, language)) and chosen is None:
            return Response(status_code=304, headers=page_headers(revision, language))

        def rendered() -> bytes:
            page = build(revision, key, builder)
            election = source.election()
            return render(
                page.template,
                language=language,
                timezone=election.timezone,
                election_name=election.name_in(language),
                page=page,
                data=page.data,
                revision=revision,
                link=link,
                path=path,
                query=query or {},
                json_path=json_path,
                csv_base=csv_base,
                events_path=link("/events"),
                clock=clock.value,
            ).encode()

        shown, body = await cached(revision, ("html", key, language), rendered)
        response = Response(
            body, media_type="text/html; charset=utf-8", headers=page_headers(shown, language)
        )
        if chosen is not None and chosen == language:
            response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
        return response

    async def as_json(request: Request, key: Hashable, builder: Callable[[], Page]) -> Response:
        revision = await current_revision()
        headers = validators(revision, "json")
        if not_modified(request, headers):
            return Response(status_code=304, headers=headers)

        def rendered() -> bytes:
            page = build(revision, key, builder)
            return json.dumps(
                {
                    "revision": revision.number,
                    "as_of": revision.changed_at.isoformat(),
                    "clock": clock.value,
                    "data": page.json(),
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()

        shown, body = await cached(revision, ("json", key), rendered)
        headers = validators(shown, "json")
        headers["Access-Control-Allow-Origin"] = "*"
        return Response(body, media_type="application/json", headers=headers)

    async def as_csv(
        request: Request, key: Hashable, builder: Callable[[], Page], table: str, filename: str
    ) -> Response:
        revision = await current_revision()
        headers = validators(revision, f"csv-{table}")
        if not_modified(request, headers):
            return Response(status_code=304, headers=headers)

        def rendered() -> bytes:
            page = build(revision, key, builder)
            if table not in page.tables:
                raise HTTPException(404, f"no table {table!r} on this page")
            return page.tables[table].csv_text().encode("utf-8-sig")

        shown, body = await cached(revision, ("csv", key, table), rendered)
        headers = validators(shown, f"csv-{table}")
        headers["Content-Disposition"] = f'attachment; filename="{filename}-{table}.csv"'
        headers["Access-Control-Allow-Origin"] = "*"
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)

    # --- overview -------------------------------------------------------------------------

    def overview() -> Page:
        return overview_page(source)

    @router.get("/")
    async def overview_html(request: Request) -> Response:
        return await html(
            request,
            "overview",
            overview,
            path="/",
            json_path="/overview.json",
            csv_base="/overview",
        )

    @router.get("/overview.json")
    async def overview_json(request: Request) -> Response:
        return await as_json(request, "overview", overview)

    @router.get("/overview/{table}.csv")
    async def overview_csv(request: Request, table: str) -> Response:
        return await as_csv(request, "overview", overview, table, "overview")

    # --- constituency ---------------------------------------------------------------------

    def constituency(number: int) -> Callable[[], Page]:
        def builder() -> Page:
            try:
                return constituency_page(source, number)
            except ConstituencyNotFound:
                raise HTTPException(404, f"there is no constituency {number}") from None

        return builder

    @router.get("/constituencies/{number:int}")
    async def constituency_html(request: Request, number: int) -> Response:
        path = f"/constituencies/{number}"
        return await html(
            request,
            ("constituency", number),
            constituency(number),
            path=path,
            json_path=f"{path}.json",
            csv_base=path,
        )

    @router.get("/constituencies/{number:int}.json")
    async def constituency_json(request: Request, number: int) -> Response:
        return await as_json(request, ("constituency", number), constituency(number))

    @router.get("/constituencies/{number:int}/{table}.csv")
    async def constituency_csv(request: Request, number: int, table: str) -> Response:
        return await as_csv(
            request, ("constituency", number), constituency(number), table, f"constituency-{number}"
        )

    # --- station --------------------------------------------------------------------------

    def station(code: str) -> Callable[[], Page]:
        def builder() -> Page:
            try:
                return station_page(source, code)
            except StationNotFound:
                raise HTTPException(404, f"there is no polling station {code!r}") from None

        return builder

    @router.get("/stations/{code}.json")
    async def station_json(request: Request, code: str) -> Response:
        return await as_json(request, ("station", code), station(code))

    @router.get("/stations/{code}/{table}.csv")
    async def station_csv(request: Request, code: str, table: str) -> Response:
        return await as_csv(request, ("station", code), station(code), table, f"station-{code}")

    @router.get("/stations/{code}")
    async def station_html(request: Request, code: str) -> Response:
        path = f"/stations/{code}"
        return await html(
            request,
            ("station", code),
            station(code),
            path=path,
            json_path=f"{path}.json",
            csv_base=path,
        )

    # --- parties, candidates, observers ---------------------------------------------------

    listings: dict[str, Callable[[ResultsSource], Page]] = {
        "parties": parties_page,
        "candidates": candidates_page,
        "observers": observers_page,
        "integrity": integrity_page,
    }

    def listing(name: str) -> Callable[[], Page]:
        return lambda: listings[name](source)

    for name in listings:

        async def listing_html(request: Request, name: str = name) -> Response:
            return await html(
                request,
                name,
                listing(name),
                path=f"/{name}",
                json_path=f"/{name}.json",
                csv_base=f"/{name}",
            )

        async def listing_json(request: Request, name: str = name) -> Response:
            return await as_json(request, name, listing(name))

        async def listing_csv(request: Request, table: str, name: str = name) -> Response:
            return await as_csv(request, name, listing(name), table, name)

        router.add_api_route(f"/{name}", listing_html, methods=["GET"], name=f"{name}_html")
        router.add_api_route(f"/{name}.json", listing_json, methods=["GET"], name=f"{name}_json")
        router.add_api_route(
            f"/{name}/{{table}}.csv", listing_csv, methods=["GET"], name=f"{name}_csv"
        )

    # --- the audit log's signed tree heads ----------------------------------------------------
    # Not cached per results revision: a head is signed every minute while entries arrive,
    # whether or not a result changed; the page's validator is what it shows.

    def heads_validators(page: Page, variant: str) -> dict[str, str]:
        return {
            "ETag": f'W/"h{page.data.version}-{variant}"',
            "Cache-Control": "public, max-age=0, must-revalidate",
        }

    @router.get("/audit-heads")
    async def audit_heads_html(request: Request) -> Response:
        language = choose_language(
            request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)
        )
        chosen = request.query_params.get("lang")
        page = await run_in_threadpool(audit_heads_page, source)
        headers = heads_validators(page, language)
        headers.update({"Vary": "Cookie", "Content-Language": language})
        if not_modified(request, headers) and chosen is None:
            return Response(status_code=304, headers=headers)
        revision = await current_revision()
        election = source.election()
        body = render(
            page.template,
            language=language,
            timezone=election.timezone,
            election_name=election.name_in(language),
            page=page,
            data=page.data,
            revision=revision,
            link=link,
            path="/audit-heads",
            query={},
            json_path="/audit-heads.json",
            csv_base="/audit-heads",
            events_path=link("/events"),
            clock=clock.value,
        ).encode()
        response = Response(body, media_type="text/html; charset=utf-8", headers=headers)
        if chosen is not None and chosen == language:
            response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
        return response

    @router.get("/audit-heads.json")
    async def audit_heads_json(request: Request) -> Response:
        page = await run_in_threadpool(audit_heads_page, source)
        headers = heads_validators(page, "json")
        if not_modified(request, headers):
            return Response(status_code=304, headers=headers)
        body = json.dumps(
            {"clock": clock.value, "data": page.json()}, ensure_ascii=False, separators=(",", ":")
        ).encode()
        headers["Access-Control-Allow-Origin"] = "*"
        return Response(body, media_type="application/json", headers=headers)

    @router.get("/audit-heads/{table}.csv")
    async def audit_heads_csv(request: Request, table: str) -> Response:
        page = await run_in_threadpool(audit_heads_page, source)
        if table not in page.tables:
            raise HTTPException(404, f"no table {table!r} on this page")
        headers = heads_validators(page, f"csv-{table}")
        if not_modified(request, headers):
            return Response(status_code=304, headers=headers)
        headers["Content-Disposition"] = f'attachment; filename="audit-heads-{table}.csv"'
        headers["Access-Control-Allow-Origin"] = "*"
        return Response(
            page.tables[table].csv_text().encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )

    # --- search ---------------------------------------------------------------------------

    def search(text: str) -> Callable[[], Page]:
        return lambda: search_page(source, text)

    @router.get("/search")
    async def search_html(request: Request, q: str = "") -> Response:
        return await html(
            request,
            ("search", q),
            search(q),
            path="/search",
            json_path="/search.json",
            csv_base=None,
            query={"q": q},
        )

    @router.get("/search.json")
    async def search_json(request: Request, q: str = "") -> Response:
        return await as_json(request, ("search", q), search(q))

    # --- live updates and static files ----------------------------------------------------

    @router.get("/events")
    async def events(request: Request) -> StreamingResponse:
        return StreamingResponse(
            revision_events(
                watch,
                since=last_event_id(request.headers.get("last-event-id")),
                lifetime=events_lifetime,
                stopping=stopping,
            ),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    # The few static files, read once: answered on the event loop like cached pages.
    # Subfolders too (static/rules/evaluate.js): served by their path below static/.
    static_files = {
        file.relative_to(STATIC).as_posix(): file.read_bytes()
        for file in STATIC.rglob("*")
        if file.is_file() and file.suffix in STATIC_TYPES and not file.name.startswith(".")
    }

    @router.get("/static/{name:path}")
    async def static(name: str) -> Response:
        body = static_files.get(name)
        if body is None:
            raise HTTPException(404)
        return Response(
            body,
            media_type=STATIC_TYPES[Path(name).suffix],
            headers={"Cache-Control": "public, max-age=3600"},
        )

    return router


def _in_utc(moment: datetime) -> datetime:
    # SQLite gives naive UTC; PostgreSQL gives the session's zone (Etc/UTC is not `UTC` to
    # email.utils), so normalise before formatting an HTTP date.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
