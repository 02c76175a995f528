from __future__ import annotations

from sqlalchemy import func, select

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, ProtocolVersionRow
from tests.station_client import Api, good_figures, protocol


def stored_versions(api: Api) -> int:
    with transaction(api.sessions) as session:
        return int(session.scalar(select(func.count(ProtocolVersionRow.id))) or 0)


def audit_entries(api: Api) -> int:
    with transaction(api.sessions) as session:
        return int(session.scalar(select(func.count(AuditEntryRow.sequence))) or 0)


def results(api: Api) -> dict:
    return api.client.get("/api/v1/results").json()


def test_an_accepted_protocol_is_counted(api: Api) -> None:
    response = api.submit(protocol())
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "accepted"
    national = results(api)
    assert national["stations_reporting"] == 1
    assert national["ballots_cast"] == 760
    constituency = national["constituencies"][0]
    assert constituency["leader"] == "C001"
    assert [c["votes"] for c in constituency["candidates"]] == [400, 250, 100]
    assert national["seats"] == [
        {"party": "YAP", "nomination": "party", "seats": 1, "won": 0, "leading": 1}
    ]
    assert constituency["seat_status"] == "leading"  # one of its three stations counted
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_the_same_protocol_again_is_idempotent(api: Api) -> None:
    assert api.submit(protocol()).status_code == 201
    again = api.submit(protocol())
    assert again.status_code == 200
    assert again.json()["already_stored"] is True
    assert stored_versions(api) == 1
    assert results(api)["ballots_cast"] == 760


def test_failed_control_checks_flag_and_do_not_count(api: Api) -> None:
    figures = good_figures(ballots_cast=750)  # votes + invalid = 760
    response = api.submit(protocol(figures=figures))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "flagged"
    assert [reason["code"] for reason in body["reasons"]] == ["votes_and_invalid_differ_from_cast"]
    assert "760 ≠ ballots cast 750" in body["reasons"][0]["message"]
    assert results(api)["stations_reporting"] == 0


def test_an_amendment_needs_a_reason_and_replaces_the_count(api: Api) -> None:
    assert api.submit(protocol()).status_code == 201
    amended = good_figures(votes={"C001": 300, "C002": 350, "C003": 100})
    refused = api.submit(protocol(version=2, figures=amended))
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "amendment_reason_required"
    accepted = api.submit(protocol(version=2, figures=amended, amendment_reason="typing error"))
    assert accepted.status_code == 201
    national = results(api)
    assert national["stations_reporting"] == 1
    assert national["constituencies"][0]["leader"] == "C002"
    assert national["seats"] == [
        {"party": "REAL", "nomination": "party", "seats": 1, "won": 0, "leading": 1}
    ]


def test_commission_accepts_a_flagged_protocol(api: Api) -> None:
    api.submit(protocol(figures=good_figures(ballots_received=1300)))
    decision = api.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision",
        json={"decision": "accept", "reason": "received figure confirmed by phone"},
        headers=api.commission,
    )
    assert decision.status_code == 200, decision.text
    assert decision.json()["status"] == "accepted"
    assert results(api)["stations_reporting"] == 1


def test_a_station_cannot_take_commission_decisions(api: Api) -> None:
    api.submit(protocol(figures=good_figures(ballots_received=1300)))
    decision = api.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision",
        json={"decision": "accept", "reason": "because"},
        headers=api.headers(api.station_token("001-0001")),
    )
    assert decision.status_code == 403
    assert decision.json()["error"]["code"] == "commission_only"


def test_annulled_station_drops_out_of_every_total(api: Api) -> None:
    api.submit(protocol())
    response = api.client.post(
        "/api/v1/stations/001-0001/annulment",
        json={"reason": "ballot stuffing seen on webcam", "confirmed": True},
        headers=api.commission,
    )
    assert response.status_code == 201
    national = results(api)
    assert national["stations_reporting"] == 0
    assert national["ballots_cast"] == 0
    assert national["seats"] == []
    station = api.client.get("/api/v1/stations/001-0001").json()
    assert station["annulled"] is True
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_an_annulled_station_is_counted_apart_and_a_recount_keeps_the_annulment(api: Api) -> None:
    api.submit(protocol())
    response = api.client.post(
        "/api/v1/stations/001-0001/annulment",
        json={"reason": "ballot stuffing seen on webcam", "confirmed": True},
        headers=api.commission,
    )
    assert response.status_code == 201
    national = results(api)
    assert (national["stations_reporting"], national["stations_annulled"]) == (0, 1)
    assert national["ballots_annulled"] == 760
    (first,) = [c for c in national["constituencies"] if c["number"] == 1]
    assert (first["stations_annulled"], first["ballots_annulled"]) == (1, 760)
    progress = api.client.get("/api/v1/progress").json()
    assert (progress["stations_reporting"], progress["stations_annulled"]) == (0, 1)
    station = api.client.get("/api/v1/stations/001-0001").json()
    assert station["annulment"]["reason"] == "ballot stuffing seen on webcam"
    assert station["annulment"]["decided_at"]
    assert [v["standing"] for v in station["protocol_versions"]] == ["annulled"]
    response = api.client.post(
        "/api/v1/stations/001-0001/recount",
        json={"reason": "recount the box under observation"},
        headers=api.commission,
    )
    assert response.status_code == 201
    # A recount order never silently lifts the annulment: the station stays out of every
    # total, and the recount's protocol is stored, not counted.
    national = results(api)
    assert (national["stations_annulled"], national["ballots_annulled"]) == (1, 760)
    station = api.client.get("/api/v1/stations/001-0001").json()
    assert station["annulment"]["reason"] == "ballot stuffing seen on webcam"
    recounted = api.submit(protocol(version=2, amendment_reason="recounted"))
    assert recounted.status_code == 201, recounted.text
    assert recounted.json()["status"] == "received"
    national = results(api)
    assert (national["stations_reporting"], national["stations_annulled"]) == (0, 1)
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []
