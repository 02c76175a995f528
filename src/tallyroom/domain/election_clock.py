"""The election clock: the one time the server judges reports by, real or a drill.

Real: the wall clock in the election's time zone. Drill: the reference polling day mapped onto
now, starting at a chosen time of that day and running `speed` times faster than real time
(speed 0: standing still), so a rehearsal or a simulation can report at polling-day hours."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tallyroom.domain.election import Election


class ClockKind(enum.StrEnum):
    REAL = "real"
    DRILL = "drill"


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ElectionClock:
    kind: ClockKind
    #: drill only: the polling-day time the drill shows at `started_at`; None: voting opens
    #: (when running) or closes (when standing still, so every reporting hour has come)
    starts: time | None = None
    #: drill only: polling-day time per real time; 0 stands still at `starts`
    speed: float = 1.0
    #: drill only: the real moment the drill shows `starts` (it may lie ahead: a lead-in)
    started_at: datetime = field(default_factory=_wall_clock)
    #: the real time source (UTC); tests fix it
    wall_clock: Callable[[], datetime] = _wall_clock

    @classmethod
    def real(cls, wall_clock: Callable[[], datetime] = _wall_clock) -> ElectionClock:
        return cls(ClockKind.REAL, wall_clock=wall_clock)

    @classmethod
    def drill(
        cls,
        *,
        speed: float = 1.0,
        starts: time | None = None,
        started_at: datetime | None = None,
        wall_clock: Callable[[], datetime] = _wall_clock,
    ) -> ElectionClock:
        if speed < 0:
            raise ValueError("a drill's speed is 0 (standing still) or more")
        return cls(
            ClockKind.DRILL,
            starts=starts,
            speed=speed,
            started_at=started_at or wall_clock(),
            wall_clock=wall_clock,
        )

    @property
    def is_drill(self) -> bool:
        return self.kind is ClockKind.DRILL

    def now(self, election: Election) -> datetime:
        """The current time by this clock, in the election's time zone."""
        zone = ZoneInfo(election.timezone)
        real_now = self.wall_clock()
        if self.kind is ClockKind.REAL:
            return real_now.astimezone(zone)
        starts = self.starts or (
            election.voting_hours.opens if self.speed > 0 else election.voting_hours.closes
        )
        drill_start = datetime.combine(election.polling_day, starts, tzinfo=zone)
        return drill_start + (real_now - self.started_at) * self.speed

    def reporting_hour_problem(self, election: Election, hour: time) -> str | None:
        """Why a turnout report for `hour` cannot be taken now, or None if it can."""
        now = self.now(election)
        if now.date() != election.polling_day:
            return "outside_polling_day"
        if now.time().replace(tzinfo=None) < hour:
            return "before_its_hour"
        return None

    def describe(self) -> str:
        if self.kind is ClockKind.REAL:
            return "real time in the election's time zone"
        if self.speed == 0:
            return f"drill, standing at {self.starts or 'the close of voting'} on polling day"
        return f"drill, polling day from {self.starts or 'the opening'} at {self.speed:g}×"


def minutes_since_polling_midnight(moment: datetime, election: Election) -> int:
    """Minutes from the start of polling day to `moment` (past midnight: over 24 × 60)."""
    zone = ZoneInfo(election.timezone)
    midnight = datetime.combine(election.polling_day, time(0, 0), tzinfo=zone)
    return int((moment - midnight) / timedelta(minutes=1))
