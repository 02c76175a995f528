"""The scenario's webcams: one camera at each station the definition marks, a heartbeat every
five minutes from the opening to three hours after the close, and a few cameras silent for a
while (a power cut, a lost uplink) so that the demo shows outages."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

HEARTBEAT_EVERY = timedelta(minutes=5)
AFTER_THE_CLOSE = timedelta(hours=3)
#: share of cameras with an outage
FAILING_SHARE = 0.04


def viewing_url(station: str) -> str:
    return f"https://webcams.example.org/stations/{station}"


def heartbeat_rounds(
    stations: Sequence[str], opens: datetime, closes: datetime, seed: int = 2024
) -> Iterator[tuple[datetime, list[str]]]:
    """(moment, stations whose camera answered) every five minutes."""
    rng = random.Random(seed * 31 + 7)
    end = closes + AFTER_THE_CLOSE
    silent: dict[str, tuple[datetime, datetime]] = {}
    for station in stations:
        if rng.random() < FAILING_SHARE:
            start = opens + timedelta(
                minutes=rng.randrange(0, int((end - opens).total_seconds() // 60))
            )
            silent[station] = (start, start + timedelta(minutes=rng.randrange(15, 120)))
    moment = opens
    while moment <= end:
        yield (
            moment,
            [s for s in stations if not (s in silent and silent[s][0] <= moment < silent[s][1])],
        )
        moment += HEARTBEAT_EVERY
