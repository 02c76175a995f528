"""Turnout judged by the election clock: strict HH:MM hours, nothing before its hour or off
polling day, falling series flagged in any order, batches refused naming the bad report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.app import create_app
from tallyroom.api.runtime import Runtime
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.service.definition.credentials import IssuedCredentials
from tests.station_client import Api

ApiWithClock = Callable[[ElectionClock], Any]


@pytest.fixture
def api_with_clock(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> ApiWithClock:
    @contextmanager
    def running(clock: ElectionClock) -> Iterator[Api]:
        runtime = Runtime.for_database(database_url, clock=clock)
        runtime.results.freshness = 0.0
        with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
            yield Api(client, credentials, loaded_election)

    return running


def post(api: Api, station: str, as_of: Any, voters: int = 100) -> Any:
    return api.client.post(
        f"/api/v1/stations/{station}/turnout",
        json={"as_of": as_of, "voters": voters},
        headers=api.headers(api.station_token(station)),
    )


def batch(api: Api, reports: list[dict[str, Any]]) -> Any:
    return api.client.post(
        "/api/v1/turnout",
        json={"reports": reports},
        headers=api.headers(api.credentials.constituency_tokens[1]),
    )


@pytest.mark.parametrize(
    "as_of", ["10:00Z", "10:00+09:00", "10:00:00", "10:00:00.5", "1000", "10", 10, "١٠:٠٠"]
)
def test_as_of_must_be_exactly_hh_mm(api: Api, as_of: Any) -> None:
    response = post(api, "001-0001", as_of)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "not_a_time"


def test_a_zoned_hour_in_a_large_batch_refuses_it_naming_the_report(api: Api) -> None:
    reports = [{"station": "001-0001", "as_of": "10:00", "voters": 100}] * 999
    reports = [*reports[:500], {"station": "001-0002", "as_of": "10:00Z", "voters": 5}, *reports]
    response = batch(api, reports[:1000])
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "not_a_time"
    assert "report 501 (station 001-0002)" in error["message"]
    assert error["details"]["problems"] == [
        {
            "report": 501,
            "index": 500,
            "station": "001-0002",
            "code": "not_a_time",
            "message": "'10:00Z' is not a reporting hour like 10:00",
        }
    ]
    assert api.client.get("/api/v1/turnout").json()["hours"][0]["voters"] == 0


def test_a_report_before_its_hour_by_the_drill_clock_is_refused(
    api_with_clock: ApiWithClock,
) -> None:
    with api_with_clock(ElectionClock.drill(speed=0, starts=time(11, 0))) as api:
        assert post(api, "001-0001", "10:00").status_code == 201
        early = post(api, "001-0001", "12:00", 200)
        assert early.status_code == 422
        assert early.json()["error"]["code"] == "before_its_hour"
        refused = batch(
            api,
            [
                {"station": "001-0002", "as_of": "10:00", "voters": 50},
                {"station": "001-0003", "as_of": "15:00", "voters": 60},
            ],
        )
        assert refused.status_code == 422
        assert [
            (problem["index"], problem["station"], problem["code"])
            for problem in refused.json()["error"]["details"]["problems"]
        ] == [(1, "001-0003", "before_its_hour")]
        hours = api.client.get("/api/v1/turnout").json()["hours"]
        assert [hour["voters"] for hour in hours] == [100, 0, 0, 0]


def test_real_time_off_polling_day_refuses_turnout(api_with_clock: ApiWithClock) -> None:
    today = ElectionClock.real(wall_clock=lambda: datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    with api_with_clock(today) as api:
        response = post(api, "001-0001", "10:00")
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "outside_polling_day"
        assert response.headers["x-tallyroom-clock"] == "real"


def test_real_time_on_polling_day_takes_the_hours_that_have_come(
    api_with_clock: ApiWithClock,
) -> None:
    # 12:30 in Baku (UTC+4)
    noon = ElectionClock.real(wall_clock=lambda: datetime(2024, 9, 1, 8, 30, tzinfo=UTC))
    with api_with_clock(noon) as api:
        assert post(api, "001-0001", "10:00").status_code == 201
        assert post(api, "001-0001", "12:00", 150).status_code == 201
        assert post(api, "001-0001", "15:00", 200).json()["error"]["code"] == "before_its_hour"


def test_a_series_falling_out_of_order_is_flagged(api: Api) -> None:
    later = post(api, "001-0001", "12:00", 50)
    assert later.json()["status"] == "accepted"
    earlier = post(api, "001-0001", "10:00", 100)
    assert earlier.status_code == 201
    assert earlier.json()["status"] == "flagged"
    assert [reason["code"] for reason in earlier.json()["reasons"]] == ["higher_than_later"]
    # the same in one batch, later hour first
    both = batch(
        api,
        [
            {"station": "001-0002", "as_of": "12:00", "voters": 50},
            {"station": "001-0002", "as_of": "10:00", "voters": 100},
        ],
    ).json()["reports"]
    assert [report["status"] for report in both] == ["accepted", "flagged"]
    hours = api.client.get("/api/v1/turnout").json()["hours"]
    assert (hours[0]["voters"], hours[1]["voters"]) == (0, 100)


def test_a_batch_names_an_unknown_or_repeated_station(api: Api) -> None:
    unknown = batch(
        api,
        [
            {"station": "001-0001", "as_of": "10:00", "voters": 10},
            {"station": "009-9999", "as_of": "10:00", "voters": 10},
        ],
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["details"] == {"report": 2, "index": 1, "station": "009-9999"}
    repeated = batch(
        api,
        [
            {"station": "001-0001", "as_of": "10:00", "voters": 10},
            {"station": "001-0001", "as_of": "10:00", "voters": 10},
        ],
    )
    assert repeated.status_code == 422
    assert repeated.json()["error"]["code"] == "duplicate_report"
    assert repeated.json()["error"]["details"]["index"] == 1
