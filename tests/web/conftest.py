"""Fixtures of the web tests: a small election built by hand as read-model values, and a
results source serving it, so the pages and charts can be tested without a database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.app import create_app
from tallyroom.api.runtime import Runtime
from tallyroom.domain.candidate import Nomination
from tallyroom.domain.election import Election, VotingHours
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.results import (
    CandidateResult,
    ConstituencyResult,
    NationalResults,
    PartyResult,
    TurnoutPoint,
)
from tallyroom.domain.seat_tally import SeatGroup
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.service.results.station_view import (
    ObserverGroup,
    ProtocolReason,
    ProtocolVersionView,
    StationDetail,
    StationSummary,
    TurnoutReportView,
)
from tallyroom.service.watchers.observer_view import ObserverCount, ObserverSummary
from tallyroom.web.results_source import Revision, StationNotFound
from tallyroom.web.routes import web_router
from tests.station_client import Api

AS_OF = datetime(2024, 9, 1, 16, 30, tzinfo=UTC)

ELECTION = Election(
    code="hand-2024",
    name="Hand-built election",
    country="AZ",
    polling_day=date(2024, 9, 1),
    timezone="Asia/Baku",
    voting_hours=VotingHours(time(8), time(19)),
    turnout_report_times=(time(10), time(12), time(15), time(19)),
    seats=5,
)


def candidate(
    code: str, name: str, party: str | None, nomination: Nomination, votes: int, valid: int
) -> CandidateResult:
    return CandidateResult(code, name, party, nomination, votes, 100.0 * votes / valid)


def constituency(
    number: int,
    name: str,
    candidates: list[CandidateResult],
    *,
    reporting: int = 2,
    total: int = 2,
    certified: bool = False,
    too_close: bool = False,
) -> ConstituencyResult:
    ranked = tuple(sorted(candidates, key=lambda c: -c.votes))
    valid = sum(c.votes for c in ranked)
    top = ranked[0].votes
    leaders = tuple(c.code for c in ranked if c.votes == top)
    margin = top - (ranked[1].votes if len(ranked) > 1 else 0)
    return ConstituencyResult(
        number=number,
        name=name,
        kind="regular",
        stations_total=total,
        stations_reporting=reporting,
        registered_voters_total=3000,
        registered_voters_reporting=3000 if reporting == total else 1500,
        voters_added=0,
        ballots_cast=valid + 20,
        invalid_ballots=20,
        valid_votes=valid,
        candidates=ranked,
        leaders=leaders,
        margin_votes=margin,
        margin_percent=100.0 * margin / valid,
        too_close=too_close,
        certified=certified,
    )


def national_results(revision: int = 7) -> NationalResults:
    """Five seats: YAP 2, REAL 1, one YAP member as independent, one non-party independent."""
    party, member, non_party = Nomination.PARTY, Nomination.PARTY_MEMBER, Nomination.NON_PARTY
    constituencies = (
        constituency(
            1,
            "Nəsimi birinci",
            [
                candidate("C001", "Əli Məmmədov", "YAP", party, 900, 1500),
                candidate("C002", "Leyla Həsənova", "REAL", party, 400, 1500),
                candidate("C003", "Rəşad Quliyev", None, non_party, 200, 1500),
            ],
        ),
        constituency(
            2,
            "Şuşa",
            [
                candidate("C004", "Nigar Əliyeva", "YAP", member, 700, 1300),
                candidate("C005", "Tural Vəliyev", "MUS", party, 600, 1300),
            ],
        ),
        constituency(
            3,
            "Yasamal",
            [
                candidate("C006", "Səbinə Kərimova", "REAL", party, 1000, 1990),
                candidate("C007", "Orxan Babayev", "YAP", party, 990, 1990),
            ],
            too_close=True,
            certified=True,
        ),
        constituency(
            4,
            "Binəqədi",
            [
                candidate("C008", "Fuad İsmayılov", None, non_party, 800, 1400),
                candidate("C009", "Aynur Cəfərova", "YAP", party, 600, 1400),
            ],
        ),
        constituency(
            5,
            "Xətai",
            [
                candidate("C010", "Elçin Rəhimov", "YAP", party, 1100, 1600),
                candidate("C011", "Vüsal Nəbiyev", "MUS", member, 500, 1600),
            ],
            reporting=1,
        ),
    )
    return NationalResults(
        election=ELECTION.code,
        election_name=ELECTION.name,
        status="preliminary",
        revision=revision,
        as_of=AS_OF,
        seats_total=5,
        majority=3,
        stations_total=10,
        stations_reporting=9,
        registered_voters=15000,
        registered_voters_reporting=13500,
        ballots_cast=7890,
        invalid_ballots=100,
        seats=(
            # Xətai (5) is still counting: its YAP seat is only led.
            SeatGroup("YAP", party, 2, won=1),
            SeatGroup("REAL", party, 1, won=1),
            SeatGroup("YAP", member, 1, won=1),
            SeatGroup(None, non_party, 1, won=1),
        ),
        parties=(
            PartyResult("YAP", "Yeni Azərbaycan Partiyası", "#1f5aa6", 3590, 2, 1, 1, 1),
            PartyResult("REAL", "Respublikaçı Alternativ Partiyası", "#e4572e", 1400, 1, 0, 1),
            PartyResult("MUS", "Müsavat", "#2e8b57", 600, 0, 0),
        ),
        constituencies=constituencies,
        votes_party_members=1200,
        votes_non_party=1000,
    )


def turnout_points(constituency: int | None = None) -> list[TurnoutPoint]:
    registered = 15000 if constituency is None else 3000
    scale = 1 if constituency is None else 5
    return [
        TurnoutPoint("10:00", 1500 // scale, 10, registered),
        TurnoutPoint("12:00", 3600 // scale, 10, registered),
        TurnoutPoint("15:00", 5900 // scale, 10, registered),
        TurnoutPoint("19:00", 7800 // scale, 9, registered),
    ]


FIGURES = ProtocolFigures(
    registered_voters=1500,
    voters_added=3,
    ballots_received=1500,
    ballots_issued_in_station=760,
    ballots_issued_portable=10,
    ballots_cast=770,
    invalid_ballots=10,
    unused_ballots=730,
    votes={"C001": 460, "C002": 200, "C003": 100},
)


def station_detail(code: str = "001-0001") -> StationDetail:
    flagged = replace(FIGURES, ballots_cast=790)
    return StationDetail(
        code=code,
        name="Məktəb № 12",
        constituency=1,
        constituency_name="Nəsimi birinci",
        kind="permanent",
        registered_voters=1500,
        tags=("idp", "webcam", "exit_poll"),
        exit_poll_organisations=("Sorğu Mərkəzi",),
        status="counted",
        protocols=(
            ProtocolVersionView(
                version=1,
                status="flagged",
                submitted_at=datetime(2024, 9, 1, 16, 5, tzinfo=UTC),
                figures=flagged,
                signature="ab" * 64,
                public_key="cd" * 32,
                body_sha256="ef" * 32,
                reasons=(
                    ProtocolReason(
                        "votes_and_invalid_differ_from_cast",
                        "valid votes 760 + invalid 10 = 770 ≠ ballots cast 790",
                    ),
                ),
                amendment_reason=None,
                decided_at=None,
                decision_reason=None,
                counted=False,
            ),
            ProtocolVersionView(
                version=2,
                status="accepted",
                submitted_at=datetime(2024, 9, 1, 16, 20, tzinfo=UTC),
                figures=FIGURES,
                signature="12" * 64,
                public_key="cd" * 32,
                body_sha256="34" * 32,
                reasons=(),
                amendment_reason="ballots cast miscounted",
                decided_at=None,
                decision_reason=None,
                counted=True,
            ),
        ),
        turnout_reports=(
            TurnoutReportView("10:00", 150, "accepted", (), datetime(2024, 9, 1, 6, 1, tzinfo=UTC)),
            TurnoutReportView("12:00", 360, "accepted", (), datetime(2024, 9, 1, 8, 2, tzinfo=UTC)),
        ),
        decisions=(),
        observers=(
            ObserverGroup("party_representative", None, 1),
            ObserverGroup(
                "international", "OSCE Office for Democratic Institutions and Human Rights", 1
            ),
        ),
    )


def station_summaries() -> list[StationSummary]:
    return [
        StationSummary(
            "001-0001",
            "Məktəb № 12",
            1,
            "permanent",
            1500,
            ("webcam",),
            "counted",
            770,
            "12:00",
            360,
        ),
        StationSummary(
            "001-0002", "Məktəb № 14", 1, "permanent", 1500, (), "flagged", None, "12:00", 300
        ),
        StationSummary(
            "002-0001",
            "Yataqxana № 3",
            2,
            "permanent",
            1500,
            ("idp",),
            "awaiting",
            None,
            None,
            None,
        ),
    ]


OBSERVERS = ObserverSummary(
    local=3,
    international=2,
    local_by_kind=(
        ObserverCount("party_representative", "party_representative", None, 2),
        ObserverCount("local_ngo", "local_ngo", None, 1),
    ),
    local_by_organisation=(ObserverCount("seçki-izləmə", "Seçki İzləmə Mərkəzi", "AZ", 1),),
    international_by_organisation=(
        ObserverCount(
            "osce-odihr", "OSCE Office for Democratic Institutions and Human Rights", "INT", 2
        ),
    ),
    international_by_country=(
        ObserverCount("DE", "DE", "DE", 1),
        ObserverCount("FR", "FR", "FR", 1),
    ),
)


@dataclass
class HandBuiltSource:
    """A results source over the hand-built values; `advance` plays a protocol arriving."""

    results: NationalResults = field(default_factory=national_results)
    changed_at: datetime = AS_OF

    def revision(self) -> Revision:
        return Revision(self.results.revision, self.changed_at)

    def fresh_revision(self) -> Revision | None:
        return self.revision()

    def election(self) -> Election:
        return ELECTION

    def national(self) -> NationalResults:
        return self.results

    def turnout(self, constituency: int | None = None) -> Sequence[TurnoutPoint]:
        return turnout_points(constituency)

    def stations(
        self,
        *,
        constituency: int | None = None,
        matching: str | None = None,
        limit: int | None = None,
    ) -> Sequence[StationSummary]:
        found = [
            s
            for s in station_summaries()
            if (constituency is None or s.constituency == constituency)
            and (not matching or matching.lower() in (s.code + " " + s.name).lower())
        ]
        return found[:limit] if limit is not None else found

    def station(self, code: str) -> StationDetail:
        if code not in {s.code for s in station_summaries()}:
            raise StationNotFound(code)
        return station_detail(code)

    def observers(self) -> ObserverSummary:
        return OBSERVERS

    def runoff(self, constituency: int) -> dict[str, Any] | None:
        return None  # a plurality election: no round 2

    def advance(self, stations_reporting: int) -> None:
        """A new protocol counted: the progress moves and the revision is bumped."""
        self.results = replace(
            self.results, revision=self.results.revision + 1, stations_reporting=stations_reporting
        )
        self.changed_at = datetime.now(UTC)


@pytest.fixture
def hand_built() -> HandBuiltSource:
    return HandBuiltSource()


@pytest.fixture
def site(hand_built: HandBuiltSource) -> TestClient:
    """The public site over the hand-built election, mounted as the lead mounts it."""
    app = FastAPI()
    app.include_router(web_router(hand_built, events_lifetime=1.0))
    return TestClient(app)


@pytest.fixture
def web_api(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[Api]:
    """The application (API and public site) over the small election."""
    runtime = Runtime.for_database(database_url)
    runtime.results.freshness = 0.0
    app = create_app(runtime=runtime)
    with TestClient(app, raise_server_exceptions=True) as client:
        yield Api(client, credentials, loaded_election)
