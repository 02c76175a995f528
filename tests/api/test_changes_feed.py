"""GET /api/v1/changes?since=REVISION: the stations whose counted result changed after that
results revision, so media and mirrors refetch only those."""

from __future__ import annotations

from typing import Any

from tests.station_client import Api, good_figures, protocol


def changes(api: Api, since: int) -> dict[str, Any]:
    response = api.client.get(f"/api/v1/changes?since={since}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def revision(api: Api) -> int:
    return int(api.client.get("/api/v1/results/summary").json()["revision"])


def stations(feed: dict[str, Any]) -> dict[str, tuple[int, int | None]]:
    return {
        change["station"]: (change["constituency"], change["counted_version"])
        for change in feed["stations"]
    }


def test_the_feed_lists_what_changed_after_a_revision(api: Api) -> None:
    start = revision(api)
    assert changes(api, start)["stations"] == []

    assert api.submit(protocol("001-0001")).status_code == 201
    after_first = changes(api, start)
    assert stations(after_first) == {"001-0001": (1, 1)}
    assert after_first["since"] == start
    assert after_first["revision"] == revision(api) > start

    # Asking from the revision answered lists only what came after it.
    second = api.submit(protocol("002-0001", figures=second_station()))
    assert second.json()["status"] == "accepted", second.text
    assert stations(changes(api, after_first["revision"])) == {"002-0001": (2, 1)}
    assert set(stations(changes(api, start))) == {"001-0001", "002-0001"}


def test_an_amendment_and_an_annulment_are_changes(api: Api) -> None:
    assert api.submit(protocol("001-0001")).status_code == 201
    counted = revision(api)
    amended = protocol(
        "001-0001",
        version=2,
        figures=good_figures({"C001": 390, "C002": 260, "C003": 100}),
        amendment_reason="typing error in C001",
    )
    assert api.submit(amended).status_code == 201
    assert stations(changes(api, counted)) == {"001-0001": (1, 2)}

    amended_at = revision(api)
    response = api.client.post(
        "/api/v1/stations/001-0001/annulment",
        json={"reason": "ballot box seal broken", "confirmed": True},
        headers=api.commission,
    )
    assert response.status_code == 201
    assert stations(changes(api, amended_at)) == {"001-0001": (1, None)}


def test_a_turnout_report_or_a_flagged_protocol_is_no_change_of_a_result(api: Api) -> None:
    start = revision(api)
    response = api.client.post(
        "/api/v1/stations/001-0001/turnout",
        json={"as_of": "10:00", "voters": 100},
        headers=api.headers(api.station_token("001-0001")),
    )
    assert response.status_code == 201, response.text
    flagged = protocol("001-0001", figures=good_figures(ballots_cast=900))
    assert api.submit(flagged).json()["status"] == "flagged"
    assert revision(api) > start
    assert changes(api, start)["stations"] == []


def test_the_feed_answers_304_while_nothing_changed(api: Api) -> None:
    first = api.client.get("/api/v1/changes?since=0")
    etag = first.headers["etag"]
    again = api.client.get("/api/v1/changes?since=0", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert api.submit(protocol("001-0001")).status_code == 201
    changed = api.client.get("/api/v1/changes?since=0", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def second_station() -> Any:
    """A consistent protocol for station 002-0001 (600 registered; candidates C004, C005)."""
    return good_figures(
        {"C004": 250, "C005": 140},
        registered_voters=600,
        ballots_received=600,
        ballots_issued_in_station=390,
        ballots_issued_portable=10,
        unused_ballots=200,
    )


def test_a_flagged_protocol_accepted_by_the_commission_is_a_change(api: Api) -> None:
    flagged = protocol("001-0001", figures=good_figures(ballots_cast=900))
    assert api.submit(flagged).json()["status"] == "flagged"
    before = revision(api)
    response = api.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision",
        json={"decision": "accept", "reason": "the copy at the station says 900"},
        headers=api.commission,
    )
    assert response.status_code == 200, response.text
    assert stations(changes(api, before)) == {"001-0001": (1, 1)}
