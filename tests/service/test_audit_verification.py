"""`audit verify` finds hand edits of the database and says exactly what differs."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import delete, select, update

from tallyroom.domain.audit_chain import AuditEntry
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.audit.row_ledger import ROWS_RECORDED
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    AuditEntryRow,
    CandidateRow,
    CandidateTotalRow,
    ConstituencyTotalRow,
    ElectionRow,
    ProtocolVersionRow,
    StationResultRow,
    TurnoutTotalRow,
)
from tests.station_client import Api, protocol


def discrepancies(api: Api) -> list[str]:
    with transaction(api.sessions) as session:
        return audit_discrepancies(session)


def submitted(api: Api) -> Api:
    assert api.submit(protocol()).status_code == 201
    response = api.client.post(
        "/api/v1/stations/001-0001/turnout",
        json={"as_of": "10:00", "voters": 120},
        headers=api.headers(api.station_token("001-0001")),
    )
    assert response.status_code == 201
    assert discrepancies(api) == []
    return api


def test_a_changed_vote_total(api: Api) -> None:
    submitted(api)
    with transaction(api.sessions) as session:
        candidate = session.scalars(select(CandidateRow).where(CandidateRow.code == "C002")).one()
        session.execute(
            update(CandidateTotalRow)
            .where(CandidateTotalRow.candidate_id == candidate.id)
            .values(votes=CandidateTotalRow.votes + 500)
        )
    assert discrepancies(api) == ["candidate C002: total is 750 votes, protocols add up to 250"]


def test_a_changed_protocol_body(api: Api) -> None:
    submitted(api)
    with transaction(api.sessions) as session:
        version = session.scalars(select(ProtocolVersionRow)).one()
        body = json.loads(version.body)
        body["figures"]["votes"]["C001"] = 900
        version.body = json.dumps(body, separators=(",", ":"), sort_keys=True)
    problems = discrepancies(api)
    assert "station 001-0001 protocol version 1: body does not match its stored hash" in problems
    assert (
        "station 001-0001 protocol version 1: signature does not verify with the station's key"
        in problems
    )
    assert "candidate C001: total is 400 votes, protocols add up to 900" in problems


def test_a_changed_constituency_total(api: Api) -> None:
    submitted(api)
    with transaction(api.sessions) as session:
        session.execute(update(ConstituencyTotalRow).values(ballots_cast=1))
    problems = discrepancies(api)
    assert "constituency 1: ballots_cast total is 1, protocols add up to 760" in problems
    assert "constituency 2: ballots_cast total is 1, protocols add up to 0" in problems


def test_a_counted_result_removed(api: Api) -> None:
    submitted(api)
    with transaction(api.sessions) as session:
        session.execute(delete(StationResultRow))
    problems = discrepancies(api)
    assert "constituency 1: stations_reporting total is 1, protocols add up to 0" in problems


def test_a_changed_turnout_total(api: Api) -> None:
    submitted(api)
    with transaction(api.sessions) as session:
        session.execute(
            update(TurnoutTotalRow)
            .where(TurnoutTotalRow.as_of == "10:00")
            .values(voters=TurnoutTotalRow.voters + 7)
        )
    problems = discrepancies(api)
    assert (
        "constituency 1 turnout at 10:00: total is 127 voters from 1 stations, reports add up "
        "to 120 from 1" in problems
    )


def _submission_entry(api: Api) -> int:
    with transaction(api.sessions) as session:
        return int(
            session.scalars(
                select(AuditEntryRow.sequence).where(AuditEntryRow.action == "protocol.submitted")
            ).one()
        )


def test_an_altered_audit_entry(api: Api) -> None:
    submitted(api)
    sequence = _submission_entry(api)
    with transaction(api.sessions) as session:
        session.execute(
            update(AuditEntryRow)
            .where(AuditEntryRow.sequence == sequence)
            .values(actor="someone else")
        )
    problems = discrepancies(api)
    assert len(problems) == 1
    assert problems[0].startswith(
        f"audit entry {sequence} (protocol.submitted): content was altered"
    )


def test_a_removed_audit_entry(api: Api) -> None:
    submitted(api)
    sequence = _submission_entry(api)
    with transaction(api.sessions) as session:
        session.execute(delete(AuditEntryRow).where(AuditEntryRow.sequence == sequence))
    # The entry recorded the protocol: the gap, the broken link and the unlogged protocol show.
    problems = discrepancies(api)
    for expected in (
        f"audit entry {sequence + 1}: expected sequence {sequence} "
        "(an entry was removed or inserted)",
        f"audit entry {sequence + 1}: previous hash does not match entry {sequence}",
        "station 001-0001 protocol version 1: not in the audit log",
    ):
        assert expected in problems


def test_a_protocol_slipped_in_without_the_log(api: Api) -> None:
    submitted(api)
    with transaction(api.sessions) as session:
        session.execute(delete(AuditEntryRow).where(AuditEntryRow.action == "protocol.submitted"))
    problems = discrepancies(api)
    assert "station 001-0001 protocol version 1: not in the audit log" in problems


def _without_column(entries: list[AuditEntry], table: str, column: str) -> list[AuditEntry]:
    """The log as it stood before a migration added `column` to `table`: no image has it."""
    older = []
    for entry in entries:
        if entry.action == ROWS_RECORDED and entry.payload.get("table") == table:
            rows = [
                {**item, "row": {k: v for k, v in item["row"].items() if k != column}}
                for item in entry.payload["rows"]
            ]
            entry = replace(entry, payload={**entry.payload, "rows": rows})
        older.append(entry)
    return older


def test_a_column_added_by_a_migration_holds_its_default_on_rows_logged_before(api: Api) -> None:
    submitted(api)
    with transaction(api.sessions) as session:
        older = _without_column(audit_log.entries(session), "election", "tie_rule")
        assert row_ledger.ledger_problems(session, older) == []
        # a value other than the one the migration gave every existing row was set behind
        # the log's back
        session.execute(update(ElectionRow).values(tie_rule="older_candidate"))
        problems = row_ledger.ledger_problems(session, older)
        session.rollback()
    assert len(problems) == 1
    assert "column tie_rule: is 'older_candidate', the audit log says None" in problems[0]
