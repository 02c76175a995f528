"""Exit polls: when their figures may be published (not before the polls close, by the
election's own clock and zone) and how accurate each organisation was."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tallyroom.domain.election import Election

#: shares and turnout are percentages
MAXIMUM_PERCENT = 100.0


def polls_have_closed(now: datetime, election: Election) -> bool:
    """Whether voting is over at `now` (any zone): the close in the election's zone."""
    zone = ZoneInfo(election.timezone)
    closes = datetime.combine(election.polling_day, election.voting_hours.closes, tzinfo=zone)
    return now >= closes


def polling_day_has_begun(now: datetime, election: Election) -> bool:
    """Samples are declared before polling day (its midnight in the election's zone)."""
    zone = ZoneInfo(election.timezone)
    return now.astimezone(zone).date() >= election.polling_day


@dataclass(frozen=True, slots=True)
class StationComparison:
    """One sampled station: the estimate beside the official figures (percentages)."""

    station: str
    estimated_turnout: float
    official_turnout: float | None
    #: candidate code → (estimated share, official share or None if not counted)
    shares: Mapping[str, tuple[float, float | None]]

    @property
    def absolute_error(self) -> float | None:
        """Mean absolute error of the estimated shares, in percentage points."""
        errors = [abs(e - o) for e, o in self.shares.values() if o is not None]
        return sum(errors) / len(errors) if errors else None


@dataclass(frozen=True, slots=True)
class Scorecard:
    organisation: str
    name: str
    partner: str | None
    stations_sampled: int
    stations_reported: int
    #: reported stations whose official result is counted
    stations_compared: int
    #: mean over compared stations of their mean absolute share error (percentage points)
    station_mae: float | None
    turnout_mae: float | None
    #: mean absolute error of the sample-wide estimated shares by party against the official
    #: national shares (percentage points)
    national_mae: float | None


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
