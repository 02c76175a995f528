"""Where the site's figures come from: the read side of the service layer, behind one small
interface so pages can be built and tested from hand-made read models as well as a database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tallyroom.domain.election import Election
from tallyroom.domain.results import NationalResults, TurnoutPoint
from tallyroom.service.results.station_view import StationDetail, StationSummary
from tallyroom.service.watchers.observer_view import ObserverSummary


@dataclass(frozen=True, slots=True)
class Revision:
    """The results revision: bumped by every change to results; the cache key and ETag."""

    number: int
    changed_at: datetime


class StationNotFound(LookupError):
    """No polling station with that code in the election."""


class ResultsSource(Protocol):
    def revision(self) -> Revision: ...

    def fresh_revision(self) -> Revision | None:
        """The revision if it can be had without I/O (answered on the event loop), else None."""

    def election(self) -> Election: ...

    def national(self) -> NationalResults: ...

    def turnout(self, constituency: int | None = None) -> Sequence[TurnoutPoint]: ...

    def stations(
        self,
        *,
        constituency: int | None = None,
        matching: str | None = None,
        limit: int | None = None,
    ) -> Sequence[StationSummary]: ...

    def station(self, code: str) -> StationDetail:
        """Raises StationNotFound."""
        ...

    def observers(self) -> ObserverSummary: ...

    def runoff(self, constituency: int) -> dict[str, Any] | None:
        """A two-round contest's round 2 as defined and counted (service/results/runoffs.py's
        document with `round_two`), None while none is defined."""
        ...
