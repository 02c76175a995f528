"""Round 2 as its own polling day: stations submit signed protocols naming the round-2
contest to POST /api/v1/protocols; counted among the candidates standing in round 2 and
published with round 1 beside it (GET /api/v1/runoffs). Hostile: before round 2 is
defined, votes for a withdrawn candidate, a station of another constituency, a foreign
token, a replay, a forged signature."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tallyroom.domain.protocol_document import document_of
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.results.publication import gather_publication
from tallyroom.store.database import transaction
from tests.exports.test_snapshot import rewrite
from tests.polled_election import figures
from tests.runoff_election import poll_and_certify, two_round_copy
from tests.station_client import Api

ROUND_TWO = "constituency-1/round-2"


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


def _round_two(
    station: str, votes: dict[str, int], registered: int, *, version: int = 1
) -> dict[str, Any]:
    return document_of(
        election="small-2024",
        station=station,
        version=version,
        contest=ROUND_TWO,
        figures=figures(
            votes,
            registered=registered,
            issued_in_station=sum(votes.values()) + 10,
            portable=0,
            invalid=10,
        ),
        amendment_reason=None if version == 1 else "recounted",
    )


def _define(api: Api, withdrawals: list[str]) -> None:
    answer = api.client.post(
        "/api/v1/contests/constituency-1/runoff",
        json={"withdrawals": withdrawals},
        headers=api.commission,
    )
    assert answer.status_code == 201, answer.text


def _published(api: Api) -> dict[str, Any]:
    (runoff,) = api.client.get("/api/v1/runoffs").json()["runoffs"]
    assert isinstance(runoff, dict)
    return runoff


def test_round_two_counted_station_by_station(api: Api) -> None:
    poll_and_certify(api, 1)
    _define(api, [])
    assert _published(api)["round_two"]["status"] is None
    first = api.submit(_round_two("001-0001", {"C001": 300, "C002": 500}, 1200))
    assert (first.status_code, first.json()["status"]) == (201, "accepted"), first.text
    repeat = api.submit(_round_two("001-0001", {"C001": 300, "C002": 500}, 1200))
    assert (repeat.status_code, repeat.json()["already_stored"]) == (200, True)
    runoff = _published(api)
    assert runoff["round_one_votes"]["C001"] == 650  # round 1 beside round 2
    assert runoff["round_two"]["votes"] == {"C002": 500, "C001": 300}
    assert (runoff["round_two"]["leader"], runoff["round_two"]["status"]) == ("C002", "leading")
    for station, votes, registered in (
        ("001-0002", {"C001": 400, "C002": 100}, 800),
        ("001-0003", {"C001": 60, "C002": 50}, 150),
    ):
        answer = api.submit(_round_two(station, votes, registered))
        assert answer.json()["status"] == "accepted", answer.text
    count = _published(api)["round_two"]
    # 760 against 650: the order of round 1 is not what decides round 2.
    assert count["votes"] == {"C001": 760, "C002": 650}
    assert (count["leader"], count["status"], count["stations_counted"]) == ("C001", "won", 3)
    # An amendment replaces the station's figures.
    amended = api.submit(_round_two("001-0003", {"C001": 0, "C002": 120}, 150, version=2))
    assert amended.status_code == 201, amended.text
    assert amended.json()["status"] == "accepted", amended.text
    count = _published(api)["round_two"]
    assert count["votes"] == {"C002": 720, "C001": 700}
    assert count["leader"] == "C002"
    # ... and so the seat: C002 (REAL) won it in round 2.
    seats = api.client.get("/api/v1/results").json()["seats"]
    assert {(g["party"], g["nomination"]): g["won"] for g in seats}[("REAL", "party")] == 1
    # Round 1's count is untouched by round 2.
    results = api.client.get("/api/v1/results").json()
    first_round = next(c for c in results["constituencies"] if c["number"] == 1)
    assert {c["code"]: c["votes"] for c in first_round["candidates"]}["C001"] == 650
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def _error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_hostile_round_two_protocols(api: Api) -> None:
    poll_and_certify(api, 1)
    good = _round_two("001-0001", {"C001": 300, "C002": 500}, 1200)
    assert _error(api.submit(good)) == (404, "no_runoff")
    _define(api, ["C002"])
    # C002 withdrew: votes for C002 (or C003, who did not qualify) are not round-2 votes.
    assert _error(api.submit(good)) == (422, "unknown_candidate")
    third = _round_two("001-0001", {"C001": 700, "C003": 100}, 1200)
    assert _error(api.submit(third)) == (422, "unknown_candidate")
    elsewhere = _round_two("002-0001", {"C001": 300}, 600)
    assert _error(api.submit(elsewhere)) == (422, "wrong_contest")
    alone = _round_two("001-0001", {"C001": 790}, 1200)
    observer = api.submit(alone, token=api.credentials.observer_token)
    assert observer.status_code == 403, observer.text
    other_station = api.submit(alone, token=api.station_token("001-0002"))
    assert _error(other_station) == (403, "out_of_scope")
    forged = api.submit(alone, signer="001-0002")
    assert forged.status_code in (401, 422), forged.text
    skipped = api.submit(_round_two("001-0001", {"C001": 790}, 1200, version=3))
    assert _error(skipped) == (409, "version_gap")
    assert _published(api)["round_two"]["stations_counted"] == 0
    accepted = api.submit(alone)
    assert accepted.json()["status"] == "accepted", accepted.text
    assert _published(api)["round_two"]["votes"] == {"C001": 790}


@pytest.mark.parametrize(
    ("language", "heading", "withdrew"),
    [("en", "Round 2", "Withdrew"), ("az", "II tur", "geri götürüb"), ("ru", "Второй тур", "Снял")],
)
def test_the_site_shows_round_two_beside_round_one(
    api: Api, language: str, heading: str, withdrew: str
) -> None:
    poll_and_certify(api, 1)
    page = api.client.get(f"/constituencies/1?lang={language}").text
    assert 'id="round-two"' not in page
    _define(api, ["C002"])
    for station, registered in (("001-0001", 1200), ("001-0002", 800), ("001-0003", 150)):
        answer = api.submit(_round_two(station, {"C001": 100}, registered))
        assert answer.json()["status"] == "accepted", answer.text
    page = api.client.get(f"/constituencies/1?lang={language}").text
    section = page[page.index('id="round-two"') :]
    section = section[: section.index("</section>")]
    assert heading in page
    assert 'data-contest="constituency-1/round-2"' in section
    # round 2's own turnout: 3 × (100 votes + 10 invalid) of 2,150 registered
    turnout = section[section.index("data-round-two-turnout>") :]
    assert turnout[len("data-round-two-turnout>") :].startswith(("15.3", "15,3"))
    # C001: 650 in round 1, 300 in round 2, the seat won; C002 withdrew with its 590.
    winner = section[section.index('data-candidate="C001"') :]
    assert 'data-seat-status="won"' in winner[: winner.index("</tr>")]
    assert "300" in winner[: winner.index("</tr>")]
    withdrawn = section[section.index('data-candidate="C002"') :]
    assert withdrew in withdrawn[: withdrawn.index("</tr>")]
    table = api.client.get("/constituencies/1/round_two.csv")
    assert table.status_code == 200
    assert "constituency-1/round-2,C001" in table.text


def test_round_two_in_the_snapshot_and_verify(api: Api, tmp_path: Path) -> None:
    poll_and_certify(api, 1)
    _define(api, ["C002"])
    for station, registered in (("001-0001", 1200), ("001-0002", 800)):
        answer = api.submit(_round_two(station, {"C001": 100}, registered))
        assert answer.json()["status"] == "accepted", answer.text
    # Round 2's leader holds the two-round contest's seat in the national tally: C001
    # (YAP), leading with two of three stations counted.
    seats = api.client.get("/api/v1/results").json()["seats"]
    assert {(g["party"], g["nomination"]): (g["won"], g["leading"]) for g in seats}[
        ("YAP", "party")
    ] == (0, 1)
    with transaction(api.sessions) as session:
        written = write_snapshot(gather_publication(session), tmp_path / "published")
    folder = written.folder
    published = json.loads((folder / "runoffs.json").read_text(encoding="utf-8"))
    (runoff,) = published["runoffs"]
    assert runoff["round_two"]["votes"] == {"C001": 200}
    assert [p["station"] for p in published["protocols"]] == ["001-0001", "001-0002"]
    assert verify_snapshot(folder).problems == []
    # A forger who adds votes (and mends the manifest) is named; so is one who puts the
    # withdrawn candidate back on the ballot.
    for change, words in (
        (lambda r: r["round_two"]["votes"].update(C001=900), "round 2 counts"),
        (lambda r: r.update(standing=["C001", "C002"]), "the two-round rule gives"),
    ):
        forged = json.loads(json.dumps(published))
        change(forged["runoffs"][0])
        rewrite(folder, "runoffs.json", forged, update_manifest=True)
        problems = verify_snapshot(folder).problems
        assert any("runoffs.json" in p and words in p for p in problems), problems
