"""`audit verify` on a played small election: every single-row edit and delete in every
authoritative and derived table is detected and named (table, key, column)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.complaint import ComplaintCategory, ComplaintSubject, ReporterKind
from tallyroom.domain.decision_policy import DecisionKind
from tallyroom.domain.observer_accreditation import OrganisationKind, read_accreditation_file
from tallyroom.domain.protocol_document import document_of
from tallyroom.domain.signature import public_key_hex
from tallyroom.service.audit import audit_tree, row_ledger
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import authenticate, revoke_token
from tallyroom.service.definition.station_enrolment import enrol_station, issue_enrolment_code
from tallyroom.service.people.people import PersonRole, SecondFactor, create_person
from tallyroom.service.protocols.commission_decisions import decide
from tallyroom.service.protocols.protocols import annul_station, order_recount
from tallyroom.service.results.certification import certify_contest
from tallyroom.service.results.runoffs import define_runoff
from tallyroom.service.watchers.complaints import ComplaintFiling, begin_review, file_complaint
from tallyroom.service.watchers.exit_polls import (
    Estimate,
    authenticate_pollster,
    issue_pollster_credential,
    submit_estimates,
)
from tallyroom.service.watchers.observer_accreditation import (
    Application,
    accredit_observers,
    apply_organisation,
    authenticate_observer,
)
from tallyroom.service.watchers.observer_copies import submit_copy
from tallyroom.service.watchers.stored_files import checked
from tallyroom.service.watchers.webcams import derive_outages, record_heartbeats, register_webcams
from tallyroom.store.database import transaction
from tallyroom.store.schema import TABLE_KINDS, Base, DrawnLotRow, ElectionRow, VoterRow
from tests.polled_election import figures, poll_small_election
from tests.register_fixture import load_small_register
from tests.station_client import Api, protocol, small_election_api

LATER = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def played_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    """The played election, built once for the module: every case edits or deletes inside a
    transaction it rolls back (`_tampered`), so each starts from the same stored state."""
    with small_election_api(tmp_path_factory.mktemp("played")) as api:
        play(api)
        yield api.sessions


@pytest.fixture
def played(played_once: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    """The played election, checked intact after each case (no change outlived its case)."""
    yield played_once
    with played_once() as session:
        assert audit_discrepancies(session) == [], "a tampering case left its change behind"


def play(api: Api) -> None:
    """The small election played: protocols (one amended, one left flagged), turnout, a
    certification and the round 2 defined from it, an annulment, a recount order, a revoked
    token, a signed tree head."""
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
        key = audit_tree.create_tree_head_key(session, actor="commission")
        _make_constituency_2_two_round(session)
        certify_contest(session, principal=commission, constituency_number=2, signing_key=key)
        define_runoff(
            session,
            principal=commission,
            contest="constituency-2",
            withdrawals=["C005"],
            reason="C005 withdrew",
            polling_date=date(2024, 9, 15),
        )
    # A station's round-2 protocol (a row of runoff_protocol).
    round_two = document_of(
        election="small-2024",
        station="002-0001",
        version=1,
        contest="constituency-2/round-2",
        figures=figures(
            {"C004": 300}, registered=600, issued_in_station=310, portable=0, invalid=10
        ),
    )
    assert api.submit(round_two).status_code == 201
    # ... and its turnout on round 2's own polling day (a row of runoff_turnout_report).
    round_two_turnout = api.client.post(
        "/api/v1/stations/002-0001/turnout",
        json={"as_of": "10:00", "voters": 120, "contest": "constituency-2/round-2"},
        headers=api.headers(api.station_token("002-0001")),
    )
    assert round_two_turnout.status_code == 201, round_two_turnout.text
    with transaction(api.sessions) as session:
        commission = authenticate(session, api.credentials.commission_token)
        annul_station(session, principal=commission, station_code="001-0003", reason="stuffing")
        order_recount(session, principal=commission, station_code="001-0001", reason="asked")
        revoke_token(session, principal=commission, token=api.credentials.observer_token)
        # A recount under four-eyes, proposed and waiting for its second person.
        session.execute(update(ElectionRow).values(four_eyes_decisions="recount"))
        row_ledger.record_rows(session, actor="commission", table="election")
        decide(
            session,
            principal=commission,
            station_code="001-0002",
            kind=DecisionKind.RECOUNT,
            reason="a candidate asks",
        )
        create_person(
            session,
            principal=None,
            login="leyla",
            full_name="Leyla Həsənova",
            email="leyla@example.org",
            role=PersonRole.COMMISSION_MEMBER,
            constituency=None,
            password="correct horse battery",
            second_factor=SecondFactor.TOTP,
        )
        # A lost phone: a new enrolment code, and a device enrolling its own key with it.
        code = issue_enrolment_code(session, principal=commission, station_code="002-0001")
        enrol_station(
            session,
            station_code="002-0001",
            code=code,
            public_key=public_key_hex(Ed25519PrivateKey.generate()),
            election_id=commission.election_id,
        )
        _observe_and_complain(session, commission)
        _record_a_lot(session, commission.election_id)
        key = audit_tree.create_tree_head_key(session, actor="commission")
    with transaction(api.sessions) as session:
        audit_tree.sign_tree_head(session, key)
    play_poll_book(api)
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def _record_a_lot(session: Session, election_id: int) -> None:
    """A confirmed lot as service/results/lot_entry.py stores it (row and ledger image); the
    played election has no tie to draw for, and the ledger is what is checked here."""
    lot = DrawnLotRow(
        election_id=election_id,
        seat="constituency-1 seat 1",
        between="C001;C002",
        won_by="C002",
        account="drawn from an urn in public",
        entered_by="commission:commission",
        entered_at=datetime(2024, 9, 3, 10, tzinfo=UTC),
        state="confirmed",
        confirmed_by="commission:person-2",
        confirmed_at=datetime(2024, 9, 3, 10, 5, tzinfo=UTC),
    )
    session.add(lot)
    session.flush()
    row_ledger.record_rows(session, actor="commission", table="drawn_lot", keys=[[lot.id]])


def _make_constituency_2_two_round(session: Session) -> None:
    """Constituency 2 by two-round majority with 1,300 registered: C004's 300 of 450 valid
    votes are a majority short of a quarter of the registered, so round 2 is C004 and C005
    (rows for the runoff tables)."""
    constituency = Base.metadata.tables["constituency"]
    contests = Base.metadata.tables["contest"]
    stations = Base.metadata.tables["polling_station"]
    second = select(constituency.c.id).where(constituency.c.number == 2).scalar_subquery()
    session.execute(
        update(contests)
        .where(contests.c.constituency_id == second)
        .values(kind="two_round_majority")
    )
    session.execute(
        update(stations).where(stations.c.code == "002-0001").values(registered_voters=1300)
    )
    row_ledger.record_rows(session, actor="commission", table="contest")
    row_ledger.record_rows(session, actor="commission", table="polling_station")


def play_poll_book(api: Api) -> None:
    """The register loaded; an absentee certificate issued and used, a day-of addition, and a
    double vote from an offline desk (an incident)."""
    load_small_register(api.sessions)
    with transaction(api.sessions) as session:
        voters = session.scalars(
            select(VoterRow.voter_number).where(VoterRow.station_id == 1).limit(20)
        ).all()
    station = api.headers(api.station_token("001-0001"))
    api.client.post(
        "/api/v1/register/absentee-certificates",
        json={"voter": voters[10], "number": "AC-1"},
        headers=api.commission,
    )
    used = api.client.post(
        "/api/v1/pollbook/check-ins",
        json={"voter": voters[10], "client_reference": "a", "certificate": "AC-1"},
        headers=api.headers(api.station_token("001-0002")),
    )
    assert used.status_code == 201, used.text
    added = api.client.post(
        "/api/v1/pollbook/additions",
        json={
            "voter": "AZE99000001",
            "full_name": "Məmmədov Elçin Rauf oğlu",
            "birth_date": "1980-05-04",
            "legal_reason": "court_decision",
            "client_reference": "b",
        },
        headers=station,
    )
    assert added.status_code == 201, added.text
    for reference in ("c", "d"):
        api.client.post(
            "/api/v1/pollbook/check-ins/batch",
            json={"check_ins": [{"voter": voters[12], "client_reference": reference}]},
            headers=station,
        )
    # two enrolled desks, one checking a voter in, the other revoked
    for _ in range(2):
        code = api.client.post(
            "/api/v1/stations/001-0001/poll-book-codes", headers=api.commission
        ).json()["code"]
        desk = api.client.post(
            "/api/v1/pollbook/enrolments",
            json={
                "station": "001-0001",
                "code": code,
                "public_key": public_key_hex(Ed25519PrivateKey.generate()),
            },
        )
        assert desk.status_code == 201, desk.text
    checked = api.client.post(
        "/api/v1/pollbook/check-ins",
        json={"voter": voters[13], "client_reference": "e"},
        headers=api.headers(desk.json()["token"]),
    )
    assert checked.status_code == 201, checked.text
    revoked = api.client.post(
        "/api/v1/stations/001-0001/poll-book-desks/1/revocation",
        json={"reason": "lost"},
        headers=api.commission,
    )
    assert revoked.status_code == 201, revoked.text


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
    ("station_key", "made", lambda c: c.made == "device"),
    ("station_enrolment", "code_hash", None),
    ("station_enrolment", "used_at", None),
    ("station_enrolment", "purpose", lambda c: c.purpose == "poll_book"),
    ("poll_book_device", "public_key", None),
    ("poll_book_device", "revoked_at", lambda c: c.revoked_at.is_not(None)),
    ("poll_book_device", "number", lambda c: c.revoked_at.is_(None)),
    ("access_token", "role", lambda c: c.role == "station"),
    ("access_token", "revoked_at", lambda c: c.revoked_at.is_not(None)),
    ("protocol_version", "status", lambda c: c.status == "flagged"),
    ("protocol_version", "submitted_at", None),
    ("protocol_version", "decided_at", None),
    ("protocol_version", "contest_id", None),
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
    ("certification", "signature", None),
    ("proposed_decision", "reason", None),
    ("person", "role", None),
    ("person", "full_name", None),
    ("person", "password_hash", None),
    ("person", "deactivated_at", None),
    ("voter", "surname", None),
    ("voter", "status", None),
    ("absentee_certificate", "number", None),
    ("absentee_certificate", "used_at", None),
    ("voter_addition", "full_name", None),
    ("voter_addition", "legal_reason", None),
    ("check_in", "identity_match", None),
    ("check_in", "station_id", None),
    ("double_vote_incident", "status", None),
    ("double_vote_incident", "complaint_id", None),
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
    ("drawn_lot", "won_by", None),
    ("drawn_lot", "state", None),
    ("runoff", "reason", None),
    ("runoff", "contest_id", None),
    ("runoff_candidate", "status", None),
    ("runoff_candidate", "round_one_votes", None),
    ("runoff_protocol", "body", None),
    ("runoff_protocol", "status", None),
    ("runoff_turnout_report", "voters", None),
    ("runoff_turnout_report", "status", None),
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


def _tampered(sessions: sessionmaker[Session], change: Any) -> list[str]:
    """What `audit verify` says about the played election with `change` made; the change is
    rolled back before this returns, whatever happens."""
    with sessions() as session:
        try:
            try:
                change(session)
                session.flush()
            except IntegrityError:
                return ["refused by the database's own constraints"]
            return audit_discrepancies(session)
        finally:
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

    problems = _tampered(played, change)
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

    problems = _tampered(played, change)
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

    problems = _tampered(played, forge)
    assert any("table station_decision" in p and "not in the audit log" in p for p in problems)

    def drop_flagged(session: Session) -> None:
        session.execute(delete(versions).where(versions.c.status == "flagged"))

    problems = _tampered(played, drop_flagged)
    assert any(
        "table protocol_version, key station 001-0002 version 2: row deleted" in p for p in problems
    ), problems


#: (table, moment column, the column keying a row within its station)
MOMENTS = [
    ("protocol_version", "submitted_at", "version"),
    ("protocol_version", "decided_at", "version"),
    ("turnout_report", "received_at", "as_of"),
]


@pytest.mark.parametrize(("table", "column", "within"), MOMENTS, ids=[c for _, c, _ in MOMENTS])
def test_every_rows_moment_is_checked(
    played: sessionmaker[Session], table: str, column: str, within: str
) -> None:
    """Not just the first row: each stored version and report, edited alone, is named."""
    stored = Base.metadata.tables[table]
    stations = Base.metadata.tables["polling_station"]
    with played() as session:
        rows = (
            session.execute(
                select(stored.c.id, stored.c[column], stored.c[within], stations.c.code).join(
                    stations, stations.c.id == stored.c.station_id
                )
            )
            .tuples()
            .all()
        )
    assert len(rows) > 1
    for row_id, moment, key, code in rows:

        def change(session: Session, row_id: int = row_id, moment: Any = moment) -> None:
            session.execute(
                update(stored).where(stored.c.id == row_id).values({column: _shifted(moment)})
            )

        words = "version" if within == "version" else "as of"
        place = f"table {table}, key station {code} {words} {key}, column {column}"
        problems = _tampered(played, change)
        assert any(place in problem for problem in problems), (place, problems)


def test_a_swapped_or_deleted_protocol_photo_is_named(api: Api) -> None:
    """The photo of a signed paper protocol lives in stored_file under its SHA-256: other
    bytes under that name, or the row gone, are named by audit verify."""
    from tests.api.test_protocol_photo import jpeg, send_photo, signed_with_photo

    photo = jpeg(colour="teal")
    digest = hashlib.sha256(photo).hexdigest()
    assert api.submit(signed_with_photo(photo)).status_code == 201
    assert send_photo(api, photo).status_code == 201
    stored = Base.metadata.tables["stored_file"]
    with api.sessions() as session:
        assert audit_discrepancies(session) == []

    def swap(session: Session) -> None:
        other = jpeg(colour="maroon")
        session.execute(
            update(stored).where(stored.c.sha256 == digest).values(content=other, size=len(other))
        )

    def drop(session: Session) -> None:
        session.execute(delete(stored).where(stored.c.sha256 == digest))

    for change in (swap, drop):
        problems = _tampered(api.sessions, change)
        assert any("stored_file" in problem or "stored file" in problem for problem in problems), (
            problems
        )
