"""The watchers' pages: the public register of complaints (`/complaints`), the public
complaint form (`/complaints/new`, no token, rate- and size-limited), and the observer's
phone form (`/observer`: sign in with the badge's credential, submit a protocol copy)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from tallyroom.api.observer_bodies import OrganisationApplicationBody
from tallyroom.domain.complaint import ComplaintCategory, ComplaintSubject, ReporterKind
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.domain.idempotency_key import is_idempotency_key
from tallyroom.domain.observer_accreditation import OrganisationKind
from tallyroom.domain.protocol_document import FIGURE_FIELDS
from tallyroom.domain.uploaded_file import MAXIMUM_PDF_BYTES, CheckedFile
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.errors import InvalidInput, ServiceError, TooLarge
from tallyroom.service.watchers import (
    complaints,
    exit_polls,
    observer_accreditation,
    observer_copies,
    webcams,
)
from tallyroom.service.watchers.stored_files import checked
from tallyroom.web.filing_rate_limit import filing_limit_of
from tallyroom.web.language import LANGUAGE_COOKIE, choose_language
from tallyroom.web.rendering import render
from tallyroom.web.results_source import ResultsSource

Outcome = TypeVar("Outcome")
#: the observer's credential, kept by the phone's browser for the session
CREDENTIAL_COOKIE = "observer_credential"
#: an exit-poll organisation's credential, kept by its browser for the session
POLLSTER_COOKIE = "pollster_credential"
#: a sample pasted into the form: station codes
MAXIMUM_SAMPLE = 5_000
#: a form with one PDF and its fields
MAXIMUM_FORM_BYTES = MAXIMUM_PDF_BYTES + 256 * 1024
MAXIMUM_FIGURE = 10_000_000
STATIC = Path(__file__).parent / "static"
#: the observer form's scripts and service worker (static/observer/) and what it shares with
#: the station app (static/shared/), served under /observer/app/
OBSERVER_FILES: dict[str, Path] = {
    **{path.name: path for path in (STATIC / "observer").glob("*.js")},
    **{path.name: path for path in (STATIC / "shared").glob("*.js")},
}


def wants_json(request: Request) -> bool:
    """The observer form's outbox sends with `Accept: application/json` and reads the answer;
    a plain form post (no script) gets the page."""
    return "application/json" in request.headers.get("accept", "")


def refusal(error: ServiceError) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": error.code, "message": error.message}}, status_code=error.status
    )


def watcher_router(
    source: ResultsSource,
    *,
    read: Callable[[Callable[[Session], Any]], Any],
    write: Callable[[Callable[[Session], Any]], Any],
    clock: ElectionClock,
) -> APIRouter:
    """Pages that read and write through the given transaction runners (the API's runtime)."""
    router = APIRouter(include_in_schema=False)

    def link(path: str, **query: Any) -> str:
        pairs = {key: value for key, value in query.items() if value is not None}
        return path + ("?" + urlencode(pairs) if pairs else "")

    async def page(
        request: Request, template: str, path: str, status: int = 200, **data: Any
    ) -> Response:
        language = choose_language(
            request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)
        )
        revision = await run_in_threadpool(source.revision)
        election = await run_in_threadpool(source.election)
        body = render(
            template,
            language=language,
            timezone=election.timezone,
            election_name=election.name_in(language),
            page=None,
            data=data,
            revision=revision,
            link=link,
            path=path,
            query={},
            json_path=None,
            csv_base=None,
            # no live updates: these pages have no live regions, and a form's answer (a
            # POST) cannot be fetched again
            events_path="",
            clock=clock.kind.value,
        )
        response = HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
        chosen = request.query_params.get("lang")
        if chosen is not None and chosen == language:
            response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
        return response

    async def form_of(request: Request) -> Any:
        declared = request.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > MAXIMUM_FORM_BYTES:
            raise TooLarge("body_too_large", "the form is larger than 10 MiB")
        return await request.form(max_files=1, max_fields=100, max_part_size=MAXIMUM_FORM_BYTES)

    async def upload(form: Any, name: str, *, photos_only: bool) -> CheckedFile | None:
        file = form.get(name)
        if not isinstance(file, UploadFile) or not file.filename:
            return None
        content = await file.read(MAXIMUM_FORM_BYTES + 1)
        if len(content) > MAXIMUM_FORM_BYTES:
            raise TooLarge("file_too_large", "the file is too large")
        return checked(content, declared_type=file.content_type, photos_only=photos_only)

    # --- complaints ---------------------------------------------------------------------------

    @router.get("/complaints")
    async def register(request: Request, station: str | None = None) -> Response:
        found = await run_in_threadpool(
            read,
            lambda session: complaints.complaint_register(
                session, station=station[:32] if station else None
            ),
        )
        return await page(
            request, "complaints.html", "/complaints", complaints=found, station=station
        )

    @router.get("/complaints/files/{digest}")
    async def published_file(digest: str) -> Response:
        if not (len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
            return Response(status_code=404)
        found = await run_in_threadpool(
            read, lambda session: complaints.published_attachment(session, digest)
        )
        if found is None:
            return Response(status_code=404)
        media_type, content = found
        return Response(
            content,
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{digest[:16]}"',
                "Cache-Control": "public, max-age=86400, immutable",
            },
        )

    def form_data(values: dict[str, str], problem: str | None = None) -> dict[str, Any]:
        return {
            "categories": [c.value for c in ComplaintCategory],
            "subjects": [s.value for s in ComplaintSubject],
            "reporters": [
                r.value
                for r in ReporterKind
                if r not in (ReporterKind.OBSERVER, ReporterKind.SYSTEM)
            ],
            "values": values,
            "problem": problem,
        }

    @router.get("/complaints/new")
    async def new_complaint(
        request: Request, station: str = "", webcam_outage: str = ""
    ) -> Response:
        return await page(
            request,
            "complaint_new.html",
            "/complaints/new",
            **form_data(
                {
                    "station": station[:32],
                    "about": "station" if station else "",
                    "webcam_outage": webcam_outage[:9] if webcam_outage.isdigit() else "",
                }
            ),
        )

    @router.post("/complaints/new")
    async def file_complaint(request: Request) -> Response:
        values: dict[str, str] = {}
        try:
            filing_limit_of(request.app.state).admit(
                request.client.host if request.client else "unknown"
            )
            form = await form_of(request)
            values = {
                key: str(form.get(key) or "")[:5000]
                for key in (
                    "category",
                    "about",
                    "station",
                    "constituency",
                    "description",
                    "reporter_kind",
                    "reporter_name",
                    "reporter_contact",
                    "webcam_outage",
                )
            }
            filing = _filing(values)
            attachment = await upload(form, "attachment", photos_only=False)
            row = await run_in_threadpool(
                write,
                lambda session: complaints.file_complaint(
                    session, filing, attachments=[attachment] if attachment else []
                ),
            )
        except ServiceError as error:
            return await page(
                request,
                "complaint_new.html",
                "/complaints/new",
                status=error.status,
                **form_data(values, error.message),
            )
        return await page(
            request,
            "complaint_filed.html",
            "/complaints/new",
            status=201,
            tracking_number=row.tracking_number,
        )

    # --- organisations apply ----------------------------------------------------------------

    application_fields = (
        "code",
        "name",
        "kind",
        "country",
        "represents",
        "partner_name",
        "partner_country",
    )

    def application_data(values: dict[str, str], problem: str | None = None) -> dict[str, Any]:
        return {
            "kinds": [k.value for k in OrganisationKind],
            "values": values,
            "problem": problem,
        }

    @router.get("/observers/apply")
    async def application_form(request: Request) -> Response:
        return await page(
            request, "organisation_apply.html", "/observers/apply", **application_data({})
        )

    @router.post("/observers/apply")
    async def apply(request: Request) -> Response:
        values: dict[str, str] = {}
        try:
            filing_limit_of(request.app.state).admit(
                request.client.host if request.client else "unknown"
            )
            form = await form_of(request)
            values = {key: str(form.get(key) or "").strip()[:400] for key in application_fields}
            application = _application(values)
            row = await run_in_threadpool(
                write,
                lambda session: observer_accreditation.apply_organisation(session, application),
            )
        except ServiceError as error:
            return await page(
                request,
                "organisation_apply.html",
                "/observers/apply",
                status=error.status,
                **application_data(values, error.message),
            )
        return await page(
            request,
            "organisation_applied.html",
            "/observers/apply",
            status=201,
            code=row.code,
        )

    # --- exit polls -------------------------------------------------------------------------

    @router.get("/exit-polls")
    async def exit_poll_page(request: Request) -> Response:
        def load(session: Session) -> exit_polls.ExitPollReport:
            election = election_of(election_row(session, None))
            return exit_polls.exit_poll_report(session, now=clock.now(election))

        try:
            report = await run_in_threadpool(read, load)
        except ServiceError as error:
            return await page(
                request,
                "exit_polls.html",
                "/exit-polls",
                status=error.status,
                report=None,
                problem=error.message,
            )
        return await page(request, "exit_polls.html", "/exit-polls", report=report, problem=None)

    # --- an exit-poll organisation's page ---------------------------------------------------

    async def pollster_page(request: Request, status: int = 200, **data: Any) -> Response:
        credential = request.cookies.get(POLLSTER_COOKIE)
        if not credential:
            return await page(
                request, "pollster.html", "/exit-poll", status=status, signed_in=False, **data
            )

        def load(session: Session) -> tuple[exit_polls.PollsterPrincipal, int, int]:
            pollster = exit_polls.authenticate_pollster(session, credential)
            return (pollster, *exit_polls.pollster_counts(session, pollster=pollster))

        try:
            pollster, sampled, estimated = await run_in_threadpool(read, load)
        except ServiceError as error:
            response = await page(
                request,
                "pollster.html",
                "/exit-poll",
                status=401,
                signed_in=False,
                problem=error.message,
            )
            response.delete_cookie(POLLSTER_COOKIE)
            return response
        return await page(
            request,
            "pollster.html",
            "/exit-poll",
            status=status,
            signed_in=True,
            organisation=pollster.code,
            sampled=sampled,
            estimated=estimated,
            **data,
        )

    @router.get("/exit-poll")
    async def pollster_home(request: Request) -> Response:
        return await pollster_page(request)

    async def credential_sign_in(
        request: Request,
        authenticate: Callable[[Session, str], object],
        *,
        template: str,
        path: str,
        cookie: str,
    ) -> Response:
        """Sign in with a badge's or a firm's credential: kept in a Strict cookie (a form
        elsewhere cannot send anything in its holder's name), or the page again with 401."""
        form = await form_of(request)
        credential = str(form.get("credential") or "").strip()[:200]
        try:
            await run_in_threadpool(read, lambda session: authenticate(session, credential))
        except ServiceError as error:
            return await page(
                request, template, path, status=401, signed_in=False, problem=error.message
            )
        response = RedirectResponse(link(path), status_code=303)
        response.set_cookie(
            cookie,
            credential,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=3 * 24 * 3600,
        )
        return response

    @router.post("/exit-poll/sign-in")
    async def pollster_sign_in(request: Request) -> Response:
        return await credential_sign_in(
            request,
            exit_polls.authenticate_pollster,
            template="pollster.html",
            path="/exit-poll",
            cookie=POLLSTER_COOKIE,
        )

    @router.post("/exit-poll/sign-out")
    async def pollster_sign_out() -> Response:
        response = RedirectResponse(link("/exit-poll"), status_code=303)
        response.delete_cookie(POLLSTER_COOKIE)
        return response

    @router.post("/exit-poll/sample")
    async def pollster_sample(request: Request) -> Response:
        try:
            form = await form_of(request)
            stations = _station_list(str(form.get("stations") or ""))

            def store(session: Session) -> int:
                pollster = exit_polls.authenticate_pollster(
                    session, request.cookies.get(POLLSTER_COOKIE)
                )
                election = election_of(election_row(session, None))
                return exit_polls.declare_sample(
                    session, pollster=pollster, stations=stations, now=clock.now(election)
                )

            added = await run_in_threadpool(write, store)
        except ServiceError as error:
            return await pollster_page(request, status=error.status, problem=error.message)
        return await pollster_page(request, status=201, sample_added=added)

    @router.post("/exit-poll/estimates")
    async def pollster_estimates(request: Request) -> Response:
        try:
            form = await form_of(request)
            estimates = _estimates(str(form.get("estimates") or ""))

            def store(session: Session) -> int:
                pollster = exit_polls.authenticate_pollster(
                    session, request.cookies.get(POLLSTER_COOKIE)
                )
                return exit_polls.submit_estimates(session, pollster=pollster, estimates=estimates)

            stored = await run_in_threadpool(write, store)
        except ServiceError as error:
            return await pollster_page(request, status=error.status, problem=error.message)
        return await pollster_page(request, status=201, estimates_stored=stored)

    # --- the observer's phone form --------------------------------------------------------

    def signed_in(request: Request, session: Session) -> observer_accreditation.ObserverPrincipal:
        return observer_accreditation.authenticate_observer(
            session, request.cookies.get(CREDENTIAL_COOKIE)
        )

    @router.get("/observer")
    async def observer_home(request: Request, station: str | None = None) -> Response:
        if not request.cookies.get(CREDENTIAL_COOKIE):
            return await page(request, "observer.html", "/observer", signed_in=False)

        def load(session: Session) -> tuple[Any, list[Any]]:
            observer = signed_in(request, session)
            return observer, observer_copies.stations_for_copies(session, observer=observer)

        try:
            observer, stations = await run_in_threadpool(read, load)
        except ServiceError as error:
            response = await page(
                request,
                "observer.html",
                "/observer",
                status=401,
                signed_in=False,
                problem=error.message,
            )
            response.delete_cookie(CREDENTIAL_COOKIE)
            return response
        chosen = next((s for s in stations if s.code == station), None)
        if chosen is None and len(stations) == 1:
            chosen = stations[0]
        outages = (
            await run_in_threadpool(
                read,
                lambda session: webcams.station_outages(
                    session, election_id=observer.election_id, station_code=chosen.code
                ),
            )
            if chosen is not None
            else ()
        )
        response = await page(
            request,
            "observer.html",
            "/observer",
            signed_in=True,
            badge=observer.badge_number,
            stations=stations,
            chosen=chosen,
            figure_fields=FIGURE_FIELDS,
            categories=[c.value for c in ComplaintCategory],
            outages=outages,
        )
        # the observer's own page: no cache keeps it, the form's service worker included
        response.headers["Cache-Control"] = "no-store, private"
        return response

    @router.get("/observer/offline")
    async def observer_offline(request: Request) -> Response:
        """What the form's service worker shows for /observer without a network: nothing of
        any observer, so it may be kept on a shared phone."""
        response = await page(request, "observer.html", "/observer", offline=True)
        response.headers["Cache-Control"] = "no-cache"
        return response

    @router.post("/observer/sign-in")
    async def sign_in(request: Request) -> Response:
        return await credential_sign_in(
            request,
            observer_accreditation.authenticate_observer,
            template="observer.html",
            path="/observer",
            cookie=CREDENTIAL_COOKIE,
        )

    @router.post("/observer/sign-out")
    async def sign_out() -> Response:
        response = RedirectResponse(link("/observer"), status_code=303)
        response.delete_cookie(CREDENTIAL_COOKIE)
        # the browser drops what it kept of the signed-in pages; the outbox (IndexedDB) stays,
        # its waiting items bound to their observer's badge (static/observer/observer.js)
        response.headers["Clear-Site-Data"] = '"cache"'
        return response

    @router.post("/observer/copies")
    async def submit_copy(request: Request) -> Response:
        station = ""
        try:
            form = await form_of(request)
            station = str(form.get("station") or "")[:32]
            figures = _figures(form)
            photo = await upload(form, "photo", photos_only=True)
            key = _key(form)

            def store(session: Session) -> int:
                observer = signed_in(request, session)
                return observer_copies.submit_copy(
                    session,
                    observer=observer,
                    station_code=station,
                    figures=figures,
                    photo=photo,
                    idempotency_key=key,
                ).id

            copy_id = await run_in_threadpool(write, store)
        except ServiceError as error:
            if wants_json(request):
                return refusal(error)
            return await page(
                request,
                "observer_done.html",
                "/observer",
                status=error.status,
                problem=error.message,
                station=station,
            )
        if wants_json(request):
            return JSONResponse({"station": station, "copy_id": copy_id}, status_code=201)
        return await page(
            request, "observer_done.html", "/observer", status=201, problem=None, station=station
        )

    @router.post("/observer/complaints")
    async def observer_complaint(request: Request) -> Response:
        """A complaint from the signed-in observer's phone (sent from its outbox)."""
        station = ""
        try:
            filing_limit_of(request.app.state).admit(
                request.client.host if request.client else "unknown"
            )
            form = await form_of(request)
            values = {
                key: str(form.get(key) or "")[:5000]
                for key in ("category", "station", "description", "webcam_outage")
            }
            station = values["station"][:32]
            filing = _filing(
                {
                    **values,
                    "about": "station",
                    "constituency": "",
                    "reporter_kind": "voter",
                    "reporter_name": "",
                    "reporter_contact": "",
                }
            )
            attachment = await upload(form, "attachment", photos_only=False)
            key = _key(form)

            def store(session: Session) -> str:
                observer = signed_in(request, session)
                return complaints.file_complaint(
                    session,
                    filing,
                    attachments=[attachment] if attachment else [],
                    observer=observer,
                    idempotency_key=key,
                ).tracking_number

            tracking = await run_in_threadpool(write, store)
        except ServiceError as error:
            if wants_json(request):
                return refusal(error)
            return await page(
                request,
                "observer_done.html",
                "/observer",
                status=error.status,
                problem=error.message,
                station=station,
            )
        if wants_json(request):
            return JSONResponse({"station": station, "tracking_number": tracking}, status_code=201)
        return await page(
            request,
            "complaint_filed.html",
            "/observer",
            status=201,
            tracking_number=tracking,
        )

    @router.get("/observer/app/{name}")
    async def observer_file(name: str) -> Response:
        path = OBSERVER_FILES.get(name)
        if path is None:
            return Response(status_code=404)
        headers = {"Cache-Control": "no-cache"}
        if name == "sw.js":
            # the worker keeps /observer itself, above its own folder
            headers["Service-Worker-Allowed"] = "/observer"
        return Response(path.read_bytes(), media_type="text/javascript", headers=headers)

    return router


def _application(values: dict[str, str]) -> observer_accreditation.Application:
    """The form's application, checked as the API checks it (codes, names, countries)."""
    if any("\x00" in value for value in values.values()):
        raise InvalidInput("nul_character", "the form holds a NUL character")
    try:
        body = OrganisationApplicationBody.model_validate(
            {key: value for key, value in values.items() if value}
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput("invalid_application", f"{where}: {first['msg']}") from None
    return observer_accreditation.Application(
        body.code,
        body.name,
        body.kind,
        body.country,
        body.represents,
        body.partner_name,
        body.partner_country,
    )


def _station_list(text: str) -> list[str]:
    """Station codes separated by commas, spaces or new lines."""
    codes = [code for code in text.replace(",", " ").split() if code]
    if not codes or len(codes) > MAXIMUM_SAMPLE:
        raise InvalidInput("sample", f"1 to {MAXIMUM_SAMPLE} station codes")
    if any(len(code) > 32 or not code.isascii() for code in codes):
        raise InvalidInput("invalid_station", "a station code is up to 32 letters and digits")
    return codes


def _estimates(text: str) -> list[exit_polls.Estimate]:
    """CSV with a header `station,turnout,<candidate code>…`; one line per station, percent
    of voters (an empty cell: the candidate does not stand there)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 2 or len(lines) > exit_polls.MAXIMUM_ESTIMATES + 1:
        raise InvalidInput("estimates", f"a header and 1 to {exit_polls.MAXIMUM_ESTIMATES} lines")
    header = [cell.strip() for cell in lines[0].split(",")]
    if header[:2] != ["station", "turnout"] or len(header) < 3 or len(header) > 100:
        raise InvalidInput(
            "estimates_header", "the first line is station,turnout and candidates' codes"
        )
    estimates = []
    for number, line in enumerate(lines[1:], 2):
        cells = [cell.strip() for cell in line.split(",")]
        if len(cells) != len(header):
            raise InvalidInput(
                "estimates_line", f"line {number}: {len(header)} cells, as the header"
            )
        try:
            turnout = float(cells[1])
            shares = {
                code: float(cell) for code, cell in zip(header[2:], cells[2:], strict=True) if cell
            }
        except ValueError:
            raise InvalidInput("estimates_line", f"line {number}: a number is not one") from None
        if any(value != value for value in (turnout, *shares.values())):
            raise InvalidInput("estimates_line", f"line {number}: a number is not one")
        estimates.append(exit_polls.Estimate(cells[0][:32], turnout, shares))
    return estimates


def _key(form: Any) -> str | None:
    """The idempotency key the observer's outbox chose (None from a plain form post)."""
    key = str(form.get("idempotency_key") or "").strip()
    if not key:
        return None
    if not is_idempotency_key(key):
        raise InvalidInput("invalid_idempotency_key", "16 to 64 letters, digits, - or _")
    return key


def _filing(values: dict[str, str]) -> complaints.ComplaintFiling:
    if any("\x00" in value for value in values.values()):
        raise InvalidInput("nul_character", "the form holds a NUL character")
    try:
        category = ComplaintCategory(values["category"])
        about = ComplaintSubject(values["about"])
        reporter = ReporterKind(values["reporter_kind"] or "voter")
    except ValueError:
        raise InvalidInput(
            "invalid_choice", "choose a category, a subject and who you are"
        ) from None
    number = values["constituency"].strip()
    if number and not (number.isascii() and number.isdigit() and len(number) < 7):
        raise InvalidInput("invalid_constituency", "the constituency is a number")
    outage = values.get("webcam_outage", "").strip()
    if outage and not (outage.isascii() and outage.isdigit() and len(outage) < 10):
        raise InvalidInput("invalid_outage", "the outage is a number")
    return complaints.ComplaintFiling(
        category=category,
        about=about,
        description=values["description"],
        reporter_kind=reporter,
        station=values["station"].strip() or None,
        constituency=int(number) if number else None,
        reporter_name=values["reporter_name"] or None,
        reporter_contact=values["reporter_contact"] or None,
        webcam_outage=int(outage) if outage else None,
    )


def _count(text: str, name: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAXIMUM_FIGURE:
        raise InvalidInput("invalid_figure", f"{name}: a whole number from 0 to 10,000,000")
    return int(text)


def _figures(form: Any) -> dict[str, Any]:
    figures: dict[str, Any] = {
        name: _count(str(form.get(name) or ""), name) for name in FIGURE_FIELDS
    }
    votes = {
        str(key)[len("votes.") :]: _count(str(value), str(key))
        for key, value in form.multi_items()
        if str(key).startswith("votes.") and len(str(key)) <= 40
    }
    if not votes:
        raise InvalidInput("votes_required", "the copy's votes per candidate")
    figures["votes"] = votes
    return figures
