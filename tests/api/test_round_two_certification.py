"""Round 2 certified on its own: refused until every station's round-2 protocol is counted,
signed with the commission's key, then frozen (409 `contest_certified`, as round 1) until
withdrawn with a reason; the nation waits for every round 2 and takes its winner from it.
Hostile: wrong role, unknown or undefined round 2, malformed and oversized bodies, a
replayed certification, no commission key, a withdrawal without a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tallyroom.domain.certification_document import certification_is_valid
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.results.publication import gather_publication
from tallyroom.store.database import transaction
from tests.api.test_round_two_protocols import ROUND_TWO, _round_two
from tests.commission_console import give_commission_key
from tests.exports.test_snapshot import rewrite
from tests.runoff_election import poll_and_certify, two_round_copy
from tests.station_client import Api

CERTIFY = "/api/v1/contests/constituency-1/runoff/certification"
WITHDRAW = f"{CERTIFY}/withdrawal"
#: round 2 of constituency 1: C001 against C002, station by station (registered voters)
ROUND_TWO_VOTES = (
    ("001-0001", {"C001": 300, "C002": 500}, 1200),
    ("001-0002", {"C001": 400, "C002": 100}, 800),
    ("001-0003", {"C001": 60, "C002": 50}, 150),
)


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


def _error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def _round_two_polled(api: Api, stations: int = 3) -> None:
    defined = api.client.post(
        "/api/v1/contests/constituency-1/runoff",
        json={"polling_date": "2024-09-15"},
        headers=api.commission,
    )
    assert defined.status_code == 201, defined.text
    assert defined.json()["polling_date"] == "2024-09-15"
    for station, votes, registered in ROUND_TWO_VOTES[:stations]:
        answer = api.submit(_round_two(station, votes, registered))
        assert answer.json()["status"] == "accepted", answer.text


def _count(api: Api) -> dict[str, Any]:
    (runoff,) = api.client.get("/api/v1/runoffs").json()["runoffs"]
    assert isinstance(runoff, dict)
    return runoff


def test_round_two_certified_frozen_and_withdrawn(api: Api) -> None:
    key = give_commission_key(api)
    poll_and_certify(api, 1, 2)
    _round_two_polled(api, stations=2)
    missing = api.client.post(CERTIFY, headers=api.commission)
    assert _error(missing) == (409, "stations_missing")
    assert missing.json()["error"]["details"]["stations"] == ["001-0003"]
    last = ROUND_TWO_VOTES[2]
    assert api.submit(_round_two(*last)).json()["status"] == "accepted"
    certified = api.client.post(CERTIFY, headers=api.commission)
    assert certified.status_code == 201, certified.text
    answer = certified.json()
    document = answer["document"]
    # The votes and the winner come out of the three round-2 protocols: 760 against 650.
    summed: dict[str, int] = {}
    for _, votes, _ in ROUND_TWO_VOTES:
        for code, count in votes.items():
            summed[code] = summed.get(code, 0) + count
    assert document["votes"] == summed
    assert document["winner"] == max(summed, key=lambda code: summed[code]) == "C001"
    assert (document["scope"], document["contest"], document["constituency"]) == (
        "round-2",
        ROUND_TWO,
        1,
    )
    assert certification_is_valid(document, answer["public_key"], answer["signature"])
    assert answer["public_key"] == key.public_key().public_bytes_raw().hex()
    runoff = _count(api)
    assert (runoff["certified"], runoff["round_two"]["certified"]) == (True, True)
    assert runoff["round_two"]["status"] == "won"
    # Frozen: an amendment is refused as round 1's are; a repeat is answered as stored.
    amended = _round_two("001-0003", {"C001": 0, "C002": 120}, 150, version=2)
    assert _error(api.submit(amended)) == (409, "contest_certified")
    repeat = api.submit(_round_two(*last))
    assert (repeat.status_code, repeat.json()["already_stored"]) == (200, True)
    # Round 1's certification is its own: both stand, each published.
    published = api.client.get("/api/v1/certifications").json()["certifications"]
    scopes = sorted((c["document"]["scope"], c["constituency"]) for c in published)
    assert scopes == [("constituency", 1), ("constituency", 2), ("round-2", 1)]
    # The nation takes constituency 1's seat from round 2.
    nation = api.client.post("/api/v1/certification", headers=api.commission)
    assert nation.status_code == 201, nation.text
    seats = {c["number"]: c["winner"] for c in nation.json()["document"]["constituencies"]}
    assert seats[1] == "C001"
    assert _error(api.client.post(WITHDRAW, json={"reason": "x"}, headers=api.commission)) == (
        409,
        "nation_certified",
    )
    withdrawn_nation = api.client.post(
        "/api/v1/certification/withdrawal", json={"reason": "appeal"}, headers=api.commission
    )
    assert withdrawn_nation.status_code == 200, withdrawn_nation.text
    withdrawn = api.client.post(
        WITHDRAW, json={"reason": "complaint upheld (act 41/2024)"}, headers=api.commission
    )
    assert withdrawn.json() == {"constituency": 1, "certified": False}
    assert _count(api)["certified"] is False
    # Withdrawn, round 2 takes the amendment again; the nation waits for it.
    assert api.submit(amended).json()["status"] == "accepted"
    assert _count(api)["round_two"]["leader"] == "C002"
    nation = api.client.post("/api/v1/certification", headers=api.commission)
    assert _error(nation) == (409, "runoffs_not_certified")
    # Round 1's certification still stands, untouched by round 2's withdrawal.
    results = api.client.get("/api/v1/results").json()
    assert next(c for c in results["constituencies"] if c["number"] == 1)["certified"] is True
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_hostile_round_two_certifications(api: Api) -> None:
    poll_and_certify(api, 1)
    assert _error(api.client.post(CERTIFY, headers=api.commission)) == (
        409,
        "commission_key_missing",
    )
    give_commission_key(api)
    assert _error(api.client.post(CERTIFY, headers=api.commission)) == (404, "unknown_runoff")
    _round_two_polled(api)
    for path in (
        "/api/v1/contests/constituency-9/runoff/certification",
        "/api/v1/contests/nothing/runoff/certification",
    ):
        assert _error(api.client.post(path, headers=api.commission))[0] == 404
    for token in (api.credentials.observer_token, api.station_token("001-0001")):
        refused = api.client.post(CERTIFY, headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 403, refused.text
    assert api.client.post(CERTIFY).status_code == 401
    for body in ({"reason": 7}, {"reason": "x" * 2001}, [1, 2]):
        malformed = api.client.post(CERTIFY, json=body, headers=api.commission)
        assert malformed.status_code in (400, 422), malformed.text
    garbage = api.client.post(
        CERTIFY,
        content=b"{not json",
        headers=api.commission | {"Content-Type": "application/json"},
    )
    assert garbage.status_code in (400, 422), garbage.text
    assert _error(api.client.post(WITHDRAW, json={"reason": "x"}, headers=api.commission)) == (
        409,
        "not_certified",
    )
    assert api.client.post(CERTIFY, headers=api.commission).status_code == 201
    # Replayed: the second certification is refused, nothing more stored.
    assert _error(api.client.post(CERTIFY, headers=api.commission)) == (409, "already_certified")
    published = api.client.get("/api/v1/certifications").json()["certifications"]
    assert [c["document"]["scope"] for c in published].count("round-2") == 1
    assert _error(api.client.post(WITHDRAW, json={}, headers=api.commission))[0] == 422
    assert _error(api.client.post(WITHDRAW, json={"reason": " "}, headers=api.commission))[0] == 422


def test_hostile_polling_dates(api: Api) -> None:
    poll_and_certify(api, 1)
    for date, code in (("2024-09-01", "polling_date_not_after_round_one"), ("15/09", "")):
        answer = api.client.post(
            "/api/v1/contests/constituency-1/runoff",
            json={"polling_date": date},
            headers=api.commission,
        )
        assert answer.status_code == 422, answer.text
        if code:
            assert _error(answer) == (422, code)
    assert _count_of(api) == []


def _count_of(api: Api) -> list[Any]:
    return list(api.client.get("/api/v1/runoffs").json()["runoffs"])


def test_a_certified_round_two_in_the_snapshot_and_verify(api: Api, tmp_path: Path) -> None:
    give_commission_key(api)
    poll_and_certify(api, 1)
    _round_two_polled(api)
    assert api.client.post(CERTIFY, headers=api.commission).status_code == 201
    with transaction(api.sessions) as session:
        written = write_snapshot(gather_publication(session), tmp_path / "published")
    folder = written.folder
    assert verify_snapshot(folder).problems == []
    runoffs = json.loads((folder / "runoffs.json").read_text(encoding="utf-8"))
    assert runoffs["runoffs"][0]["certified"] is True
    # A forger who marks round 2 uncertified (and mends the manifest) is named.
    runoffs["runoffs"][0]["certified"] = False
    rewrite(folder, "runoffs.json", runoffs, update_manifest=True)
    problems = verify_snapshot(folder).problems
    assert any("round 2" in p and "certified" in p for p in problems), problems
