from __future__ import annotations

from tests.station_client import Api


def report(api: Api, station: str, as_of: str, voters: int) -> dict:
    response = api.client.post(
        f"/api/v1/stations/{station}/turnout",
        json={"as_of": as_of, "voters": voters},
        headers=api.headers(api.station_token(station)),
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_turnout_by_hour_adds_stations(api: Api) -> None:
    report(api, "001-0001", "10:00", 100)
    report(api, "001-0002", "10:00", 50)
    report(api, "001-0001", "12:00", 300)
    hours = api.client.get("/api/v1/turnout").json()["hours"]
    assert hours[0] == {"as_of": "10:00", "voters": 150, "stations_reporting": 2, "percent": 5.45}
    assert hours[1]["voters"] == 300
    assert hours[2]["voters"] == 0
    constituency_2 = api.client.get("/api/v1/turnout", params={"constituency": 2}).json()
    assert constituency_2["hours"][0]["voters"] == 0


def test_a_lower_report_than_before_is_flagged_not_counted(api: Api) -> None:
    report(api, "001-0001", "10:00", 100)
    outcome = report(api, "001-0001", "12:00", 90)
    assert outcome["status"] == "flagged"
    assert [r["code"] for r in outcome["reasons"]] == ["lower_than_previous"]
    hours = api.client.get("/api/v1/turnout").json()["hours"]
    assert hours[1]["voters"] == 0


def test_a_report_above_registered_is_flagged(api: Api) -> None:
    outcome = report(api, "001-0003", "15:00", 151)
    assert outcome["status"] == "flagged"
    assert [r["code"] for r in outcome["reasons"]] == ["above_registered"]


def test_the_same_report_again_is_idempotent_and_a_different_one_conflicts(api: Api) -> None:
    report(api, "001-0001", "10:00", 100)
    again = report(api, "001-0001", "10:00", 100)
    assert again["already_stored"] is True
    clash = api.client.post(
        "/api/v1/stations/001-0001/turnout",
        json={"as_of": "10:00", "voters": 101},
        headers=api.headers(api.station_token("001-0001")),
    )
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "already_reported"


def test_a_constituency_commission_relays_its_stations_in_one_batch(api: Api) -> None:
    response = api.client.post(
        "/api/v1/turnout",
        json={
            "reports": [
                {"station": "001-0001", "as_of": "10:00", "voters": 100},
                {"station": "001-0002", "as_of": "10:00", "voters": 70},
                {"station": "001-0001", "as_of": "12:00", "voters": 90},
            ]
        },
        headers=api.headers(api.credentials.constituency_tokens[1]),
    )
    assert response.status_code == 201, response.text
    statuses = [report["status"] for report in response.json()["reports"]]
    assert statuses == ["accepted", "accepted", "flagged"]
    hours = api.client.get("/api/v1/turnout").json()["hours"]
    assert (hours[0]["voters"], hours[0]["stations_reporting"]) == (170, 2)
    assert hours[1]["voters"] == 0


def test_one_bad_report_refuses_the_whole_batch(api: Api) -> None:
    response = api.client.post(
        "/api/v1/turnout",
        json={
            "reports": [
                {"station": "001-0001", "as_of": "10:00", "voters": 100},
                {"station": "001-0002", "as_of": "21:00", "voters": 70},
                {"station": "001-0003", "as_of": "10:00", "voters": -4},
            ]
        },
        headers=api.headers(api.credentials.constituency_tokens[1]),
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "outside_voting_hours"
    assert [(p["report"], p["code"]) for p in error["details"]["problems"]] == [
        (2, "outside_voting_hours"),
        (3, "out_of_range"),
    ]
    assert api.client.get("/api/v1/turnout").json()["hours"][0]["voters"] == 0


def test_a_batch_may_not_reach_outside_the_token_scope(api: Api) -> None:
    response = api.client.post(
        "/api/v1/turnout",
        json={"reports": [{"station": "002-0001", "as_of": "10:00", "voters": 10}]},
        headers=api.headers(api.credentials.constituency_tokens[1]),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "out_of_scope"
