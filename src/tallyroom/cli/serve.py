"""`tallyroom serve`: the HTTP API (and site) on the configured database."""

from __future__ import annotations

import typer

from tallyroom.cli.output import console
from tallyroom.store.database import database_url_from_environment

#: seconds a stopping server gives the requests still open (an event stream never ends)
GRACEFUL_SHUTDOWN_SECONDS = 2


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=0, max=65535, help="Port to listen on."),
) -> None:
    """Run the server until interrupted (Ctrl-C)."""
    import uvicorn

    from tallyroom.api.app import create_app

    url = database_url_from_environment()
    console.print(f"serving on http://{host}:{port} (API docs at /docs), database {_safe(url)}")
    uvicorn.run(
        create_app(url),
        host=host,
        port=port,
        log_level="warning",
        # Naming the server software helps only an attacker.
        server_header=False,
        # A stop (Ctrl-C, SIGTERM) waits this long for open requests, then closes them.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def _safe(url: str) -> str:
    # Never print a password that may be part of the URL.
    scheme, _, rest = url.partition("://")
    credentials, at, location = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':')[0]}@{location}" if at else url
