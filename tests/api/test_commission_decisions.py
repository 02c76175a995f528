"""The commission's decisions and queues: the flagged queue (JSON and live), four-eyes
confirmation under the election's decision policy, two people deciding at once (409)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

import pytest

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.store.database import transaction
from tests.commission_console import (
    flagged_protocol,
    give_commission_key,
    second_member,
    set_four_eyes,
)
from tests.polled_election import poll_small_election
from tests.station_client import Api, protocol


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def decide(api: Api, headers: dict[str, str], decision: str, version: int = 1) -> Any:
    return api.client.post(
        f"/api/v1/stations/001-0001/protocols/{version}/decision",
        json={"decision": decision, "reason": "received figure confirmed by phone"},
        headers=headers,
    )


def queue(api: Api, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    response = api.client.get("/api/v1/queue/flagged", headers=headers or api.commission)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_the_queue_lists_flagged_protocols_with_checks_and_history(api: Api) -> None:
    assert api.submit(protocol()).json()["status"] == "accepted"
    amended = flagged_protocol(version=2, amendment_reason="recounted")
    assert api.submit(amended).json()["status"] == "flagged"
    (item,) = queue(api)
    assert (item["station"], item["version"], item["status"]) == ("001-0001", 2, "flagged")
    assert item["constituency"] == 1
    assert item["failed_checks"]
    assert all(check["code"] and check["message"] for check in item["failed_checks"])
    assert [(e["version"], e["status"]) for e in item["history"]] == [
        (1, "accepted"),
        (2, "flagged"),
    ]
    assert item["figures"]["ballots_received"] == 1300
    # A constituency commission sees its own constituency's queue only.
    assert queue(api, api.headers(api.credentials.constituency_tokens[1]))
    assert queue(api, api.headers(api.credentials.constituency_tokens[2])) == []
    # Decided: gone from the queue.
    assert decide(api, api.commission, "accept", version=2).status_code == 200
    assert queue(api) == []


def test_four_eyes_a_decision_waits_for_a_second_person(api: Api) -> None:
    give_commission_key(api)
    set_four_eyes(api, "accept;annul")
    poll_small_election(api)
    before = api.client.get("/api/v1/results").json()["stations_reporting"]
    amended = flagged_protocol(version=2, amendment_reason="recounted")
    assert api.submit(amended).json()["status"] == "flagged"
    proposed = decide(api, api.commission, "accept", version=2)
    assert proposed.status_code == 202, proposed.text
    assert proposed.json()["status"] == "pending_confirmation"
    decision_id = proposed.json()["decision_id"]
    (item,) = queue(api)
    assert item["status"] == "pending_confirmation"
    assert item["proposed_decision"]["proposed_by"] == "commission:commission"
    # Pending confirmation: not counted, certification refused, no second decision.
    version_counted = api.client.get("/api/v1/stations/001-0001").json()
    assert [v["counted"] for v in version_counted["protocol_versions"]] == [True, False]
    assert api.client.get("/api/v1/results").json()["stations_reporting"] == before
    refused = api.client.post("/api/v1/constituencies/1/certification", headers=api.commission)
    assert (refused.status_code, error_code(refused)) == (409, "protocols_pending")
    again = decide(api, second_member(api, "another"), "reject", version=2)
    assert (again.status_code, error_code(again)) == (409, "decision_pending")
    # The proposer cannot confirm; a second person can, once.
    same = api.client.post(f"/api/v1/decisions/{decision_id}/confirmation", headers=api.commission)
    assert (same.status_code, error_code(same)) == (403, "same_person")
    member = second_member(api)
    confirmed = api.client.post(f"/api/v1/decisions/{decision_id}/confirmation", headers=member)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "accepted"
    twice = api.client.post(f"/api/v1/decisions/{decision_id}/confirmation", headers=member)
    assert (twice.status_code, error_code(twice)) == (409, "already_confirmed")
    station = api.client.get("/api/v1/stations/001-0001").json()
    assert [v["counted"] for v in station["protocol_versions"]] == [False, True]
    assert queue(api) == []
    # An annulment under four-eyes, too; a recount is not in the policy and takes effect.
    annul = api.client.post(
        "/api/v1/stations/002-0001/annulment",
        json={"reason": "seal broken", "confirmed": True},
        headers=api.commission,
    )
    assert annul.status_code == 202, annul.text
    assert api.client.get("/api/v1/results").json()["stations_annulled"] == 0
    confirmed = api.client.post(
        f"/api/v1/decisions/{annul.json()['decision_id']}/confirmation", headers=member
    )
    assert confirmed.json()["status"] == "annulled"
    assert api.client.get("/api/v1/results").json()["stations_annulled"] == 1
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_two_people_deciding_the_same_protocol_at_once_the_second_gets_409(api: Api) -> None:
    assert api.submit(flagged_protocol()).json()["status"] == "flagged"
    members = [api.commission, second_member(api)]
    answers: list[Any] = [None, None]
    start = threading.Barrier(2)

    def decide_as(index: int) -> None:
        start.wait()
        answers[index] = decide(api, members[index], ("accept", "reject")[index])

    threads = [threading.Thread(target=decide_as, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 409], [answer.text for answer in answers]
    loser = next(answer for answer in answers if answer.status_code == 409)
    assert error_code(loser) == "not_flagged"
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_a_flagged_protocol_reaches_the_live_queue_within_a_second(api: Api) -> None:
    arrived: dict[str, float] = {}

    def submit_later() -> None:
        time.sleep(0.5)
        arrived["sent"] = time.monotonic()
        assert api.submit(flagged_protocol()).status_code == 201

    sender = threading.Thread(target=submit_later)
    items: list[dict[str, Any]] = []
    with api.client.stream(
        "GET", "/api/v1/queue/flagged/events?lifetime=3", headers=api.commission
    ) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        sender.start()
        event = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "item":
                items.append(json.loads(line.removeprefix("data: ")))
                arrived["seen"] = time.monotonic()
                break
    sender.join()
    assert [(i["station"], i["status"]) for i in items] == [("001-0001", "flagged")]
    assert arrived["seen"] - arrived["sent"] < 1.0


def test_the_live_queue_refreshes_an_item_when_its_photo_arrives_after_the_protocol(
    api: Api,
) -> None:
    from tests.api.test_protocol_photo import jpeg, send_photo

    photo = jpeg(colour="gray")
    digest = hashlib.sha256(photo).hexdigest()
    document = flagged_protocol() | {
        "format": 2,
        "contest": "constituency-1",
        "photo_sha256": digest,
    }
    assert api.submit(document).json()["status"] == "flagged"
    sent: dict[str, float] = {}

    def photo_later() -> None:
        time.sleep(0.5)
        sent["at"] = time.monotonic()
        assert send_photo(api, photo).status_code == 201

    sender = threading.Thread(target=photo_later)
    items: list[dict[str, Any]] = []
    with api.client.stream(
        "GET", "/api/v1/queue/flagged/events?lifetime=4", headers=api.commission
    ) as stream:
        event = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "item":
                items.append(json.loads(line.removeprefix("data: ")))
                if len(items) == 1:
                    sender.start()
                else:
                    sent["seen"] = time.monotonic()
                    break
    sender.join()
    assert [(i["station"], i["version"], i["photo_stored"]) for i in items] == [
        ("001-0001", 1, False),
        ("001-0001", 1, True),
    ]
    assert sent["seen"] - sent["at"] < 1.0


# --- hostile ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/queue/flagged",
        "/api/v1/queue/flagged/events?lifetime=1",
        "/api/v1/queue/complaints",
    ],
)
def test_the_queues_are_for_commission_staff_only(api: Api, path: str) -> None:
    for headers, status, code in (
        ({}, 401, "token_missing"),
        (api.headers("nonsense"), 401, "token_unknown"),
        (api.headers(api.station_token("001-0001")), 403, "commission_only"),
        (api.headers(api.credentials.observer_token), 403, "commission_only"),
    ):
        response = api.client.get(path, headers=headers)
        assert (response.status_code, error_code(response)) == (status, code), headers
    assert api.client.get("/api/v1/queue/complaints", headers=api.commission).json() == {
        "items": []
    }


def test_a_live_queue_refuses_a_lifetime_out_of_range(api: Api) -> None:
    for lifetime in ("0", "-1", "301", "abc", "1e309"):
        response = api.client.get(
            f"/api/v1/queue/flagged/events?lifetime={lifetime}", headers=api.commission
        )
        assert response.status_code == 422, lifetime


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        (
            "/api/v1/stations/001-0001/annulment",
            {"reason": "seal broken"},
            422,
            "confirmation_required",
        ),
        (
            "/api/v1/stations/001-0001/annulment",
            {"reason": "seal broken", "confirmed": False},
            422,
            "confirmation_required",
        ),
        ("/api/v1/stations/001-0001/annulment", {"confirmed": True}, 422, "reason_required"),
        ("/api/v1/stations/NOPE/annulment", {"reason": "x", "confirmed": True}, 404, None),
        ("/api/v1/stations/001-0001/recount", {"reason": "x" * 2001}, 422, "reason_required"),
        ("/api/v1/decisions/999/confirmation", None, 404, "unknown_decision"),
        ("/api/v1/decisions/0/confirmation", None, 422, "invalid_request"),
        ("/api/v1/decisions/99999999999/confirmation", None, 422, "invalid_request"),
        (
            "/api/v1/stations/001-0001/protocols/1/decision",
            {"decision": "accept", "reason": "ok"},
            409,
            "not_flagged",
        ),
    ],
)
def test_malformed_decisions_are_refused_and_nothing_is_stored(
    api: Api, path: str, body: Any, status: int, code: str | None
) -> None:
    assert api.submit(protocol()).status_code == 201
    response = api.client.post(path, json=body, headers=api.commission)
    assert response.status_code == status, response.text
    if code:
        assert error_code(response) == code
    national = api.client.get("/api/v1/results").json()
    assert (national["stations_reporting"], national["stations_annulled"]) == (1, 0)


def test_only_the_commission_decides_and_confirms(api: Api) -> None:
    set_four_eyes(api, "reject")
    assert api.submit(flagged_protocol()).status_code == 201
    proposed = decide(api, api.commission, "reject")
    assert proposed.status_code == 202
    confirmation = f"/api/v1/decisions/{proposed.json()['decision_id']}/confirmation"
    for headers, status in (
        ({}, 401),
        (api.headers(api.station_token("001-0001")), 403),
        # A constituency commission accepts and rejects in its own constituency only.
        (api.headers(api.credentials.constituency_tokens[2]), 403),
        (api.headers(api.credentials.observer_token), 403),
    ):
        assert api.client.post(confirmation, headers=headers).status_code == status
        assert decide(api, headers, "accept").status_code == status
    own = api.headers(api.credentials.constituency_tokens[1])
    assert api.client.post(confirmation, headers=own).status_code == 403
    recount = api.client.post(
        "/api/v1/stations/001-0001/recount", json={"reason": "doubt"}, headers=own
    )
    assert recount.status_code == 403
