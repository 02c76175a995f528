"""The FastAPI application: API routes, the public site, one error envelope."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from tallyroom import __version__
from tallyroom.api import (
    audit_heads,
    certifications,
    commission_queues,
    decisions,
    enrolments,
    exit_polls,
    lots,
    observers,
    poll_book,
    public_results,
    receipts,
    rule_changes,
    runoffs,
    station_setup,
    submissions,
    webcams,
)
from tallyroom.api.api_docs import docs_router
from tallyroom.api.clock_header import ClockHeader
from tallyroom.api.console_certification_pages import console_certification_router
from tallyroom.api.console_pages import console_router
from tallyroom.api.console_queue_pages import console_queue_router
from tallyroom.api.console_rules_pages import console_rules_router
from tallyroom.api.console_watcher_pages import console_watcher_router
from tallyroom.api.errors import install_error_handlers
from tallyroom.api.head_requests import HeadAsGet
from tallyroom.api.openapi_contract import install_contract
from tallyroom.api.public_cors import PublicReadCors, public_read_paths
from tallyroom.api.runtime import Runtime
from tallyroom.api.security_headers import SecurityHeaders
from tallyroom.api.sign_in_api import sign_in_router
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.domain.signature import load_private_key
from tallyroom.store.database import database_url_from_environment
from tallyroom.web.database_source import DatabaseResultsSource
from tallyroom.web.poll_book_page import poll_book_router
from tallyroom.web.routes import web_router
from tallyroom.web.station_app import station_app_router
from tallyroom.web.voter_look_up_page import voter_look_up_router
from tallyroom.web.watcher_pages import watcher_router

#: names the PEM file of the commission's tree-head key; with it a served site signs the
#: audit log's head every minute while entries arrive
TREE_HEAD_KEY_VARIABLE = "TALLYROOM_TREE_HEAD_KEY"
#: seconds a thread may hold the GIL before a waiting one gets it
READER_SWITCH_INTERVAL = 0.001


def create_app(
    database_url: str | None = None,
    *,
    runtime: Runtime | None = None,
    clock: ElectionClock | None = None,
) -> FastAPI:
    """The app; a served one (no runtime handed in) judges times by `clock`, real time unless
    a drill is named. A runtime handed in (tests) keeps its own clock and intake."""
    # A served site takes protocols in a process of its own, so that its readers never wait
    # for the writer.
    served = runtime is None
    runtime = runtime or Runtime.for_database(
        database_url or database_url_from_environment(),
        intake_process=True,
        clock=clock or ElectionClock.real(),
    )
    key_file = os.environ.get(TREE_HEAD_KEY_VARIABLE)
    if served and key_file:
        runtime.tree_head_key = load_private_key(Path(key_file).read_bytes())
    # Readers wait for the GIL while the protocol intake thread computes; a shorter switch
    # interval than the default 5 ms bounds that wait (bench/ingest.py measures both).
    sys.setswitchinterval(READER_SWITCH_INTERVAL)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Started before the first protocol arrives, not by it (a process takes ~1 s to start).
        runtime.start()
        if served:
            # The modules, templates and catalogues loaded so far live as long as the server:
            # out of the cyclic collector's reach, a full collection scans what requests
            # leave behind instead of the whole heap (pauses of 130 ms → 5 ms measured).
            gc.collect()
            gc.freeze()
        yield
        # Protocols already queued are committed and answered before the server stops.
        runtime.close()

    app = FastAPI(
        lifespan=lifespan,
        title="tallyroom",
        version=__version__,
        description="Results system of a national election commission.",
        # /docs is served from the package (api_docs.py); FastAPI's own pages load Swagger
        # UI and ReDoc from a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    # The public site reads through the same results cache as the API, so both agree.
    site = DatabaseResultsSource(runtime.reader, cache=runtime.results)
    install_error_handlers(app, site=site)
    install_contract(app)
    app.add_middleware(ClockHeader, clock=runtime.clock)
    app.add_middleware(HeadAsGet)
    app.include_router(submissions.router)
    app.include_router(decisions.router)
    app.include_router(rule_changes.router)
    app.include_router(certifications.router)
    app.include_router(runoffs.router)
    app.include_router(lots.router)
    app.include_router(commission_queues.router)
    app.include_router(public_results.router)
    app.include_router(poll_book.router)
    app.include_router(observers.router)
    app.include_router(exit_polls.router)
    app.include_router(webcams.router)
    app.include_router(docs_router("tallyroom", "/openapi.json"))
    app.add_middleware(
        PublicReadCors,
        # the signed certifications are public like the results (certifications.py)
        public_paths=public_read_paths(
            [
                *public_results.router.routes,
                *certifications.router.routes,
                *runoffs.router.routes,
                *lots.router.routes,
                *poll_book.router.routes,
            ]
        ),
    )
    # Outermost, so that every answer carries the headers, errors and HEAD included.
    app.add_middleware(SecurityHeaders)
    app.include_router(audit_heads.router)
    app.include_router(console_router())
    app.include_router(console_queue_router())
    app.include_router(console_certification_router())
    app.include_router(console_watcher_router())
    app.include_router(console_rules_router())
    app.include_router(sign_in_router())
    app.include_router(voter_look_up_router(site, runtime))
    app.include_router(poll_book_router(site, runtime))
    app.include_router(enrolments.router)
    app.include_router(station_setup.router)
    app.include_router(receipts.router)
    app.include_router(station_app_router())
    app.include_router(
        watcher_router(
            site, read=runtime.read, write=observers.writer(runtime), clock=runtime.clock
        )
    )
    app.include_router(
        web_router(
            site,
            background_builds=runtime.results.serves_stale,
            clock=runtime.clock.kind,
            stopping=runtime.stopping,
        )
    )
    return app
