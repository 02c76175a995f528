"""The station app's routes: its page at `/station/` and its poll-book desk's at
`/station/poll-book` (in az/en/ru), their ES modules and service worker under `/station/`,
so that the worker's scope covers the app and nothing else of the site. Plain files, no build
step; every string the scripts show comes from the page's catalogue."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from tallyroom.web.language import LANGUAGE_COOKIE, choose_language, translations
from tallyroom.web.rendering import environment

STATIC = Path(__file__).parent / "static"
#: the app's modules (static/station/) and the rule evaluator it shares with the server
#: (static/rules/), served under /station/ so the service worker may cache them
APP_FILES: dict[str, Path] = {
    **{path.name: path for path in (STATIC / "station").glob("*.js")},
    **{path.name: path for path in (STATIC / "station").glob("*.css")},
    # shared with the observer's form (web/watcher_pages.py)
    **{path.name: path for path in (STATIC / "shared").glob("*.js")},
    "rules/evaluate.js": STATIC / "rules" / "evaluate.js",
    # loaded only where WebCrypto lacks Ed25519 (signing_key.js)
    "vendor/noble-ed25519/index.js": STATIC / "vendor" / "noble-ed25519" / "index.js",
}
TYPES = {".js": "text/javascript", ".css": "text/css"}


def N_(message: str) -> str:  # noqa: N802 (gettext's marker name, which pybabel extracts)
    """Marks a message for the catalogue; it is translated when the page is rendered."""
    return message


def script_messages(language: str) -> dict[str, str]:
    """The strings the scripts show, in the reader's language."""
    gettext = translations(language).gettext
    return {key: gettext(text) for key, text in SCRIPT_MESSAGES.items()}


SCRIPT_MESSAGES: dict[str, str] = {
    "enrolled": N_("This device is enrolled for station %(station)s."),
    "enrolling": N_("Making this device's key and enrolling…"),
    "no_webcrypto": N_("This browser cannot make an Ed25519 key; use an up-to-date browser."),
    "offline": N_("No network: signed documents wait on this device and are sent when it returns."),
    "online": N_("Connected."),
    "waiting": N_("waiting to be sent"),
    "delivered": N_("delivered"),
    "refused": N_("refused"),
    "protocol_version": N_("Protocol, version %(version)s"),
    "turnout_at": N_("Turnout at %(hour)s"),
    "nothing_queued": N_("Nothing waiting: every signed document has been delivered."),
    "queued": N_("%(count)s signed document(s) waiting to be sent."),
    "all_blank": N_("Every field is blank or zero: enter the figures of the paper protocol."),
    "blank_field": N_("Enter a whole number (0 if none)."),
    "fix_first": N_("Correct the fields marked before reviewing."),
    "problems": N_("%(count)s check(s) fail:"),
    "accepted": N_("Accepted and counted."),
    "flagged": N_("Stored and flagged for the commission:"),
    "received": N_("Stored, not counted (the station's result is annulled)."),
    "signing": N_("Signing and sending…"),
    "stored_version": N_("Stored as version %(version)s."),
    "differ": N_("The two entries differ in: %(fields)s. Enter these fields again from the paper."),
    "agree": N_("Both entries agree."),
    "second_clerk": N_("Second clerk: enter the same protocol without looking at the first entry."),
    "first_clerk": N_("First clerk: enter the protocol."),
    "reason_needed": N_("An amendment needs a reason."),
    "photo_ready": N_("Photo ready (%(size)s KB, location and camera data removed)."),
    "photo_not_supported": N_("This server does not take photos of the protocol yet."),
    "photo_waiting": N_("The photo of the paper protocol is waiting to be sent."),
    "photo_sent": N_("The photo was sent."),
    "photo_refused": N_("The server refused the photo:"),
    "turnout_sent": N_("Turnout at %(hour)s reported."),
    "round_one": N_("Round 1 (%(date)s)"),
    "round_two": N_("Round 2 (%(date)s)"),
    "round_two_no_date": N_("Round 2 (date not set)"),
    "code_mistyped": N_("Check the enrolment code: it has 10 letters and digits."),
    "receipt_qr": N_("QR code of the protocol's SHA-256"),
    # the poll-book desk's page (static/station/poll_book.js)
    "desk_enrolled": N_("This desk is %(device)s."),
    "checked_in": N_("Checked in."),
    "check_in_kept": N_("No network: the check-in is kept on this desk and sent when it returns."),
    "check_ins_waiting": N_("%(count)s check-in(s) waiting to be sent."),
    # today's control checks by their codes (a rule set's own rules show their description)
    "rule_votes_and_invalid_differ_from_cast": N_(
        "Valid votes plus invalid ballots differ from the ballots in the boxes"
    ),
    "rule_cast_exceeds_issued": N_("More ballots in the boxes than ballots issued"),
    "rule_issued_and_unused_differ_from_received": N_(
        "Ballots issued plus unused differ from the ballots received"
    ),
    "rule_issued_exceeds_voters": N_("More ballots issued than voters"),
    "rule_registered_differs_from_register": N_("Voters differ from the register"),
    "rule_candidate_missing": N_("A candidate's votes are missing"),
}


def _page(request: Request, template_name: str, path: str) -> HTMLResponse:
    chosen = request.query_params.get("lang")
    language = choose_language(chosen, request.cookies.get(LANGUAGE_COOKIE))
    template = environment(language).get_template(template_name)
    messages = json.dumps(script_messages(language), ensure_ascii=False)
    body = template.render(
        # "</" never appears inside the JSON data block, so it cannot close it early.
        messages=Markup(messages.replace("</", "<\\/")),
        path=path,
    )
    response = HTMLResponse(body, headers={"Cache-Control": "no-cache"})
    if chosen == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=31_536_000, samesite="lax")
    return response


def station_app_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    files = {name: path.read_bytes() for name, path in APP_FILES.items() if path.exists()}

    @router.get("/station")
    async def station_redirect(request: Request) -> RedirectResponse:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/station/{query}", status_code=308)

    @router.get("/station/")
    async def station_page(request: Request) -> HTMLResponse:
        return _page(request, "station_app.html", "/station/")

    @router.get("/station/poll-book")
    async def poll_book_page(request: Request) -> HTMLResponse:
        return _page(request, "station_poll_book.html", "/station/poll-book")

    @router.get("/station/{name:path}")
    async def station_file(name: str) -> Response:
        body = files.get(name)
        if body is None:
            raise HTTPException(404)
        headers = {"Cache-Control": "no-cache"}
        if name == "sw.js":
            headers["Service-Worker-Allowed"] = "/station/"
        return Response(body, media_type=TYPES[Path(name).suffix], headers=headers)

    return router
