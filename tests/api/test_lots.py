"""POST /api/v1/lots and /lots/{id}/confirmation: the outcome of a lot drawn by hand for a tie
the law leaves to the lot, entered by one commission member and confirmed by a second; until
then the results show the seat tied, lot pending. Hostile: malformed, oversized, wrong role,
replayed, the same person twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.commission_console import second_member
from tests.station_client import Api
from tests.tied_election import TIED_SEAT, poll_tie, tied_election_folder

ACCOUNT = "drawn from an urn at the public session of 3 September 2024, agents present"


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return tied_election_folder(tmp_path, "lot")


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def _tie_decision(api: Api) -> dict[str, Any]:
    document = api.client.get("/api/v1/results").json()
    constituency = next(c for c in document["constituencies"] if c["number"] == 2)
    return dict(constituency["tie_decision"])


def test_a_lot_entered_and_confirmed_decides_the_tied_seat(api: Api) -> None:
    poll_tie(api)
    assert _tie_decision(api)["pending"] == {
        "seat": TIED_SEAT,
        "between": ["C004", "C005"],
        "reason": "lot_pending",
    }
    entered = api.client.post(
        "/api/v1/lots",
        headers=api.commission,
        json={"seat": TIED_SEAT, "won_by": "C004", "account": ACCOUNT},
    )
    assert entered.status_code == 201, entered.text
    lot = entered.json()
    assert (lot["state"], lot["between"], lot["won_by"]) == ("pending", ["C004", "C005"], "C004")
    assert _tie_decision(api)["pending"] is not None
    same = api.client.post(f"/api/v1/lots/{lot['id']}/confirmation", headers=api.commission)
    assert (same.status_code, error_code(same)) == (403, "same_person")
    member = second_member(api)
    confirmed = api.client.post(f"/api/v1/lots/{lot['id']}/confirmation", headers=member)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed"
    assert _tie_decision(api) == {
        "seat_holders": [{"candidate": "C004", "status": "won"}],
        "pending": None,
    }
    replayed = api.client.post(f"/api/v1/lots/{lot['id']}/confirmation", headers=member)
    assert (replayed.status_code, error_code(replayed)) == (409, "already_confirmed")
    again = api.client.post(
        "/api/v1/lots",
        headers=member,
        json={"seat": TIED_SEAT, "won_by": "C005", "account": ACCOUNT},
    )
    assert (again.status_code, error_code(again)) == (409, "lot_entered")
    public = api.client.get("/api/v1/lots")
    assert public.status_code == 200
    assert [(x["seat"], x["won_by"], x["state"]) for x in public.json()["lots"]] == [
        (TIED_SEAT, "C004", "confirmed")
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"seat": TIED_SEAT, "won_by": "C004"}, 422, "account_required"),
        ({"seat": TIED_SEAT, "won_by": "C004", "account": " "}, 422, "account_required"),
        ({"seat": TIED_SEAT, "won_by": "C004", "account": "x" * 2001}, 422, "account_required"),
        ({"seat": "s" * 201, "won_by": "C004", "account": ACCOUNT}, 422, "invalid_seat"),
        ({"seat": TIED_SEAT, "won_by": 4, "account": ACCOUNT}, 422, "invalid_candidate"),
        ({"seat": TIED_SEAT, "won_by": "C004", "account": ACCOUNT, "x": 1}, 422, None),
        ({"seat": TIED_SEAT, "won_by": "C001", "account": ACCOUNT}, 422, "not_tied"),
        ({"seat": "constituency-1 seat 1", "won_by": "C001", "account": ACCOUNT}, 404, "no_tie"),
    ],
)
def test_a_bad_lot_is_refused_and_nothing_stored(
    api: Api, body: dict[str, Any], status: int, code: str | None
) -> None:
    poll_tie(api)
    response = api.client.post("/api/v1/lots", headers=api.commission, json=body)
    assert response.status_code == status, response.text
    if code is not None:
        assert error_code(response) == code
    assert api.client.get("/api/v1/lots").json()["lots"] == []
    assert _tie_decision(api)["pending"] is not None


def test_malformed_oversized_and_wrong_role_are_refused(api: Api) -> None:
    poll_tie(api)
    malformed = api.client.post(
        "/api/v1/lots",
        headers=api.commission | {"content-type": "application/json"},
        content=b"{not json",
    )
    assert malformed.status_code == 400, malformed.text
    oversized = api.client.post(
        "/api/v1/lots",
        headers=api.commission | {"content-type": "application/json"},
        content=b'{"account": "' + b"x" * 2_000_000 + b'"}',
    )
    assert oversized.status_code == 413, oversized.text
    body = {"seat": TIED_SEAT, "won_by": "C004", "account": ACCOUNT}
    station = api.client.post(
        "/api/v1/lots", headers=api.headers(api.station_token("001-0001")), json=body
    )
    assert station.status_code == 403, station.text
    nobody = api.client.post("/api/v1/lots", json=body)
    assert nobody.status_code == 401, nobody.text
    unknown = api.client.post("/api/v1/lots/999/confirmation", headers=api.commission)
    assert (unknown.status_code, error_code(unknown)) == (404, "unknown_lot")
    out_of_range = api.client.post("/api/v1/lots/0/confirmation", headers=api.commission)
    assert out_of_range.status_code == 422
    assert api.client.get("/api/v1/lots").json()["lots"] == []


def test_a_lot_waits_for_the_count_to_be_complete(api: Api) -> None:
    # Constituency 1 has three stations: a tie there after one is counted may still change.
    from tests.polled_election import figures
    from tests.station_client import protocol

    response = api.submit(
        protocol(
            "001-0003",
            1,
            figures(
                {"C001": 40, "C002": 40, "C003": 5},
                registered=150,
                issued_in_station=90,
                portable=0,
                invalid=5,
            ),
        )
    )
    assert response.json()["status"] == "accepted", response.text
    refused = api.client.post(
        "/api/v1/lots",
        headers=api.commission,
        json={"seat": "constituency-1 seat 1", "won_by": "C001", "account": ACCOUNT},
    )
    assert (refused.status_code, error_code(refused)) == (409, "count_not_complete")


def test_the_constituency_page_says_tied_lot_pending_until_the_lot_is_confirmed(
    api: Api,
) -> None:
    poll_tie(api)
    page = api.client.get("/constituencies/2?lang=en").text
    assert 'data-tie="lot_pending"' in page
    assert "Tied, lot pending" in page
    assert "C004, C005" in page
    assert "püşk gözlənilir" in api.client.get("/constituencies/2?lang=az").text
    assert "ожидается жребий" in api.client.get("/constituencies/2?lang=ru").text
    lot = api.client.post(
        "/api/v1/lots",
        headers=api.commission,
        json={"seat": TIED_SEAT, "won_by": "C005", "account": ACCOUNT},
    ).json()
    api.client.post(f"/api/v1/lots/{lot['id']}/confirmation", headers=second_member(api))
    page = api.client.get("/constituencies/2?lang=en").text
    assert 'data-tie="decided"' in page
    assert 'data-candidate="C005"' in page
    assert page.count('data-seat-status="won"') >= 1
