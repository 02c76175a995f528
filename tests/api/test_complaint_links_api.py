"""Over the API and on the pages: a complaint sent again with its Idempotency-Key is filed
once, and a complaint citing a webcam outage shows the link both ways (the register and the
station page, whose outage offers the complaint form with the outage cited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.watchers.webcams import derive_outages, record_heartbeats, register_webcams
from tallyroom.store.database import transaction
from tallyroom.store.schema import ComplaintRow, WebcamOutageRow
from tests.station_client import Api

BODY = {
    "category": "ballot_stuffing",
    "about": "station",
    "station": "001-0001",
    "description": "The camera went dark, then the box was opened.",
    "reporter_kind": "voter",
}
KEY = "a4f1c2d3-0000-4000-8000-00000000abcd"


def test_a_complaint_sent_again_with_its_key_is_filed_once(api: Api) -> None:
    first = api.client.post("/api/v1/complaints", json=BODY, headers={"Idempotency-Key": KEY})
    again = api.client.post("/api/v1/complaints", json=BODY, headers={"Idempotency-Key": KEY})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["tracking_number"] == again.json()["tracking_number"]
    bad = api.client.post("/api/v1/complaints", json=BODY, headers={"Idempotency-Key": "x"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_idempotency_key"
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count(ComplaintRow.id))) == 1


def _outage(api: Api) -> int:
    opens = datetime(2024, 9, 1, 4, tzinfo=UTC)
    with transaction(api.sessions) as session:
        commission = authenticate(session, api.credentials.commission_token)
        register_webcams(
            session,
            principal=commission,
            cameras=[
                ("001-0001", "https://cams.example/1"),
                ("001-0002", "https://cams.example/2"),
            ],
        )
        moment = opens
        while moment <= opens + timedelta(hours=3):
            down = opens + timedelta(hours=1) <= moment < opens + timedelta(hours=2)
            stations = ["001-0002"] if down else ["001-0001", "001-0002"]
            record_heartbeats(session, principal=commission, stations=stations, at=moment)
            moment += timedelta(minutes=5)
        derive_outages(session, principal=commission, until=opens + timedelta(hours=3))
    with transaction(api.sessions) as session:
        return int(session.scalars(select(WebcamOutageRow.id)).one())


def test_a_complaint_cites_an_outage_and_both_pages_show_it(api: Api) -> None:
    outage = _outage(api)
    station_page = api.client.get("/stations/001-0001?lang=en").text
    assert f'data-outage="{outage}"' in station_page
    assert f"/complaints/new?station=001-0001&amp;webcam_outage={outage}" in station_page
    form = api.client.get(f"/complaints/new?station=001-0001&webcam_outage={outage}&lang=en")
    assert f'name="webcam_outage" value="{outage}"' in form.text
    assert 'id="cited-outage"' in form.text
    for bad, code in (
        ({"webcam_outage": outage + 50}, "unknown_outage"),
        ({"webcam_outage": outage, "station": "001-0002"}, "outage_elsewhere"),
        ({"webcam_outage": outage, "about": "commission", "station": None}, "outage_elsewhere"),
    ):
        refused = api.client.post("/api/v1/complaints", json=BODY | bad)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == code
    assert (
        api.client.post("/api/v1/complaints", json=BODY | {"webcam_outage": -1}).status_code == 422
    )
    filed = api.client.post(
        "/complaints/new",
        data=BODY | {"webcam_outage": str(outage)},
    )
    assert filed.status_code == 201, filed.text
    with transaction(api.sessions) as session:
        tracking = session.scalars(select(ComplaintRow.tracking_number)).one()
    register = api.client.get("/api/v1/complaints").json()["complaints"]
    assert register[0]["webcam_outage"]["id"] == outage
    assert f'data-cited-outage="{outage}"' in api.client.get("/complaints?lang=en").text
    station_page = api.client.get("/stations/001-0001?lang=en").text
    assert f'data-outage-complaint="{tracking}"' in station_page
    assert f"cited by complaint {tracking}" in station_page
    webcam = api.client.get("/stations/001-0001.json").json()["data"]["station"]["webcam"]
    assert webcam["outages"][0]["complaints"] == [tracking]


def test_nobody_files_as_the_system_over_the_api_or_the_form(api: Api) -> None:
    answer = api.client.post("/api/v1/complaints", json=BODY | {"reporter_kind": "system"})
    assert answer.status_code == 422
    form = api.client.post("/complaints/new", data=BODY | {"reporter_kind": "system"})
    assert form.status_code == 422
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count(ComplaintRow.id))) == 0


def test_the_commission_links_a_filed_complaint_to_an_outage(api: Api) -> None:
    outage = _outage(api)
    filed = api.client.post("/api/v1/complaints", json=BODY).json()["tracking_number"]
    path = f"/api/v1/complaints/{filed}/webcam-outage"
    citation = {"outage": outage, "reason": "the camera was down during the stuffing"}
    assert api.client.post(path, json=citation).status_code == 401
    observer = api.headers(api.credentials.observer_token)
    assert api.client.post(path, json=citation, headers=observer).status_code == 403
    for bad in ({"outage": outage}, {"outage": "x", "reason": "r"}, citation | {"extra": 1}):
        assert api.client.post(path, json=bad, headers=api.commission).status_code == 422
    unknown = api.client.post(path, json=citation | {"outage": outage + 9}, headers=api.commission)
    assert unknown.json()["error"]["code"] == "unknown_outage"
    assert api.client.post(path, json=citation, headers=api.commission).status_code == 201
    again = api.client.post(path, json=citation, headers=api.commission)
    assert again.status_code == 409
    station_page = api.client.get("/stations/001-0001?lang=en").text
    assert f'data-outage-complaint="{filed}"' in station_page
    steps = api.client.get("/api/v1/complaints").json()["complaints"][0]["steps"]
    assert [s["kind"] for s in steps] == ["outage_cited"]
