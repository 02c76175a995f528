"""`audit verify` on a played small election: every single-row edit and delete in every
authoritative and derived table is detected and named (table, key, column)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.complaint import ComplaintCategory, ComplaintSubject, ReporterKind
from tallyroom.domain.observer_accreditation import OrganisationKind, read_accreditation_file
from tallyroom.service import audit_tree
from tallyroom.service.audit_verification import audit_discrepancies
from tallyroom.service.certification import certify_contest
from tallyroom.service.complaints import ComplaintFiling, begin_review, file_complaint
from tallyroom.service.credentials import authenticate, revoke_token
from tallyroom.service.exit_polls import (
    Estimate,
    authenticate_pollster,
    issue_pollster_credential,
    submit_estimates,
)
from tallyroom.service.observer_accreditation import (
    Application,
    accredit_observers,
    apply_organisation,
    authenticate_observer,
)
from tallyroom.service.observer_copies import submit_copy
from tallyroom.service.protocols import annul_station, order_recount
from tallyroom.service.stored_files import checked
from tallyroom.service.webcams import derive_outages, record_heartbeats, register_webcams
from tallyroom.store.database import transaction
from tallyroom.store.schema import TABLE_KINDS, Base
from tests.polled_election import figures, poll_small_election
from tests.station_client import Api, protocol

LATER = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def played(api: Api) -> sessionmaker[Session]:
    """The small election played: protocols (one amended, one left flagged), turnout, a
    certification, an annulment, a recount order, a revoked token, a signed tree head."""
    poll_small_election(api)
    flagged = protocol(
        "001-0002",
        version=2,
        amendment_reason="recounted",
        figures=replace(
            figures(
                {"C001": 210, "C002": 300, "C003": 50},
                registered=800,
                issued_in_station=560,
                portable=10,
                invalid=10,
            ),
            unused_ballots=1,
        ),
    )
    assert api.submit(flagged).json()["status"] == "flagged"
    with transaction(api.sessions) as session:
        commission = authenticate(session, api.credentials.commission_token)
        certify_contest(session, principal=commission, constituency_number=2)
        annul_station(session, principal=commission, station_code="001-0003", reason="stuffing")
        order_recount(session, principal=commission, station_code="001-0001", reason="asked")
        revoke_token(session, principal=commission, token=api.credentials.observer_token)
        _observe_and_complain(session, commission)
        key = audit_tree.create_tree_head_key(session, actor="commission")
    with transaction(api.sessions) as session:
        audit_tree.sign_tree_head(session, key)
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []
    return api.sessions


def _observe_and_complain(session: Session, commission: Any) -> None:
    """An organisation's application, accredited observers, an observer's copy with a photo,
    a complaint with an attachment under review (rows for every observers' table)."""
    apply_organisation(
        session, Application("ep-x", "Poll", OrganisationKind.EXIT_POLL, "AZ", None, "Firm", "IT")
    )
    requests, _ = read_accreditation_file(
        "code,full_name,kind,organisation,country,represents,stations\n"
        "O0004,Anna Schmidt,international,osce-odihr,DE,,001-0001;002-0001\n"
    )
    (issued,) = accredit_observers(session, principal=commission, requests=requests)
    observer = authenticate_observer(session, issued.credential)
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, format="PNG")
    photo = checked(png.getvalue(), declared_type="image/png")
    submit_copy(
        session,
        observer=observer,
        station_code="001-0001",
        figures={"registered_voters": 1, "votes": {"C001": 1}},
        photo=photo,
    )
    filing = ComplaintFiling(
        ComplaintCategory.OTHER, ComplaintSubject.STATION, "x", ReporterKind.VOTER, "001-0002"
    )
    tracking = file_complaint(session, filing, attachments=[photo]).tracking_number
    begin_review(session, principal=commission, tracking=tracking, reason="looking")
    pollster = authenticate_pollster(
        session, issue_pollster_credential(session, principal=commission, code="ep-az")
    )
    submit_estimates(
        session, pollster=pollster, estimates=[Estimate("001-0002", 60.0, {"C001": 30.0})]
    )
    register_webcams(session, principal=commission, cameras=[("001-0001", "https://cam/1")])
    record_heartbeats(session, principal=commission, stations=["001-0001"])
    derive_outages(session, principal=commission, until=datetime.now(UTC))


def _pk(table: str) -> list[Any]:
    return list(Base.metadata.tables[table].primary_key.columns)


def _first(session: Session, table: str, where: Any = None) -> Any:
    stored = Base.metadata.tables[table]
    query = select(stored).order_by(*_pk(table)).limit(1)
    if where is not None:
        query = query.where(where)
    return session.execute(query).mappings().one()


def _shifted(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if value is None:
        return LATER
    return f"{value}x" if len(value) < 7 else value[:-1] + ("0" if value[-1] != "0" else "1")


def _columns(table: str) -> Any:
    return Base.metadata.tables[table].columns


#: (table, column edited, which row: a where-clause on the table or None for the first)
EDITS: list[tuple[str, str, Any]] = [
    ("election", "seats", None),
    ("constituency", "name", None),
    ("contest", "certified_at", lambda c: c.certified_at.is_(None)),
    ("polling_station", "registered_voters", None),
    ("party", "name", None),
    ("candidate", "party_id", lambda c: c.party_id.is_not(None)),
    ("organisation", "name", None),
    ("observer", "full_name", None),
    ("observer_station", "station_id", None),
    ("exit_poll_sample", "station_id", None),
    ("station_key", "public_key", None),
    ("access_token", "role", lambda c: c.role == "station"),
    ("access_token", "revoked_at", lambda c: c.revoked_at.is_not(None)),
    ("protocol_version", "status", lambda c: c.status == "flagged"),
    ("protocol_version", "submitted_at", None),
    ("station_result", "registered_voters", None),
    ("station_decision", "kind", None),
    ("constituency_total", "ballots_cast", None),
    ("candidate_total", "votes", None),
    ("turnout_report", "voters", None),
    ("turnout_report", "received_at", None),
    ("turnout_total", "voters", None),
    ("audit_entry", "payload", None),
    ("audit_head", "sequence", None),
    ("tree_head_key", "public_key", None),
    ("signed_tree_head", "root_hash", None),
    ("personal_data_salt", "salt", None),
    ("organisation_application", "status", None),
    ("observer_accreditation", "credential_hash", None),
    ("stored_file", "media_type", None),
    ("observer_protocol_copy", "figures", None),
    ("complaint", "status", None),
    ("complaint", "description", None),
    ("complaint_step", "reason", None),
    ("complaint_attachment", "published", None),
    ("organisation_credential", "credential_hash", None),
    ("exit_poll_estimate", "shares", None),
    ("webcam", "viewing_url", None),
    ("webcam_outage", "ended_at", None),
]
#: what a problem about each table says when it is not "table <name>"
NAMED: dict[str, str] = {
    "constituency_total": "constituency ",
    "candidate_total": "candidate ",
    "turnout_total": "turnout at",
    "audit_entry": "audit entry",
    "audit_head": "audit head",
    "personal_data_salt": "column full_name",
}


def _tampered(sessions: sessionmaker[Session], change: Any) -> Iterator[list[str]]:
    with sessions() as session:
        try:
            change(session)
            session.flush()
        except IntegrityError:
            session.rollback()
            yield ["refused by the database's own constraints"]
            return
        yield audit_discrepancies(session)
        session.rollback()


def test_every_authoritative_and_derived_table_is_tampered_with() -> None:
    kept = {name for name, kind in TABLE_KINDS.items() if kind != "ephemeral"}
    assert kept - {table for table, _, _ in EDITS} == set()


@pytest.mark.parametrize(("table", "column", "where"), EDITS, ids=[f"{t}.{c}" for t, c, _ in EDITS])
def test_an_edited_row_is_named(
    played: sessionmaker[Session], table: str, column: str, where: Any
) -> None:
    stored = Base.metadata.tables[table]

    def change(session: Session) -> None:
        row = _first(session, table, None if where is None else where(stored.c))
        value = _other_party(session, row) if table == "candidate" else _shifted(row[column])
        key = {pk.name: row[pk.name] for pk in _pk(table)}
        session.execute(
            update(stored)
            .where(*(stored.c[name] == v for name, v in key.items()))
            .values({column: value})
        )

    for problems in _tampered(played, change):
        assert problems, f"editing {table}.{column} went unnoticed"
        if problems != ["refused by the database's own constraints"]:
            named = NAMED.get(table, f"table {table}")
            assert any(named in problem for problem in problems), problems


def _other_party(session: Session, candidate: Any) -> int:
    parties = Base.metadata.tables["party"]
    return int(
        session.execute(
            select(parties.c.id).where(parties.c.id != candidate["party_id"]).limit(1)
        ).scalar_one()
    )


DELETES = sorted({table for table, _, _ in EDITS} - {"personal_data_salt"})


@pytest.mark.parametrize("table", DELETES)
def test_a_deleted_row_is_named(played: sessionmaker[Session], table: str) -> None:
    stored = Base.metadata.tables[table]

    def change(session: Session) -> None:
        row = _first(session, table)
        session.execute(
            delete(stored).where(*(stored.c[pk.name] == row[pk.name] for pk in _pk(table)))
        )

    for problems in _tampered(played, change):
        assert problems, f"deleting a {table} row went unnoticed"
        if problems != ["refused by the database's own constraints"]:
            named = NAMED.get(table, f"table {table}")
            assert any(named in problem for problem in problems), problems


def test_a_forged_annulment_and_a_deleted_flagged_version_are_named(
    played: sessionmaker[Session],
) -> None:
    decisions = Base.metadata.tables["station_decision"]
    versions = Base.metadata.tables["protocol_version"]

    def forge(session: Session) -> None:
        session.execute(
            insert(decisions).values(station_id=1, kind="annulled", reason="x", decided_at=LATER)
        )

    for problems in _tampered(played, forge):
        assert any("table station_decision" in p and "not in the audit log" in p for p in problems)

    def drop_flagged(session: Session) -> None:
        session.execute(delete(versions).where(versions.c.status == "flagged"))

    for problems in _tampered(played, drop_flagged):
        assert any(
            "table protocol_version, key station 001-0002 version 2: row deleted" in p
            for p in problems
        ), problems
