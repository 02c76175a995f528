"""The webcam routes: the commission registers cameras and posts heartbeats; anyone else is
refused, a bad link or an unknown station stores nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from tallyroom.store.database import transaction
from tallyroom.store.schema import WebcamHeartbeatRow, WebcamRow
from tests.station_client import Api


def test_cameras_heartbeats_and_outages(api: Api) -> None:
    cameras = {"cameras": [{"station": "001-0001", "viewing_url": "https://cams.example/1"}]}
    station = api.headers(api.station_token("001-0001"))
    assert api.client.post("/api/v1/webcams", json=cameras, headers=station).status_code == 403
    assert api.client.post("/api/v1/webcams", json=cameras).status_code == 401
    for bad in (
        {"cameras": [{"station": "001-0001", "viewing_url": "http://plain.example/1"}]},
        {"cameras": [{"station": "999-9999", "viewing_url": "https://cams.example/9"}]},
        {"cameras": []},
        {"cameras": [{"station": "001-0001", "viewing_url": "https://x/" + "a" * 600}]},
    ):
        answer = api.client.post("/api/v1/webcams", json=bad, headers=api.commission)
        assert answer.status_code == 422, answer.text
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count(WebcamRow.id))) == 0
    assert (
        api.client.post("/api/v1/webcams", json=cameras, headers=api.commission).status_code == 201
    )
    beat = api.client.post(
        "/api/v1/webcams/heartbeats", json={"stations": ["001-0001"]}, headers=api.commission
    )
    assert beat.status_code == 201
    unknown = api.client.post(
        "/api/v1/webcams/heartbeats", json={"stations": ["001-0002"]}, headers=api.commission
    )
    assert unknown.status_code == 422
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count(WebcamHeartbeatRow.id))) == 1
    outages = api.client.post("/api/v1/webcams/outages", headers=api.commission)
    assert outages.status_code == 201
    page = api.client.get("/stations/001-0001").text
    assert "data-webcam-link" in page
