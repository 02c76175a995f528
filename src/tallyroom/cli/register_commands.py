"""`tallyroom register`: generate, load, export, count, audit and purge the voter register."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn
from sqlalchemy import select

from tallyroom.cli.output import console, fail, print_json
from tallyroom.cli.store_access import sessions
from tallyroom.domain.register_audit import RegisterRecord, audit_register
from tallyroom.domain.voter import EXTRACT_COLUMNS, REGISTER_COLUMNS
from tallyroom.scenarios.voter_register import (
    PREVIOUS_NATIONAL_ELECTION,
    RegisterGenerator,
    StationRegister,
    previous_extract_counts,
)
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import ServiceError
from tallyroom.service.register import voter_register
from tallyroom.store.database import transaction
from tallyroom.store.schema import PollingStationRow

register = typer.Typer(help="The voter register.", no_args_is_help=True, add_completion=False)
ACTOR = "commission:cli"


@register.command("scenario")
def scenario(
    output: Path = typer.Argument(..., help="CSV file to write the register into."),
    stations: int | None = typer.Option(
        None, "--stations", help="Only the first N stations (the demo's size); all by default."
    ),
    seed: int = typer.Option(2024, help="Random seed: the same seed gives the same register."),
    previous: Path | None = typer.Option(
        None, "--previous", help="Also write the previous extract's voters per station here."
    ),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """Generate a synthetic register for the loaded election's stations, streamed to CSV."""
    with transaction(sessions()) as session:
        record = election_row(session, election)
        polling_day = record.polling_day
        station_rows = [
            StationRegister(code, voters, turning)
            for code, voters, turning in session.execute(
                select(
                    PollingStationRow.code,
                    PollingStationRow.registered_voters,
                    PollingStationRow.turning_18,
                )
                .where(PollingStationRow.election_id == record.id)
                .order_by(PollingStationRow.id)
            ).tuples()
        ]
    generator = RegisterGenerator(
        station_rows, polling_day=polling_day, seed=seed, limit_stations=stations
    )
    with output.open("w", newline="", encoding="utf-8") as file, _progress() as progress:
        task = progress.add_task("generating", total=generator.voters)
        writer = csv.writer(file)
        writer.writerow(REGISTER_COLUMNS)
        for chunk in generator.chunks():
            writer.writerows(chunk)
            progress.advance(task, len(chunk))
    if previous is not None:
        counts = previous_extract_counts(
            station_rows[: stations or len(station_rows)],
            seed=seed,
            grown_station=generator.planted.grown_station,
        )
        with previous.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(("station", "voters"))
            writer.writerows(counts.items())
    console.print(f"wrote {generator.voters:,} voters to {output}", highlight=False)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} of {task.total:,}"),
        console=console,
        transient=True,
    )


def _csv_lines(path: Path, columns: tuple[str, ...]) -> Iterator[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        header = next(reader, None)
        if header is None or tuple(header) != columns:
            fail(f"{path}: the first line must be the columns {','.join(columns)}")
        yield from reader


@register.command("load")
def load(
    path: Path = typer.Argument(..., help="Register CSV (the columns of `register export`)."),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """Load a register CSV in one transaction: COPY on PostgreSQL, executemany chunks on
    SQLite; each chunk logged as a salted hash."""
    if not path.is_file():
        fail(f"no such file: {path}")
    total = sum(1 for _ in path.open(encoding="utf-8")) - 1
    try:
        with transaction(sessions()) as session, _progress() as progress:
            task = progress.add_task("loading", total=max(total, 0))
            outcome = voter_register.load_register(
                session,
                actor=ACTOR,
                lines=_csv_lines(path, REGISTER_COLUMNS),
                election=election,
                progress=lambda done: progress.update(task, completed=done),
            )
    except ServiceError as error:
        fail(error.message)
    console.print(f"loaded {outcome.voters:,} voters in {outcome.chunks:,} chunks", highlight=False)


@register.command("export")
def export(
    output: Path = typer.Argument(..., help="CSV file to write."),
    extract: bool = typer.Option(
        False, "--extract", help="The published extract: no ids, birth years only."
    ),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """Write the register (or its public extract) as CSV."""
    try:
        with (
            transaction(sessions()) as session,
            output.open("w", newline="", encoding="utf-8") as file,
        ):
            writer = csv.writer(file)
            writer.writerow(EXTRACT_COLUMNS if extract else REGISTER_COLUMNS)
            rows = (
                voter_register.extract_rows(session, election=election)
                if extract
                else voter_register.export_rows(session, election=election)
            )
            count = 0
            for row in rows:
                writer.writerow(row)
                count += 1
    except ServiceError as error:
        fail(error.message)
    console.print(f"wrote {count:,} voters to {output}", highlight=False)


@register.command("stats")
def stats(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    previous_election: str = typer.Option(
        PREVIOUS_NATIONAL_ELECTION.isoformat(),
        help="Date of the previous national election (first-time voters turned 18 after it).",
    ),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """The register's figures, counted from its rows."""
    try:
        previous = date.fromisoformat(previous_election)
    except ValueError:
        fail("--previous-election must be YYYY-MM-DD")
    try:
        with transaction(sessions()) as session:
            figures = voter_register.register_statistics(
                session, election=election, previous_election=previous
            )
    except ServiceError as error:
        fail(error.message)
    if as_json:
        print_json(figures)
        return
    for name, value in figures.items():
        console.print(f"{name.replace('_', ' ')}: {value}", highlight=False)


@register.command("audit")
def audit(
    extract: Path | None = typer.Option(
        None, "--extract", help="Audit this register or extract CSV instead of the database's."
    ),
    previous: Path | None = typer.Option(
        None, "--previous", help="Voters per station in a previous extract (CSV station,voters)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """Implausible ages, likely duplicates, crowded addresses and abnormal growth."""
    previous_counts: dict[str, int] | None = None
    if previous is not None:
        previous_counts = {}
        for line in _csv_lines(previous, ("station", "voters")):
            try:
                previous_counts[line[0]] = int(line[1])
            except (IndexError, ValueError):
                fail(f"{previous}: a line is not station,voters")
    try:
        with transaction(sessions()) as session:
            polling_day = election_row(session, election).polling_day
            if extract is None:
                records = [
                    _record(row, REGISTER_COLUMNS)
                    for row in voter_register.export_rows(session, election=election)
                    if row[8] == "active"
                ]
    except ServiceError as error:
        fail(error.message)
    if extract is not None:
        records = _file_records(extract)
    report = audit_register(records, polling_day=polling_day, previous_counts=previous_counts)
    if as_json:
        print_json(report.as_dict())
        return
    console.print(f"{report.voters:,} voters audited", highlight=False)
    for title, found in (
        ("implausible ages", report.implausible_ages),
        ("likely duplicates", report.likely_duplicates),
        ("crowded addresses", report.crowded_addresses),
        ("abnormal growth", report.abnormal_growth),
    ):
        console.print(f"[bold]{title}[/]: {len(found):,}", highlight=False)
        for item in found[:20]:
            console.print(f"  {item}", highlight=False, markup=False)


def _record(row: list[str], columns: tuple[str, ...]) -> RegisterRecord:
    values = dict(zip(columns, row, strict=False))
    return RegisterRecord(
        surname=values.get("surname", ""),
        given_name=values.get("given_name", ""),
        patronymic=values.get("patronymic", ""),
        sex=values.get("sex", ""),
        birth=values.get("birth_date") or values.get("birth_year", ""),
        address=values.get("address", ""),
        station=values.get("station", ""),
        voter_id=values.get("voter_id", ""),
    )


def _file_records(path: Path) -> list[RegisterRecord]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        header = tuple(next(reader, ()))
        if header not in (REGISTER_COLUMNS, EXTRACT_COLUMNS):
            fail(f"{path}: not a register or an extract (unknown columns)")
        return [_record(row, header) for row in reader]


@register.command("purge")
def purge(
    kept_days: int = typer.Option(
        90, "--kept-days", min=0, help="Days personal data is kept after certification."
    ),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """Remove the register's personal data a set time after every contest is certified."""
    try:
        with transaction(sessions()) as session:
            purged = voter_register.purge_register(
                session, actor=ACTOR, election=election, kept_for=timedelta(days=kept_days)
            )
    except ServiceError as error:
        fail(error.message)
    console.print(f"purged the personal data of {purged:,} voters", highlight=False)
