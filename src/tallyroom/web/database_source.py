"""The results source backed by the database through the service layer: national results
from the per-revision cache, everything else by read-only queries, one short session each."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.election import Election
from tallyroom.domain.results import NationalResults, TurnoutPoint
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.errors import NotFound
from tallyroom.service.protocols.turnout import turnout_by_hour
from tallyroom.service.results.results import ResultsCache
from tallyroom.service.results.runoff_protocols import published_runoff
from tallyroom.service.results.station_view import (
    StationDetail,
    StationSummary,
    station_detail,
    station_summaries,
)
from tallyroom.service.watchers.observer_view import ObserverSummary, observer_summary
from tallyroom.web.results_source import Revision, StationNotFound


class DatabaseResultsSource:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        election_code: str | None = None,
        cache: ResultsCache | None = None,
    ) -> None:
        self.sessions = sessions
        self.election_code = election_code
        self.cache = cache or ResultsCache()

    @cached_property
    def _election(self) -> tuple[int, Election]:
        with self.sessions() as session:
            row = election_row(session, self.election_code)
            return row.id, election_of(row)

    def revision(self) -> Revision:
        # The revision of the cached national results: pages are rebuilt at most once per
        # results-cache check (see ResultsCache.freshness), not once per protocol.
        results = self.cache.national(self.sessions)
        return Revision(results.revision, results.as_of)

    def fresh_revision(self) -> Revision | None:
        results = self.cache.without_waiting(self.sessions)
        return None if results is None else Revision(results.revision, results.as_of)

    def election(self) -> Election:
        return self._election[1]

    def national(self) -> NationalResults:
        return self.cache.national(self.sessions)

    def turnout(self, constituency: int | None = None) -> Sequence[TurnoutPoint]:
        with self.sessions() as session:
            return turnout_by_hour(
                session, election_id=self._election[0], constituency_number=constituency
            )

    def stations(
        self,
        *,
        constituency: int | None = None,
        matching: str | None = None,
        limit: int | None = None,
    ) -> Sequence[StationSummary]:
        with self.sessions() as session:
            return station_summaries(
                session,
                constituency=constituency,
                matching=matching,
                limit=limit,
                election_code=self.election_code,
            )

    def station(self, code: str) -> StationDetail:
        with self.sessions() as session:
            try:
                return station_detail(session, code=code, election_code=self.election_code)
            except NotFound as error:
                raise StationNotFound(code) from error

    def observers(self) -> ObserverSummary:
        with self.sessions() as session:
            return observer_summary(session, election_code=self.election_code)

    def runoff(self, constituency: int) -> dict[str, Any] | None:
        with self.sessions() as session:
            return published_runoff(session, self._election[0], constituency)
