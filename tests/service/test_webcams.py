"""Webcams: registry with public links, heartbeats turned into recorded outages, the station
page's link and outages, and the forensics counting a station as monitored only if its camera
was up long enough."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.errors import Forbidden, InvalidInput
from tallyroom.service.results.station_results_view import station_results_of_election
from tallyroom.service.watchers.webcams import derive_outages, record_heartbeats, register_webcams
from tallyroom.store.database import transaction
from tallyroom.store.schema import WebcamHeartbeatRow, WebcamOutageRow
from tests.polled_election import poll_small_election
from tests.station_client import Api

OPENS = datetime(2024, 9, 1, 4, 0, tzinfo=UTC)  # 08:00 in Baku
CLOSES = OPENS + timedelta(hours=11)


def test_registry_heartbeats_outages_and_monitoring(api: Api) -> None:
    poll_small_election(api)  # protocols submitted now: the count runs until now
    with transaction(api.sessions) as session:
        commission = authenticate(session, api.credentials.commission_token)
        observer = authenticate(session, api.credentials.observer_token)
        with pytest.raises(Forbidden):
            register_webcams(session, principal=observer, cameras=[("001-0001", "https://c/1")])
        with pytest.raises(InvalidInput):
            register_webcams(session, principal=commission, cameras=[("001-0001", "javascript:x")])
        register_webcams(
            session,
            principal=commission,
            cameras=[
                ("001-0001", "https://cams.example/1"),
                ("001-0002", "https://cams.example/2"),
            ],
        )
        moment = OPENS
        while moment <= CLOSES + timedelta(hours=1):
            down = OPENS + timedelta(hours=3) <= moment < OPENS + timedelta(hours=5)
            up = ["001-0001"] if down else ["001-0001", "001-0002"]
            record_heartbeats(session, principal=commission, stations=up, at=moment)
            moment += timedelta(minutes=5)
    with transaction(api.sessions) as session:
        commission = authenticate(session, api.credentials.commission_token)
        assert derive_outages(session, principal=commission, until=CLOSES) == 1
        assert session.scalar(select(func.count(WebcamHeartbeatRow.id))) > 0  # after the close
        assert audit_discrepancies(session) == []
        results = station_results_of_election(session)
        monitored = dict(zip(results.station_ids, results.webcam, strict=True))
        # 001-0002 was down 2 h 5 min of 11 h of voting (over 10 %); 001-0001 up throughout
        assert (monitored["001-0001"], monitored["001-0002"]) == (True, False)
    page = api.client.get("/stations/001-0002").text
    assert 'href="https://cams.example/2"' in page
    assert page.count("data-outage") == 1
    with transaction(api.sessions) as session:
        (outage,) = session.scalars(select(WebcamOutageRow)).all()
        length = outage.ended_at.replace(tzinfo=UTC) - outage.started_at.replace(tzinfo=UTC)
        assert length == timedelta(hours=2, minutes=5)
        # the protocols came in now: silent since an hour after the close, 001-0001's camera
        # missed the count
        commission = authenticate(session, api.credentials.commission_token)
        assert derive_outages(session, principal=commission, until=datetime.now(UTC)) == 2
        results = station_results_of_election(session)
        assert not np.any(results.webcam)
        assert audit_discrepancies(session) == []
