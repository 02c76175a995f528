"""`tallyroom announce`: the commission's announcement of results, from the data."""

from __future__ import annotations

from pathlib import Path

import typer

from tallyroom.cli.output import fail
from tallyroom.cli.store_access import sessions
from tallyroom.domain.announcement import LANGUAGES, announcement_text
from tallyroom.service.errors import ServiceError
from tallyroom.service.results.announcement import announcement_figures
from tallyroom.store.database import transaction


def announce(
    language: str = typer.Option("az", "--lang", help="Language: az, en or ru."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file, not the screen."),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """Write the commission's announcement: seats, turnout, protocols received, stations."""
    if language not in LANGUAGES:
        fail(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    try:
        with transaction(sessions()) as session:
            figures = announcement_figures(session, election)
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    text = announcement_text(figures, language)
    if out is None:
        # Plain print: the text is the output, without Rich's wrapping or markup.
        print(text, end="")
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"could not write {out}: {error}")
