"""Exit polls: a pollster's credential, its sample declared before polling day, estimates
for sampled stations only, nothing published before the polls close by the election's
clock, and a scorecard computed against the official station results."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tallyroom.api.app import create_app
from tallyroom.api.runtime import Runtime
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound
from tallyroom.service.results.station_results_view import station_results_of_election
from tallyroom.service.watchers.exit_polls import (
    Estimate,
    authenticate_pollster,
    declare_sample,
    exit_poll_report,
    issue_pollster_credential,
    submit_estimates,
)
from tallyroom.store.database import transaction
from tallyroom.store.schema import ExitPollEstimateRow
from tests.polled_election import poll_small_election
from tests.station_client import Api

BAKU = ZoneInfo("Asia/Baku")
EVE = datetime(2024, 8, 31, 23, 0, tzinfo=BAKU)
AFTERNOON = datetime(2024, 9, 1, 18, 59, tzinfo=BAKU)
CLOSE = datetime(2024, 9, 1, 19, 0, tzinfo=BAKU)


def _pollster(api: Api) -> Any:
    with transaction(api.sessions) as session:
        commission = authenticate(session, api.credentials.commission_token)
        observer = authenticate(session, api.credentials.observer_token)
        with pytest.raises(Forbidden):
            issue_pollster_credential(session, principal=observer, code="ep-az")
        with pytest.raises(NotFound):  # an observer organisation runs no exit poll
            issue_pollster_credential(session, principal=commission, code="osce-odihr")
        return issue_pollster_credential(session, principal=commission, code="ep-az")


def test_sample_before_polling_day_estimates_and_the_scorecard(api: Api) -> None:
    credential = _pollster(api)
    with transaction(api.sessions) as session:
        pollster = authenticate_pollster(session, credential)
        assert declare_sample(session, pollster=pollster, stations=["001-0001"], now=EVE) == 1
        with pytest.raises(Conflict):
            declare_sample(session, pollster=pollster, stations=["001-0003"], now=AFTERNOON)
    with transaction(api.sessions) as session:
        pollster = authenticate_pollster(session, credential)
        for bad in (
            [Estimate("001-0003", 50.0, {"C001": 40.0})],  # not sampled
            [Estimate("001-0001", 50.0, {"C004": 40.0})],  # stands elsewhere
            [Estimate("001-0001", 150.0, {"C001": 40.0})],  # over 100 %
            [Estimate("001-0001", 50.0, {"C001": 70.0, "C002": 40.0})],  # over 100 % in all
        ):
            with pytest.raises(InvalidInput):
                submit_estimates(session, pollster=pollster, estimates=bad)
        assert session.scalar(select(func.count(ExitPollEstimateRow.id))) == 0
        stored = submit_estimates(
            session,
            pollster=pollster,
            estimates=[
                Estimate("001-0001", 60.0, {"C001": 55.0, "C002": 30.0}),
                Estimate("002-0001", 50.0, {"C004": 60.0}),
            ],
        )
        assert stored == 2
        with pytest.raises(Conflict):
            submit_estimates(
                session, pollster=pollster, estimates=[Estimate("001-0001", 1.0, {"C001": 1.0})]
            )
    with transaction(api.sessions) as session, pytest.raises(Forbidden):
        exit_poll_report(session, now=AFTERNOON)
    poll_small_election(api)
    with transaction(api.sessions) as session:
        report = exit_poll_report(session, now=CLOSE)
        (card,) = report.scorecards
        assert (card.organisation, card.partner) == ("ep-az", "Exit Poll Research")
        assert (card.stations_sampled, card.stations_reported, card.stations_compared) == (3, 2, 2)
        first = report.stations["ep-az"][0]
        # 001-0001 counted: 760 ballots, C001 400 (52.63 %), C002 250 (32.89 %); 1,200 registered
        assert first.shares["C001"][1] == pytest.approx(100 * 400 / 760)
        assert first.absolute_error == pytest.approx(
            (abs(55 - 100 * 400 / 760) + abs(30 - 100 * 250 / 760)) / 2
        )
        assert first.official_turnout == pytest.approx(100 * 760 / 1200)
        assert card.station_mae is not None
        assert card.national_mae is not None
        # the forensics' exit-poll test reads the stored estimates, not synthetic ones
        results = station_results_of_election(session)
        assert results.exit_poll_leader_share is not None
        row = list(results.station_ids).index("001-0001")
        assert results.exit_poll_leader_share[row] == pytest.approx(0.55)


def test_nothing_is_published_over_the_api_before_the_close(
    api: Api, loaded_election: Any, database_url: str
) -> None:
    credential = _pollster(api)
    stored = api.client.post(
        "/api/v1/exit-poll/estimates",
        json={
            "estimates": [{"station": "001-0002", "turnout_percent": 55, "shares": {"C001": 30}}]
        },
        headers=api.headers(credential),
    )
    assert stored.status_code == 201, stored.text
    assert api.client.get("/api/v1/exit-polls").status_code == 200  # the drill stands at the close
    runtime = Runtime.for_database(
        database_url, clock=ElectionClock.drill(speed=0, starts=time(18, 59))
    )
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as early:
        answer = early.get("/api/v1/exit-polls")
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "not_yet_published"
        assert early.get("/exit-polls").status_code == 403
        late_sample = early.post(
            "/api/v1/exit-poll/sample",
            json={"stations": ["001-0003"]},
            headers={"Authorization": f"Bearer {credential}"},
        )
        assert late_sample.status_code == 409
    assert (
        api.client.post(
            "/api/v1/exit-poll/estimates",
            json={"estimates": [{"station": "001-0002", "turnout_percent": 55, "shares": {}}]},
            headers=api.commission,
        ).status_code
        == 401
    )
