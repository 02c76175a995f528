"""Commission decisions that must not be repeated or leave the commission locked out:
the last commission token cannot be revoked; a recount is not ordered twice while pending;
search takes % and _ literally."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from tallyroom.api.runtime import Runtime
from tallyroom.service.errors import Conflict
from tallyroom.service.protocols.protocols import order_recount
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, StationDecisionRow
from tests.station_client import Api, protocol


def recounts(api: Api, station_code: str = "001-0001") -> int:
    with transaction(api.sessions) as session:
        return int(
            session.scalar(
                select(func.count(StationDecisionRow.id)).where(
                    StationDecisionRow.kind == "recount"
                )
            )
            or 0
        )


def order(api: Api, code: str = "001-0001") -> Any:
    return api.client.post(
        f"/api/v1/stations/{code}/recount",
        json={"reason": "observers' complaint"},
        headers=api.commission,
    )


def test_the_last_commission_token_cannot_be_revoked(api: Api) -> None:
    response = api.client.post(
        "/api/v1/tokens/revocation",
        json={"token": api.credentials.commission_token},
        headers=api.commission,
    )
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "last_commission_token"
    # Still the commission: it can revoke another token.
    station_token = api.station_token("001-0002")
    revoked = api.client.post(
        "/api/v1/tokens/revocation", json={"token": station_token}, headers=api.commission
    )
    assert revoked.status_code == 201, revoked.text


def test_a_recount_is_not_ordered_twice_while_pending(api: Api) -> None:
    assert order(api).status_code == 201
    with transaction(api.sessions) as session:
        audit_before = session.scalar(select(func.count(AuditEntryRow.sequence)))
    again = order(api)
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "recount_pending"
    assert recounts(api) == 1
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count(AuditEntryRow.sequence))) == audit_before
    # The recount is done once the station submits; a later recount may be ordered.
    assert api.submit(protocol()).status_code == 201
    assert order(api).status_code == 201
    assert recounts(api) == 2
    # Another station is not affected by the first's pending recount.
    assert order(api, "001-0002").status_code == 201


def test_ten_concurrent_identical_recount_orders_store_one(api: Api, database_url: str) -> None:
    runtime = Runtime.for_database(database_url, migrate_schema=False)
    start = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def order_one() -> None:
        start.wait()
        try:
            runtime.command(
                api.credentials.commission_token,
                lambda session, principal: order_recount(
                    session, principal=principal, station_code="001-0001", reason="complaint"
                ),
            )
            outcome = "stored"
        except Conflict as error:
            outcome = error.code
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=order_one) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    runtime.close()
    assert sorted(outcomes) == ["recount_pending"] * 9 + ["stored"]
    assert recounts(api) == 1


def test_search_takes_percent_and_underscore_literally(api: Api) -> None:
    for text in ("%", "_", "%%", "0_1"):
        data = api.client.get("/search.json", params={"q": text}).json()["data"]
        assert data["stations"] == [], text
    assert api.client.get("/search.json", params={"q": "001-0001"}).json()["data"]["stations"]
