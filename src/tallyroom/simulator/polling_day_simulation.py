"""Playing a timeline against a server in simulated time.

`speed` is how many times faster than real time the day runs (60: an hour takes a minute);
0 plays as fast as the server answers. When the server is slower than the clock, the clock
waits for it: events are never dropped and a station's events never overtake each other."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.simulator.poll_book_desks import EnrolledDesk
from tallyroom.simulator.simulation_tally import SimulationCounts, SimulationTally
from tallyroom.simulator.station_clients import StationClients
from tallyroom.simulator.timeline import TimelineEvent

#: how often the simulated clock moves while waiting for the next event
TICK_SECONDS = 0.1


class ElectionMismatch(RuntimeError):
    """The server holds another election than the one the plan was made for."""


@dataclass(frozen=True, slots=True)
class SimulationSettings:
    server: str
    credentials: IssuedCredentials
    #: simulated time per real time; 0 = as fast as possible
    speed: float = 0.0
    clients: int = 4
    #: simulated minute (since midnight) the clock starts at
    start_minute: int = 8 * 60
    #: simulated minute the clock ends at (the announcement, or the last arrival)
    end_minute: int | None = None
    #: the real moment the simulated clock shows `start_minute` (UTC; it may lie ahead, a
    #: lead-in); the server's drill clock is anchored at the same moment. None: when play starts
    started_at: datetime | None = None
    #: the enrolled poll-book desks, (station, desk ordinal) → desk: check-ins go with theirs
    desks: Mapping[tuple[str, int], EnrolledDesk] = field(default_factory=dict)


def check_server_election(server: str, *, stations: int, registered_voters: int) -> None:
    """Refuse to play a plan against a server holding a different election."""
    progress = httpx.get(server.rstrip("/") + "/api/v1/progress", timeout=60).raise_for_status()
    held = progress.json()
    if (held["stations_total"], held["registered_voters"]) != (stations, registered_voters):
        raise ElectionMismatch(
            f"the server holds {held['stations_total']:,} stations with "
            f"{held['registered_voters']:,} registered voters; the scenario has {stations:,} "
            f"with {registered_voters:,} (load the scenario with the same seed)"
        )


def run_simulation(
    events: Sequence[TimelineEvent],
    settings: SimulationSettings,
    tally: SimulationTally,
    *,
    stop: threading.Event | None = None,
) -> SimulationCounts:
    """Send every event at its simulated time; returns the final counts."""
    stop = stop or threading.Event()
    tally.set(events_total=len(events), clock_minute=settings.start_minute)
    clients = StationClients(
        settings.server,
        settings.credentials,
        tally,
        clients=settings.clients,
        desks=settings.desks,
    )
    clients.start()
    started_at = settings.started_at or datetime.now(UTC)

    def simulated_minute() -> int:
        elapsed = (datetime.now(UTC) - started_at).total_seconds()
        return settings.start_minute + math.floor(elapsed * settings.speed / 60)

    try:
        for event in events:
            if stop.is_set():
                break
            if settings.speed > 0:
                while not stop.is_set() and simulated_minute() < event.minute:
                    tally.set(clock_minute=simulated_minute())
                    time.sleep(TICK_SECONDS)
            tally.set(clock_minute=max(event.minute, tally.snapshot().clock_minute))
            clients.send(event)
    finally:
        clients.finish(discard=stop.is_set())
    if settings.end_minute is not None and not stop.is_set():
        tally.set(clock_minute=max(settings.end_minute, tally.snapshot().clock_minute))
    return tally.snapshot()
