"""Bulk intake takes round-2 protocols: in one command with round-1 amendments, each
round-2 document stored (or refused) exactly as POST /api/v1/protocols stores it one by
one, in its place in the order; a refused one stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.protocols.bulk_submission import Refusal, submit_protocols
from tallyroom.service.protocols.protocols import SubmissionOutcome
from tallyroom.service.results.runoff_protocols import round_two_results
from tallyroom.store.database import transaction
from tallyroom.store.schema import RunoffProtocolRow
from tests.api.test_round_two_protocols import ROUND_TWO, _round_two
from tests.runoff_election import poll_and_certify, two_round_copy
from tests.service.test_bulk_submission import commission, sign
from tests.station_client import Api, good_figures, protocol


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


def test_round_two_protocols_in_a_bulk_command(api: Api) -> None:
    poll_and_certify(api, 1)
    defined = api.client.post(
        "/api/v1/contests/constituency-1/runoff", json={}, headers=api.commission
    )
    assert defined.status_code == 201, defined.text
    credentials = api.credentials
    first = _round_two("001-0001", {"C001": 300, "C002": 500}, 1200)
    envelopes = [
        sign(credentials, first),
        # round 1 of constituency 2 is not certified: its amendment is taken beside round 2
        sign(
            credentials,
            protocol(
                "002-0001",
                version=2,
                amendment_reason="recounted",
                figures=good_figures(
                    votes={"C004": 300, "C005": 150},
                    registered_voters=600,
                    ballots_received=600,
                    ballots_issued_in_station=470,
                    ballots_issued_portable=0,
                    invalid_ballots=20,
                    ballots_cast=470,
                    unused_ballots=130,
                ),
            ),
        ),
        sign(credentials, first),  # the same again: idempotent
        sign(credentials, _round_two("001-0002", {"C001": 400, "C003": 100}, 800)),  # C003 out
        sign(credentials, _round_two("001-0003", {"C001": 60, "C002": 50}, 150), "001-0001"),
        sign(credentials, _round_two("001-0002", {"C001": 400, "C002": 100}, 800)),
    ]
    with transaction(api.sessions) as session:
        outcome = submit_protocols(session, principal=commission(session), envelopes=envelopes)
    kinds = [
        (o.code if isinstance(o, Refusal) else (o.status.value, o.already_stored))
        for o in outcome.outcomes
    ]
    assert kinds[0] == ("accepted", False)
    assert kinds[1][1] is False, outcome.outcomes[1]
    assert kinds[2] == ("accepted", True)
    assert kinds[3] == "unknown_candidate"
    assert isinstance(outcome.outcomes[4], Refusal)
    assert kinds[5] == ("accepted", False)
    assert isinstance(outcome.outcomes[0], SubmissionOutcome)
    with transaction(api.sessions) as session:
        count = round_two_results(session, 1)[ROUND_TWO]
        # Round 2 counts the two accepted stations: 300 + 400 for C001, 500 + 100 for C002.
        assert dict(count.votes) == {"C001": 700, "C002": 600}
        assert count.stations_counted == 2
        assert session.scalar(select(func.count()).select_from(RunoffProtocolRow)) == 2
        assert audit_discrepancies(session) == []
    # The one-by-one route sees what the bulk command stored.
    repeat = api.submit(_round_two("001-0002", {"C001": 400, "C002": 100}, 800))
    assert (repeat.status_code, repeat.json()["already_stored"]) == (200, True)
