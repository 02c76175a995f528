"""`tallyroom forensics`: integrity tests on station-level results from the commission's own
database, a published snapshot, or any CSV file."""

from __future__ import annotations

import json
import pathlib
from typing import TYPE_CHECKING

import typer

from tallyroom.forensics.column_mapping import ColumnMapping, load_column_mapping
from tallyroom.forensics.input_error import ForensicsInputError
from tallyroom.forensics.presets import PRESETS, preset

if TYPE_CHECKING:
    from tallyroom.domain.statistics.station_results import StationResults

#: bad input exits with 2, as usage errors do
INPUT_ERROR_EXIT = 2


def forensics(
    csv_file: pathlib.Path | None = typer.Option(
        None, "--csv", help="Station-level results: .csv, .csv.gz or .csv.zip, read in place."
    ),
    mapping_file: pathlib.Path | None = typer.Option(
        None, "--map", help="Column mapping (YAML or JSON); see docs/forensics.md."
    ),
    preset_name: str | None = typer.Option(
        None, "--preset", help=f"Known layout: {', '.join(sorted(PRESETS))}."
    ),
    snapshot: pathlib.Path | None = typer.Option(
        None, "--snapshot", help="A published snapshot folder (tallyroom publish); no database."
    ),
    election_code: str | None = typer.Option(
        None, "--election", help="Election code in the database (default: the latest loaded)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    html_file: pathlib.Path | None = typer.Option(
        None, "--html", help="Write the HTML report (figures inline) to this file."
    ),
) -> None:
    """Run the election-forensics tests and report findings and per-station flags.

    Without --csv or --snapshot, the commission's own election is read from the database
    TALLYROOM_DATABASE_URL names (default ./tallyroom.db).
    """
    try:
        results, title = _station_results(
            csv_file, mapping_file, preset_name, snapshot, election_code
        )
    except ForensicsInputError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(INPUT_ERROR_EXIT) from error
    # scipy and matplotlib load only for this command: every other command starts faster.
    from tallyroom.forensics.html_report import render_html_report
    from tallyroom.forensics.report import build_report, report_document

    report = build_report(results)
    document = report_document(report)
    if html_file is not None:
        html_file.write_text(render_html_report(report, title), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1))
        return
    integer = document["integer_percent_excess"]
    fit = document["fingerprint"]
    typer.echo(f"stations: {document['stations']}")
    if integer["unavailable"]:
        typer.echo(f"integer percentages: null ({integer['unavailable']})")
    for key, label in (
        ("turnout_or_leader", "turnout or leader"),
        ("leader", "leader share"),
        ("turnout", "turnout"),
    ):
        count = integer[key]
        if count is not None:
            typer.echo(
                f"integer percentages, {label}: {count['observed']} observed, "
                f"{_figure(count['expected'])} expected, excess {_figure(count['excess'])} ± "
                f"{_figure(count['sd'])} (z = {_figure(count['z'], '.1f')}, "
                f"p = {_figure(count['p_value'], '.3g')})"
            )
    if fit["unavailable"]:
        typer.echo(f"fingerprint: null ({fit['unavailable']})")
    else:
        typer.echo(
            f"fingerprint: f_i = {_figure(fit['f_incremental'], '.3f')}, "
            f"f_e = {_figure(fit['f_extreme'], '.3f')}"
        )
    typer.echo(f"stations at risk: {document['risk_stations']}")


def _station_results(
    csv_file: pathlib.Path | None,
    mapping_file: pathlib.Path | None,
    preset_name: str | None,
    snapshot: pathlib.Path | None,
    election_code: str | None,
) -> tuple[StationResults, str]:
    """The stations to analyse, and a title for the HTML report."""
    from tallyroom.forensics.csv_import import import_station_results

    if csv_file is not None and snapshot is not None:
        raise ForensicsInputError("--csv", 0, "--csv/--snapshot", "give at most one of them")
    if csv_file is not None:
        return import_station_results(csv_file, _mapping(mapping_file, preset_name)), csv_file.name
    if mapping_file is not None or preset_name is not None:
        raise ForensicsInputError("--map", 0, "--map/--preset", "only with --csv")
    if snapshot is not None:
        from tallyroom.forensics.snapshot_import import snapshot_station_results

        stations = snapshot_station_results(snapshot)
        for line in stations.left_out:
            typer.echo(f"left out: {line}", err=True)
        return stations.results, snapshot.name
    return _database_station_results(election_code)


def _database_station_results(election_code: str | None) -> tuple[StationResults, str]:
    # imported here: the CSV path must work without a database driver or migrations
    from tallyroom.cli.store_access import sessions
    from tallyroom.service.definition.elections import election_row
    from tallyroom.service.errors import NotFound
    from tallyroom.service.results.station_results_view import station_results_of_election

    # the URL may carry a password: errors name the database, not its address
    try:
        with sessions()() as session:
            code = election_row(session, election_code).code
            results = station_results_of_election(session, code)
    except NotFound as error:
        raise ForensicsInputError("database", 0, "--election", error.message) from error
    if results.station_count == 0:
        raise ForensicsInputError("database", 0, code, "no counted protocols yet")
    return results, code


def _mapping(mapping_file: pathlib.Path | None, preset_name: str | None) -> ColumnMapping:
    if (mapping_file is None) == (preset_name is None):
        raise ForensicsInputError("--map", 0, "--map/--preset", "give exactly one of them")
    if mapping_file is not None:
        return load_column_mapping(mapping_file)
    assert preset_name is not None
    return preset(preset_name)


def _figure(value: float | None, style: str = ".0f") -> str:
    """A figure of the summary; a test that cannot run on so few stations has none."""
    return "n/a" if value is None else format(value, style)
