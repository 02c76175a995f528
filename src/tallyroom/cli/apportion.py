"""`tallyroom apportion PROBLEM.json`: seats by party, by district and leveling seats for an
apportionment problem (list PR, thresholds, leveling, mixed systems), with the tables behind."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tallyroom.cli.json_file import read_json_file
from tallyroom.cli.json_locations import line_of, value_lines
from tallyroom.cli.output import console, errors, fail, print_json
from tallyroom.domain.electoral_systems.apportionment import ApportionmentResult, apportion
from tallyroom.domain.electoral_systems.apportionment_document import result_document
from tallyroom.domain.electoral_systems.apportionment_problem import ProblemInvalid, read_problem
from tallyroom.domain.electoral_systems.drawn_lot import TieNeedsLot
from tallyroom.domain.electoral_systems.tie_rules import TieRuleNotApplicable, TieUnresolved


def apportion_command(
    problem_file: Path = typer.Argument(..., metavar="PROBLEM.json", help="Apportionment problem."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    tables: bool = typer.Option(
        True, "--tables/--no-tables", help="With --json: include the quotient tables."
    ),
) -> None:
    """Allocate the seats of an apportionment problem (format: docs/electoral-systems.md)."""
    try:
        document, text = read_json_file(problem_file)
    except RecursionError:
        fail(f"{problem_file}:1: nested too deeply to be an apportionment problem", 2)
    try:
        problem = read_problem(document)
    except ProblemInvalid as invalid:
        lines = value_lines(text)
        for field, message in invalid.problems:
            errors.print(
                f"{problem_file}:{line_of(lines, field)}: {field}: {message}",
                highlight=False,
                soft_wrap=True,
            )
        fail(f"{problem_file}: not a valid apportionment problem", 2)
    try:
        result = apportion(problem)
    except (TieNeedsLot, TieUnresolved, TieRuleNotApplicable, ValueError) as error:
        fail(f"{problem_file}: cannot allocate: {error}", 2)
    if as_json:
        print_json(result_document(result, with_tables=tables))
        return
    print_result(result)


def print_result(result: ApportionmentResult) -> None:
    leveling_by_party: dict[str, int] = {}
    for seats in (result.leveling_seats or {}).values():
        for party, count in seats.items():
            leveling_by_party[party] = leveling_by_party.get(party, 0) + count
    national = result.thresholds.get("national")
    table = Table(title=f"{result.name}: {result.house} seats")
    table.add_column("party")
    table.add_column("seats", justify="right")
    if result.leveling_seats is not None:
        table.add_column("of which leveling", justify="right")
    if national is not None:
        table.add_column("threshold")
    parties = list(result.seats)
    if national is not None:
        parties += sorted(p for p in national.standings if p not in result.seats)
    for party in parties:
        row = [party, str(result.seats.get(party, 0))]
        if result.leveling_seats is not None:
            row.append(str(leveling_by_party.get(party, 0)))
        if national is not None:
            row.append(national.standings[party].value if party in national.standings else "")
        table.add_row(*row, style=None if party in result.seats else "dim")
    console.print(table)
    if national is not None:
        lines = ", ".join(
            f"{percent} % = {float(national.line_votes(percent)):,.0f} votes"
            for percent in sorted(set(national.required_percent.values()))
        )
        console.print(f"national threshold line: {lines} (base {national.base_votes:,} votes)")
    if len(result.districts) > 1 or result.leveling_seats:
        by_district = Table(title="seats by district")
        by_district.add_column("district")
        by_district.add_column("seats", justify="right")
        by_district.add_column("by party")
        if result.leveling_seats is not None:
            by_district.add_column("leveling seats")
        for district, seats in result.districts.items():
            row = [
                district,
                str(sum(seats.values())),
                ", ".join(f"{p} {n}" for p, n in seats.items()),
            ]
            if result.leveling_seats is not None:
                leveling = result.leveling_seats.get(district, {})
                row.append(", ".join(f"{p} {n}" for p, n in leveling.items()))
            by_district.add_row(*row)
        console.print(by_district)
    if result.covered is not None:
        console.print(
            f"constituency winners seated: {len(result.covered.seated)}; "
            f"not covered by their party's seats: {len(result.covered.not_seated)}"
            + (f" ({', '.join(result.covered.not_seated)})" if result.covered.not_seated else "")
        )
    for lot in result.lots:
        console.print(f"lot drawn for {lot.seat} between {', '.join(lot.between)}: {lot.won_by}")
