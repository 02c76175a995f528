"""`tallyroom load`, `export` and `scenario`: definition folders in and out of the store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from tallyroom.cli.output import console, errors, fail
from tallyroom.cli.store_access import sessions
from tallyroom.definition.layout import COLUMNS, ELECTION_FILE, OPTIONAL_FILES, RULES_FILE
from tallyroom.definition.problems import DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.scenarios.built_in import SCENARIO_NAMES, built_in_scenario
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.errors import ServiceError
from tallyroom.store.database import transaction

SCENARIOS = SCENARIO_NAMES


def definition_digest(folder: Path) -> str:
    """SHA-256 over the definition's files, in a fixed order."""
    digest = hashlib.sha256()
    # rules.yaml counts only when present, so a folder without one keeps its digest.
    rules = (RULES_FILE,) if (folder / RULES_FILE).is_file() else ()
    for name in (ELECTION_FILE, *COLUMNS, *OPTIONAL_FILES, *rules):
        path = folder / name
        if name in OPTIONAL_FILES and not path.is_file():
            # An absent optional file leaves the digest as it was before the file existed.
            continue
        digest.update(name.encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load(
    folder: Path = typer.Argument(..., help="Definition folder (election.yaml + CSV files)."),
) -> None:
    """Validate a definition folder and load it in one transaction."""
    if not folder.is_dir():
        fail(f"{folder}: not a folder")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=not errors.is_terminal,
    ) as progress:
        reading = progress.add_task("validating", total=None)
        try:
            definition = read_definition(folder)
        except DefinitionError as error:
            progress.stop()
            for problem in error.problems:
                errors.print(str(folder / str(problem)), highlight=False, soft_wrap=True)
            fail(f"{len(error.problems)} problem(s) in {folder}; nothing was loaded")
        progress.update(reading, total=1, completed=1)
        tasks: dict[str, TaskID] = {}

        def report(part: str, done: int, total: int) -> None:
            if part not in tasks:
                tasks[part] = progress.add_task(f"storing {part}", total=total)
            progress.update(tasks[part], completed=done)

        try:
            with transaction(sessions()) as session:
                define_election(
                    session,
                    definition=definition,
                    digest=definition_digest(folder),
                    actor="cli:load",
                    progress=report,
                )
        except ServiceError as error:
            progress.stop()
            fail(f"{error.code}: {error.message}")
    console.print(
        f"loaded [bold]{definition.election.code}[/]: {len(definition.constituencies)} "
        f"constituencies, {len(definition.stations):,} stations, "
        f"{len(definition.candidates):,} candidates, {len(definition.observers):,} observers"
    )


def export(
    folder: Path = typer.Argument(..., help="Folder to write the definition into."),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """Write the stored election back as a definition folder."""
    try:
        with transaction(sessions()) as session:
            definition = stored_definition(session, election)
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    write_definition(definition, folder)
    console.print(f"wrote {definition.election.code} to {folder}")


def scenario(
    name: str = typer.Argument(..., help="Scenario name: az-2024 or az-2024-parallel."),
    folder: Path = typer.Argument(..., help="Folder to write the definition into."),
    seed: int = typer.Option(2024, help="Random seed: the same seed gives the same files."),
) -> None:
    """Write a built-in scenario's definition folder."""
    built_in = built_in_scenario(name)
    if built_in is None:
        fail(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    definition = built_in.build_definition(seed)
    write_definition(definition, folder)
    console.print(
        f"wrote scenario {name} (seed {seed}) to {folder}: {len(definition.stations):,} stations"
    )
