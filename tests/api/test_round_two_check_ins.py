"""Round 2's own check-ins: a voter who voted in round 1 checks in again for round 2 (the
check-in names the round-2 contest), once; refused before round 2 is defined and for a
contest the desk does not vote in. Round 1's poll-book figures leave round 2 out."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.register.poll_book_figures import figures_by_station
from tallyroom.store.database import transaction
from tallyroom.store.schema import CheckInRow, VoterRow
from tests.polled_election import poll_small_election
from tests.register_fixture import load_small_register
from tests.runoff_election import certify, two_round_copy
from tests.station_client import Api

ROUND_TWO = "constituency-1/round-2"


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    """Two-round, and without the ballots-issued-vs-check-ins rule: one voter's check-ins
    stand beside a whole station's protocol here (the rule has tests of its own)."""
    folder = two_round_copy(tmp_path / "two-round-election")
    rules = folder / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    start = text.index("  - id: issued_differs_from_check_ins")
    end = text.find("\n  - id:", start + 1)
    rules.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""), encoding="utf-8")
    return folder


def test_a_voter_votes_in_each_round_once(api: Api) -> None:
    load_small_register(api.sessions)
    with transaction(api.sessions) as session:
        voter = session.scalars(
            select(VoterRow.voter_number).where(VoterRow.station_id == 1).limit(1)
        ).one()
    desk = api.headers(api.station_token("001-0001"))

    def check_in(reference: str, contest: str | None = None) -> tuple[int, str]:
        body = {"voter": voter, "client_reference": reference}
        if contest is not None:
            body["contest"] = contest
        answer = api.client.post("/api/v1/pollbook/check-ins", json=body, headers=desk)
        payload = answer.json()
        return answer.status_code, payload.get("status") or payload["error"]["code"]

    assert check_in("r1") == (201, "recorded")
    assert check_in("r1-again") == (409, "already_checked_in")
    assert check_in("r2-early", ROUND_TWO) == (404, "no_runoff")
    poll_small_election(api)
    certify(api, 1)
    defined = api.client.post(
        "/api/v1/contests/constituency-1/runoff", json={}, headers=api.commission
    )
    assert defined.status_code == 201, defined.text
    assert check_in("r2", ROUND_TWO) == (201, "recorded")
    assert check_in("r2-again", ROUND_TWO) == (409, "already_checked_in")
    assert check_in("r2-elsewhere", "constituency-2/round-2") == (422, "wrong_contest")
    # naming round 1's contest is round 1: the voter voted in it already
    assert check_in("r1-named", "constituency-1") == (409, "already_checked_in")
    figures = api.client.get("/api/v1/pollbook/stations/001-0001/figures", headers=api.commission)
    assert figures.status_code == 200, figures.text
    assert figures.json()["check_ins"] == 1  # round 1's only
    with transaction(api.sessions) as session:
        rounds = sorted(session.scalars(select(CheckInRow.round)).all())
        assert rounds == [1, 2]
        # open data has a row per round: round 2's own check-ins, the station's other
        # figures on round 1's row only
        published = [row for row in figures_by_station(session) if row["station"] == "001-0001"]
        assert [(row["round"], row["check_ins"]) for row in published] == [(1, 1), (2, 1)]
        assert published[1]["additions"] is None
        assert published[0]["additions"] == 0
        assert audit_discrepancies(session) == []
