"""A protocol entered by two clerks in turn is recorded as such in the audit log, once."""

from __future__ import annotations

from sqlalchemy import select

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow
from tests.station_client import Api, protocol


def double_entries(api: Api) -> list[str]:
    with transaction(api.sessions) as session:
        return list(
            session.scalars(
                select(AuditEntryRow.payload).where(
                    AuditEntryRow.action == "protocol.double_entered"
                )
            )
        )


def test_two_clerk_entry_is_recorded_once(api: Api) -> None:
    envelope = api.signed(protocol()) | {"entry": "two_clerks"}
    headers = api.headers(api.station_token("001-0001"))
    first = api.client.post("/api/v1/protocols", json=envelope, headers=headers)
    assert first.status_code == 201, first.text
    again = api.client.post("/api/v1/protocols", json=envelope, headers=headers)
    assert again.status_code == 200
    assert len(double_entries(api)) == 1
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_anything_else_in_entry_records_nothing(api: Api) -> None:
    headers = api.headers(api.station_token("001-0001"))
    for entry in ("one_clerk", 2, None, {"clerks": 2}):
        document = protocol()
        api.client.post(
            "/api/v1/protocols", json=api.signed(document) | {"entry": entry}, headers=headers
        )
    assert double_entries(api) == []
