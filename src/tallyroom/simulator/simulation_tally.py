"""What the simulation has sent and what the server answered, counted as it happens."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class SimulationCounts:
    clock_minute: int = 0
    events_total: int = 0
    events_done: int = 0
    turnout_reports: int = 0
    turnout_flagged: int = 0
    protocols_accepted: int = 0
    protocols_flagged: int = 0
    #: corrected versions accepted after a flagged first version
    protocols_amended: int = 0
    #: sent again and found stored already (a re-run against the same database)
    already_stored: int = 0
    annulments: int = 0
    #: voters the poll books checked in, and double votes they recorded
    check_ins: int = 0
    double_votes: int = 0
    #: photos of signed paper protocols stored (or found stored already)
    photos_sent: int = 0
    retries: int = 0
    refusals: tuple[str, ...] = ()


@dataclass
class SimulationTally:
    """Thread-safe counters; `snapshot()` is what a progress display reads."""

    _counts: SimulationCounts = field(default_factory=SimulationCounts)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **increments: int) -> None:
        with self._lock:
            counts = self._counts
            changes: dict[str, Any] = {
                name: getattr(counts, name) + n for name, n in increments.items()
            }
            self._counts = replace(counts, **changes)

    def set(self, **values: int) -> None:
        with self._lock:
            changes: dict[str, Any] = values
            self._counts = replace(self._counts, **changes)

    def refuse(self, message: str) -> None:
        with self._lock:
            self._counts = replace(self._counts, refusals=(*self._counts.refusals, message))

    def snapshot(self) -> SimulationCounts:
        with self._lock:
            return self._counts
