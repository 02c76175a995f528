"""`tallyroom serve`: the HTTP API (and site) on the configured database."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

import typer

from tallyroom.cli.output import console, fail
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.store.database import database_url_from_environment


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=0, max=65535, help="Port to listen on."),
    drill: bool = typer.Option(
        False,
        "--drill",
        help="Judge times by the reference polling day mapped onto now (a rehearsal); "
        "every page and response says DRILL. Default: real time in the election's time zone.",
    ),
    drill_speed: float = typer.Option(
        1.0,
        "--drill-speed",
        min=0.0,
        help="With --drill: polling-day time per real time; 0 stands at the close of voting.",
    ),
    drill_starts: str | None = typer.Option(
        None,
        "--drill-starts",
        help="With --drill: the polling-day time (HH:MM) it is now; default: voting opens.",
    ),
    tree_head_key: Path | None = typer.Option(
        None,
        help="The commission's tree-head key (PEM, from `tallyroom audit keygen`): sign the "
        "audit log's head every minute while entries arrive.",
    ),
    tls_cert: Path | None = typer.Option(
        None,
        "--tls-cert",
        help="Serve HTTPS with this certificate (PEM): the station app needs a secure context "
        "anywhere but on localhost (docs/station-app.md says how to make one for a drill).",
    ),
    tls_key: Path | None = typer.Option(
        None, "--tls-key", help="With --tls-cert: the certificate's private key (PEM)."
    ),
) -> None:
    """Run the server until interrupted (Ctrl-C)."""
    import uvicorn

    from tallyroom.api.app import TREE_HEAD_KEY_VARIABLE, create_app
    from tallyroom.api.stopping_server import STOP_SECONDS, StoppingServer

    if tree_head_key is not None:
        if not tree_head_key.is_file():
            fail(f"{tree_head_key}: no such key file")
        os.environ[TREE_HEAD_KEY_VARIABLE] = str(tree_head_key)

    if not drill and (drill_starts is not None or drill_speed != 1.0):
        fail("--drill-speed and --drill-starts set a drill clock; add --drill")
    clock = (
        ElectionClock.drill(speed=drill_speed, starts=_time_of_day(drill_starts))
        if drill
        else ElectionClock.real()
    )
    if (tls_cert is None) != (tls_key is None):
        fail("give --tls-cert and --tls-key together")
    for path in (tls_cert, tls_key):
        if path is not None and not path.is_file():
            fail(f"{path}: no such file")
    scheme = "https" if tls_cert is not None else "http"
    url = database_url_from_environment()
    console.print(
        f"serving on {scheme}://{host}:{port} (API docs at /docs), database {_safe(url)}, "
        f"clock: {clock.describe()}"
    )
    app = create_app(url, clock=clock)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        # Naming the server software helps only an attacker.
        server_header=False,
        timeout_graceful_shutdown=STOP_SECONDS,
        ssl_certfile=str(tls_cert) if tls_cert is not None else None,
        ssl_keyfile=str(tls_key) if tls_key is not None else None,
    )
    StoppingServer(config, app.state.runtime.stopping).run()


def _time_of_day(value: str | None) -> time | None:
    if value is None:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        fail(f"--drill-starts {value!r} is not a time like 07:30")


def _safe(url: str) -> str:
    # Never print a password that may be part of the URL.
    scheme, _, rest = url.partition("://")
    credentials, at, location = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':')[0]}@{location}" if at else url
