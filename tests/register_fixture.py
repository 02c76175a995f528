"""A small election with its synthetic register loaded (2,750 voters, anomalies planted)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.scenarios.voter_register import PlantedAnomalies, RegisterGenerator, StationRegister
from tallyroom.service.register.voter_register import load_register
from tallyroom.store.database import transaction
from tallyroom.store.schema import ElectionRow, PollingStationRow


def small_register(sessions: sessionmaker[Session]) -> RegisterGenerator:
    with transaction(sessions) as session:
        polling_day = session.scalars(select(ElectionRow.polling_day)).one()
        stations = [
            StationRegister(code, voters, turning)
            for code, voters, turning in session.execute(
                select(
                    PollingStationRow.code,
                    PollingStationRow.registered_voters,
                    PollingStationRow.turning_18,
                ).order_by(PollingStationRow.id)
            ).all()
        ]
    return RegisterGenerator(stations, polling_day=polling_day)


def load_small_register(sessions: sessionmaker[Session]) -> PlantedAnomalies:
    """Load the small election's register; the anomalies the generator planted."""
    generator = small_register(sessions)
    rows = [row for chunk in generator.chunks() for row in chunk]
    with transaction(sessions) as session:
        load_register(session, actor="test", lines=rows, chunk_rows=1_000)
    return generator.planted
