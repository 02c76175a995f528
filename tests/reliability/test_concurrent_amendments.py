"""Two amendments of one protocol at the same moment: one wins, the other gets 409, and the
totals count exactly the winner (no lost update). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

from tallyroom.api.runtime import Runtime
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.errors import Conflict
from tallyroom.service.protocols.protocols import submit_protocol
from tallyroom.store.database import transaction
from tests.station_client import Api, good_figures, protocol


def test_simultaneous_amendments(api: Api, database_url: str) -> None:
    assert api.submit(protocol()).status_code == 201
    runtime = Runtime.for_database(database_url, migrate_schema=False)
    token = api.station_token("001-0001")
    amendments = {
        "A": protocol(
            version=2,
            figures=good_figures(votes={"C001": 300, "C002": 350, "C003": 100}),
            amendment_reason="recount A",
        ),
        "B": protocol(
            version=2,
            figures=good_figures(votes={"C001": 500, "C002": 150, "C003": 100}),
            amendment_reason="recount B",
        ),
    }
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def amend(name: str) -> None:
        envelope = api.signed(amendments[name])
        barrier.wait()
        try:
            outcomes[name] = runtime.command(
                token,
                lambda session, principal: submit_protocol(
                    session,
                    principal=principal,
                    document=envelope["protocol"],
                    signature=envelope["signature"],
                ),
            )
        except Conflict as error:
            outcomes[name] = error

    threads = [threading.Thread(target=amend, args=(name,)) for name in amendments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    runtime.close()
    winners = [name for name, outcome in outcomes.items() if not isinstance(outcome, Conflict)]
    losers = [outcome for outcome in outcomes.values() if isinstance(outcome, Conflict)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert losers[0].status == 409
    assert losers[0].code in ("version_conflict", "concurrent_change")
    national = api.client.get("/api/v1/results").json()
    leader = national["constituencies"][0]["leader"]
    assert leader == ("C002" if winners == ["A"] else "C001")
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []
