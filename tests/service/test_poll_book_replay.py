"""A polling day replayed in process: two desks per station, some offline for a while and
syncing later in batches; every planted double vote becomes exactly one incident, and none is
invented."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.service.audit import audit_log
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.audit.row_ledger import ROWS_RECORDED
from tallyroom.service.definition.credentials import IssuedCredentials, authenticate
from tallyroom.service.register.poll_book import (
    CheckInRequest,
    DeskBatch,
    record_check_ins,
    record_desk_batches,
)
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    CheckInRow,
    DoubleVoteIncidentRow,
    PollingStationRow,
    VoterRow,
)
from tests.register_fixture import load_small_register

OPENS = datetime(2024, 9, 1, 4, 0, tzinfo=UTC)


def test_planted_double_votes_are_found_and_none_invented(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    load_small_register(loaded_election)
    rng = random.Random(14)
    with transaction(loaded_election) as session:
        stations = dict(
            iter(session.execute(select(PollingStationRow.id, PollingStationRow.code)).tuples())
        )
        voters = [
            (number, stations[station])
            for number, station in session.execute(
                select(VoterRow.voter_number, VoterRow.station_id)
            ).tuples()
        ]
    turnout = rng.sample(voters, 1_200)
    planted = {number for number, _ in rng.sample(turnout, 25)}
    # each station's two desks: desk 0 online, desk 1 offline all morning, syncing at noon
    online: list[tuple[str, CheckInRequest]] = []
    offline: dict[str, list[CheckInRequest]] = {}
    for position, (number, code) in enumerate(turnout):
        at = OPENS + timedelta(seconds=20 * position)
        desks = [0, 1] if number in planted else [rng.choice([0, 1])]
        for desk in desks:
            request = CheckInRequest(
                voter=str(number), client_reference=f"{code}-{desk}-{position}", checked_in_at=at
            )
            if desk == 0:
                online.append((code, request))
            else:
                offline.setdefault(code, []).append(request)
    for code, request in online:
        with transaction(loaded_election) as session:
            principal = authenticate(session, credentials.stations[code][1])
            outcome = record_check_ins(
                session, principal=principal, requests=[request], online=True
            )[0]
            assert outcome.status == "recorded", outcome
    # at noon every offline desk syncs at once: one transaction, as the tick of a replay
    with transaction(loaded_election) as session:
        logged_before = _check_in_entries(session)
        batches = [
            DeskBatch(
                authenticate(session, credentials.stations[code][1]),
                requests[start : start + 500],
                online=False,
            )
            for code, requests in offline.items()
            for start in range(0, len(requests), 500)
        ]
        statuses = [
            o.status for outcomes in record_desk_batches(session, batches=batches) for o in outcomes
        ]
        # one image entry per desk, under the desk's own name
        actors = [actor for actor, _ in _check_in_entries(session)[len(logged_before) :]]
        assert sorted(actors) == sorted(batch.principal.actor for batch in batches)
    assert statuses.count("double_vote") == len(planted)
    assert statuses.count("recorded") == sum(map(len, offline.values())) - len(planted)
    with transaction(loaded_election) as session:
        found = set(
            session.scalars(
                select(VoterRow.voter_number).join(
                    DoubleVoteIncidentRow, DoubleVoteIncidentRow.voter_id == VoterRow.id
                )
            )
        )
        assert found == planted
        assert session.scalar(select(func.count()).select_from(CheckInRow)) == 1_200 + 25
        assert audit_discrepancies(session) == []


def _check_in_entries(session: Session) -> list[tuple[str, int]]:
    """(actor, rows) of each entry logging check-in row images, in chain order."""
    return [
        (entry.actor, len(entry.payload["rows"]))
        for entry in audit_log.entries(session)
        if entry.action == ROWS_RECORDED and entry.payload["table"] == "check_in"
    ]
