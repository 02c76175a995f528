"""A plurality contest has no round 2: defining one is refused (409 `not_two_round`), even
once its result is certified."""

from __future__ import annotations

from tests.runoff_election import poll_and_certify
from tests.station_client import Api


def test_no_round_two_for_a_plurality_contest(api: Api) -> None:
    poll_and_certify(api, 1)
    answer = api.client.post("/api/v1/contests/constituency-1/runoff", headers=api.commission)
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "not_two_round"
    assert api.client.get("/api/v1/runoffs").json()["runoffs"] == []
