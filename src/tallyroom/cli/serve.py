"""`tallyroom serve`: the HTTP API (and site) on the configured database."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from tallyroom.cli.output import console, fail
from tallyroom.store.database import database_url_from_environment


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=0, max=65535, help="Port to listen on."),
    tree_head_key: Path | None = typer.Option(
        None,
        help="The commission's tree-head key (PEM, from `tallyroom audit keygen`): sign the "
        "audit log's head every minute while entries arrive.",
    ),
) -> None:
    """Run the server until interrupted (Ctrl-C)."""
    import uvicorn

    from tallyroom.api.app import TREE_HEAD_KEY_VARIABLE, create_app

    if tree_head_key is not None:
        if not tree_head_key.is_file():
            fail(f"{tree_head_key}: no such key file")
        os.environ[TREE_HEAD_KEY_VARIABLE] = str(tree_head_key)

    url = database_url_from_environment()
    console.print(f"serving on http://{host}:{port} (API docs at /docs), database {_safe(url)}")
    uvicorn.run(create_app(url), host=host, port=port, log_level="warning")


def _safe(url: str) -> str:
    # Never print a password that may be part of the URL.
    scheme, _, rest = url.partition("://")
    credentials, at, location = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':')[0]}@{location}" if at else url
