"""The simulator's commission: a desk accepting flagged protocols from the live queue as they
arrive, then every constituency and the nation certified, until the site says final."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.api.app import create_app
from tallyroom.api.runtime import Runtime
from tallyroom.service.audit import audit_tree
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.simulator.commission_night import CommissionDesk, decide_and_certify
from tallyroom.store.database import transaction
from tests.commission_console import close_race_protocol, flagged_protocol
from tests.polled_election import poll_small_election
from tests.station_client import Api
from tests.web.live_server import serving


@pytest.fixture
def live_api(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials, database_url: str
) -> Iterator[Api]:
    runtime = Runtime.for_database(database_url)
    runtime.results.freshness = 0.0
    with transaction(loaded_election) as session:
        runtime.tree_head_key = audit_tree.create_tree_head_key(session, actor="commission")
    with serving(create_app(runtime=runtime)) as url, httpx.Client(base_url=url) as client:
        yield Api(client, credentials, loaded_election)  # type: ignore[arg-type]


def test_the_desk_accepts_flagged_protocols_as_they_arrive(live_api: Api) -> None:
    server = str(live_api.client.base_url)
    token = live_api.credentials.commission_token
    with CommissionDesk(server, token) as desk:
        time.sleep(0.5)
        assert live_api.submit(flagged_protocol()).json()["status"] == "flagged"
        deadline = time.monotonic() + 10
        while not desk.accepted and time.monotonic() < deadline:
            time.sleep(0.1)
    assert desk.accepted == ["001-0001 v1"]
    assert desk.problems == []


def test_the_night_ends_certified_and_final(live_api: Api) -> None:
    poll_small_election(live_api)
    server = str(live_api.client.base_url)
    night = decide_and_certify(server, live_api.credentials.commission_token)
    assert (night.certified, night.nation_certified) == ([1, 2], True)
    assert live_api.client.get("/api/v1/results").json()["status"] == "final"


def test_a_too_close_contest_is_certified_with_a_reason(live_api: Api) -> None:
    poll_small_election(live_api)
    amended = close_race_protocol() | {"version": 2, "amendment_reason": "recounted"}
    assert live_api.submit(amended).json()["status"] == "accepted"
    night = decide_and_certify(str(live_api.client.base_url), live_api.credentials.commission_token)
    assert night.certified_with_reason == [2]
