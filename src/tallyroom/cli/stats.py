"""`tallyroom stats`: the election's headline figures, counted from the database."""

from __future__ import annotations

import typer
from rich.table import Table

from tallyroom.cli.output import console, fail, print_json
from tallyroom.cli.store_access import sessions
from tallyroom.service.errors import ServiceError
from tallyroom.service.results.election_figures import election_figures
from tallyroom.store.database import transaction

LABELS = {
    "constituencies": "constituencies",
    "idp_constituencies": "  of them for IDPs",
    "stations": "polling stations",
    "stations_permanent": "  permanent",
    "stations_temporary": "  temporary",
    "stations_special_territory": "  in special territories",
    "idp_stations": "  IDP stations",
    "idp_registered_voters": "voters served by IDP stations",
    "registered_voters": "registered voters",
    "registered_turning_18_on_polling_day": "  turning 18 on polling day",
    "stations_with_webcam": "stations with webcams",
    "stations_with_exit_poll": "stations with exit polls",
    "exit_poll_organisations": "exit-poll organisations",
    "candidates": "registered candidates",
    "candidates_party_nominated": "  nominated by a party",
    "nominating_parties": "  nominating parties",
    "candidates_self_nominated_party_members": "  self-nominated party members",
    "candidates_non_party": "  non-party",
    "observers_local": "local observers",
    "observers_local_party_representatives": "  party representatives",
    "observers_international": "international observers",
    "international_observer_organisations": "  organisations",
    "international_observer_countries": "  countries",
    "observers_osce_odihr": "  OSCE/ODIHR",
    "observers_osce_pa": "  OSCE PA",
}


def stats(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """Print the election's figures as counted from the database."""
    try:
        with transaction(sessions()) as session:
            figures = election_figures(session, election)
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    if as_json:
        print_json(figures)
        return
    table = Table(title=f"{figures['election']}", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, label in LABELS.items():
        table.add_row(label, f"{figures[key]:,}")
    console.print(table)
