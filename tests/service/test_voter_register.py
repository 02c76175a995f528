"""The voter register: loaded in chunks logged as salted hashes, counted, refused whole on bad
input, purged only after certification, and explained by the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.service.audit import audit_log
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.errors import Conflict, InvalidInput
from tallyroom.service.register.voter_register import (
    export_rows,
    extract_rows,
    load_register,
    purge_register,
    register_statistics,
    remove_voter,
)
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, ContestRow, VoterRow
from tests.register_fixture import load_small_register, small_register


@pytest.fixture
def registered(loaded_election: sessionmaker[Session]) -> sessionmaker[Session]:
    load_small_register(loaded_election)
    return loaded_election


def test_the_figures_are_counted_from_the_register(registered: sessionmaker[Session]) -> None:
    with transaction(registered) as session:
        figures = register_statistics(session)
    assert figures["voters"] == 2_750
    assert figures["turning_18_on_polling_day"] == 3  # the stations' turning_18 column
    assert figures["first_time_voters"] == round(2_750 * 51_141 / 6_421_960)
    assert (figures["oldest_female_age"], figures["oldest_male_age"]) == (134, 109)
    assert figures["stations_differing_from_definition"] == 0


def test_the_audit_log_holds_no_personal_data(registered: sessionmaker[Session]) -> None:
    with transaction(registered) as session:
        logged = " ".join(session.scalars(select(AuditEntryRow.payload)))
        voter = session.scalars(select(VoterRow).limit(1)).one()
        entries = [e for e in audit_log.entries(session) if e.action == "register.chunk_loaded"]
    assert voter.voter_number not in logged
    assert voter.surname not in logged
    assert len(entries) == 3  # 2,750 rows in chunks of 1,000
    assert all(len(e.payload["hmac_sha256"]) == 64 for e in entries)


def test_a_bad_row_refuses_the_whole_load(loaded_election: sessionmaker[Session]) -> None:
    rows = [list(row) for chunk in small_register(loaded_election).chunks() for row in chunk]
    rows[2_000][5] = "1990-02-30"
    with pytest.raises(InvalidInput, match="line 2002"), transaction(loaded_election) as session:
        load_register(session, actor="test", lines=rows, chunk_rows=500)
    rows[2_000][5] = "1990-02-28"
    rows[2_500][0] = rows[10][0]  # one id twice
    with pytest.raises(Conflict, match="twice"), transaction(loaded_election) as session:
        load_register(session, actor="test", lines=rows, chunk_rows=500)
    with transaction(loaded_election) as session:
        assert session.scalar(select(func.count()).select_from(VoterRow)) == 0
        assert audit_discrepancies(session) == []


@pytest.mark.parametrize(
    "change",
    [
        {"surname": "Başqası"},
        {"station_id": 4},
        {"status": "removed"},
        {"birth_date": datetime(1950, 1, 1).date()},
    ],
)
def test_an_edited_voter_is_named(registered: sessionmaker[Session], change: dict) -> None:
    with registered() as session:
        session.execute(update(VoterRow).where(VoterRow.id == 1_500).values(change))
        problems = audit_discrepancies(session)
        session.rollback()
    assert any("table voter, chunk 2" in problem for problem in problems), problems


def test_a_deleted_or_added_voter_is_named(registered: sessionmaker[Session]) -> None:
    with registered() as session:
        session.execute(delete(VoterRow).where(VoterRow.chunk == 3))
        problems = audit_discrepancies(session)
        session.rollback()
    assert problems == ["table voter, chunk 3: rows deleted (the audit log records them)"]
    with registered() as session:
        session.execute(update(VoterRow).where(VoterRow.id == 7).values(chunk=99))
        problems = audit_discrepancies(session)
        session.rollback()
    assert "table voter, chunk 99: rows not in the audit log" in problems


def test_a_removal_is_audited_and_uncounted(registered: sessionmaker[Session]) -> None:
    with transaction(registered) as session:
        number = session.scalars(select(VoterRow.voter_number).where(VoterRow.id == 20)).one()
        remove_voter(session, actor="test", voter_number=str(number), reason="died 2024-05-01")
    with transaction(registered) as session:
        assert register_statistics(session)["voters"] == 2_749
        assert audit_discrepancies(session) == []
        assert number not in " ".join(session.scalars(select(AuditEntryRow.payload)))


def test_export_and_the_public_extract(registered: sessionmaker[Session]) -> None:
    with transaction(registered) as session:
        full = list(export_rows(session))
        extract = list(extract_rows(session))
    assert len(full) == len(extract) == 2_750
    assert full[0][0].startswith("AZE")
    assert all(len(row) == 7 and len(row[4]) == 4 for row in extract)  # birth year only
    ids = {row[0] for row in full}
    assert not any(field in ids for row in extract for field in row)


def test_the_purge_waits_for_certification(registered: sessionmaker[Session]) -> None:
    with pytest.raises(Conflict, match="certified"), transaction(registered) as session:
        purge_register(session, actor="test")
    certified = datetime(2024, 9, 10, tzinfo=UTC)
    with transaction(registered) as session:
        session.execute(update(ContestRow).values(certified_at=certified))
    with pytest.raises(Conflict, match="kept until"), transaction(registered) as session:
        purge_register(session, actor="test", now=certified + timedelta(days=10))
    with transaction(registered) as session:
        assert purge_register(session, actor="test", now=certified + timedelta(days=91)) == 2_750
    with transaction(registered) as session:
        assert session.scalar(select(func.count()).where(VoterRow.surname.is_not(None))) == 0
        assert any(e.action == "register.purged" for e in audit_log.entries(session))
        # the contest edit above is outside the log; the voter chunks are explained again
        assert not [p for p in audit_discrepancies(session) if "table voter" in p]
