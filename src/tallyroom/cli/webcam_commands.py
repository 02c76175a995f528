"""`tallyroom webcams`: the scenario's cameras with their heartbeats and outages, and the
uptime figures."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import select

from tallyroom.cli.observer_commands import commission_at_the_console
from tallyroom.cli.output import console, fail
from tallyroom.cli.store_access import sessions
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.errors import ServiceError
from tallyroom.service.watchers.webcams import (
    derive_outages,
    record_heartbeats,
    register_webcams,
    stations_with_outages,
)
from tallyroom.store.database import transaction
from tallyroom.store.schema import PollingStationRow

webcams = typer.Typer(
    help="Webcams: registry, heartbeats, outages.", no_args_is_help=True, add_completion=False
)


@webcams.command("scenario")
def scenario(seed: int = typer.Option(2024, "--seed", help="The scenario's seed.")) -> None:
    """Register a camera at every station marked with one, play the monitor's heartbeats of
    polling day and record the outages they show."""
    from tallyroom.scenarios.webcam_uptime import AFTER_THE_CLOSE, heartbeat_rounds, viewing_url

    try:
        with transaction(sessions()) as session:
            row = election_row(session, None)
            election = election_of(row)
            principal = commission_at_the_console(row.id)
            stations = list(
                session.scalars(
                    select(PollingStationRow.code)
                    .where(PollingStationRow.election_id == row.id, PollingStationRow.webcam)
                    .order_by(PollingStationRow.code)
                )
            )
            register_webcams(
                session, principal=principal, cameras=[(s, viewing_url(s)) for s in stations]
            )
            zone = ZoneInfo(election.timezone)
            opens = datetime.combine(election.polling_day, election.voting_hours.opens, tzinfo=zone)
            closes = datetime.combine(
                election.polling_day, election.voting_hours.closes, tzinfo=zone
            )
            for moment, up in heartbeat_rounds(stations, opens, closes, seed):
                record_heartbeats(session, principal=principal, stations=up, at=moment)
            outages = derive_outages(session, principal=principal, until=closes + AFTER_THE_CLOSE)
            failing = stations_with_outages(session, row.id)
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    console.print(
        f"{len(stations):,} webcams registered; "
        f"{outages:,} outages at {failing:,} stations recorded"
    )
