"""What the observer's phone and the definition add to complaints: deadlines per category
from the definition (exported back; the default table where it names none), a copy or a
complaint sent again with the same idempotency key stored once, and a complaint citing an
outage of its station's camera, shown both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.definition.layout import ELECTION_FILE
from tallyroom.definition.problems import DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.domain.complaint import DEADLINES, ComplaintCategory, ComplaintSubject, ReporterKind
from tallyroom.domain.observer_accreditation import read_accreditation_file
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.errors import Conflict, InvalidInput
from tallyroom.service.watchers.complaints import (
    ComplaintFiling,
    complaint_register,
    file_complaint,
)
from tallyroom.service.watchers.observer_accreditation import (
    accredit_observers,
    authenticate_observer,
)
from tallyroom.service.watchers.observer_copies import submit_copy
from tallyroom.service.watchers.webcams import (
    derive_outages,
    record_heartbeats,
    register_webcams,
    station_webcam,
)
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    AuditEntryRow,
    ComplaintRow,
    ObserverProtocolCopyRow,
    PollingStationRow,
    WebcamOutageRow,
)

FILED = datetime(2024, 9, 1, 12, tzinfo=UTC)


def filing(category: ComplaintCategory, **more: Any) -> ComplaintFiling:
    return ComplaintFiling(
        **{
            "category": category,
            "about": ComplaintSubject.STATION,
            "station": "001-0001",
            "description": "Something happened at the station.",
            "reporter_kind": ReporterKind.VOTER,
            **more,
        }
    )


def with_deadlines(small_election: Path, text: str) -> Path:
    election = small_election / ELECTION_FILE
    election.write_text(election.read_text() + text)
    return small_election


def test_deadlines_come_from_the_definition_and_go_back_with_its_export(
    sessions: sessionmaker[Session], small_election: Path, tmp_path: Path
) -> None:
    source = with_deadlines(
        small_election, "  complaints: {deadline_days: {multiple_voting: 1, other: 10}}\n"
    )
    with transaction(sessions) as session:
        define_election(session, definition=read_definition(source), digest="0" * 64, actor="test")
    with transaction(sessions) as session:
        for category in (
            ComplaintCategory.MULTIPLE_VOTING,
            ComplaintCategory.OTHER,
            ComplaintCategory.BALLOT_STUFFING,
        ):
            file_complaint(session, filing(category), now=FILED)
        due = {
            ComplaintCategory(row.category): row.due_at.replace(tzinfo=UTC) - FILED
            for row in session.scalars(select(ComplaintRow))
        }
        # named in the definition: its days; not named: the default table
        assert due[ComplaintCategory.MULTIPLE_VOTING] == timedelta(days=1)
        assert due[ComplaintCategory.OTHER] == timedelta(days=10)
        assert (
            due[ComplaintCategory.BALLOT_STUFFING] == DEADLINES[ComplaintCategory.BALLOT_STUFFING]
        )
        overdue = {
            c.category: c.overdue
            for c in complaint_register(session, now=FILED + timedelta(days=1, hours=1))
        }
        assert overdue == {"multiple_voting": True, "other": False, "ballot_stuffing": False}
        exported = stored_definition(session)
    written = tmp_path / "exported"
    write_definition(exported, written)
    assert (written / ELECTION_FILE).read_bytes() == (source / ELECTION_FILE).read_bytes()
    assert read_definition(written).election.complaint_deadline_days == (
        (ComplaintCategory.MULTIPLE_VOTING, 1),
        (ComplaintCategory.OTHER, 10),
    )


def test_an_election_without_deadlines_exports_none(
    loaded_election: sessionmaker[Session], tmp_path: Path
) -> None:
    with transaction(loaded_election) as session:
        write_definition(stored_definition(session), tmp_path)
    assert "complaints" not in (tmp_path / ELECTION_FILE).read_text()


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ("  complaints: {deadline_days: {vote_buying: 2}}\n", "not a complaint category"),
        ("  complaints: {deadline_days: {other: 0}}\n", "from 1 to 90 days"),
        ("  complaints: {deadline_days: {other: 2.5}}\n", "whole number"),
        ("  complaints: {deadline_days: [2, 3]}\n", "deadline_days must map"),
        ("  complaints: {deadlines: {other: 2}}\n", "one key deadline_days"),
    ],
    ids=["unknown-category", "zero", "fraction", "list", "unknown-key"],
)
def test_a_malformed_deadline_is_refused_with_its_line(
    small_election: Path, section: str, problem: str
) -> None:
    source = with_deadlines(small_election, section)
    line = len((source / ELECTION_FILE).read_text().splitlines())
    with pytest.raises(DefinitionError) as refused:
        read_definition(source)
    assert f"{ELECTION_FILE}:{line}: election.complaints" in str(refused.value)
    assert problem in str(refused.value)


def observers(session: Session, credentials: Any) -> tuple[Any, Any]:
    commission = authenticate(session, credentials.commission_token)
    requests, _ = read_accreditation_file(
        "code,full_name,kind,organisation,country,represents,stations\n"
        "O9003,Elvin Mustafayev,local_ngo,seçki-izləmə,AZ,,001-0001\n"
        "O9004,Anna Schmidt,international,osce-odihr,DE,,001-0001;002-0001\n"
    )
    ngo, osce = accredit_observers(session, principal=commission, requests=requests)
    return ngo, osce


KEY = "0f4d2c1e-8b7a-4c3d-9e2f-123456789abc"


def test_sent_again_with_its_key_a_copy_or_complaint_is_stored_once(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    with transaction(loaded_election) as session:
        ngo, osce = observers(session, credentials)
    for attempt in range(3):
        with transaction(loaded_election) as session:
            observer = authenticate_observer(session, ngo.credential)
            complaint = file_complaint(
                session,
                filing(ComplaintCategory.OTHER),
                observer=observer,
                idempotency_key=KEY,
            )
            copy = submit_copy(
                session,
                observer=observer,
                station_code="001-0001",
                figures={"votes": {"C001": 400 + attempt}},
                idempotency_key=KEY,
            )
            assert complaint.tracking_number.endswith("C000001")
            assert copy.id == 1
    with transaction(loaded_election) as session:
        assert session.scalar(select(func.count(ComplaintRow.id))) == 1
        assert session.scalar(select(func.count(ObserverProtocolCopyRow.id))) == 1
        actions = list(session.scalars(select(AuditEntryRow.action)))
        assert actions.count("complaint.filed") == 1
        assert actions.count("observer_copy.submitted") == 1
        # another observer's copy with the same key is their own copy
        other = authenticate_observer(session, osce.credential)
        assert (
            submit_copy(
                session,
                observer=other,
                station_code="001-0001",
                figures={"votes": {"C001": 1}},
                idempotency_key=KEY,
            ).id
            == 2
        )
        # but a complaint's key is the election's: someone else reusing it is refused
        with pytest.raises(Conflict):
            file_complaint(
                session, filing(ComplaintCategory.OTHER), observer=other, idempotency_key=KEY
            )
        for bad in ("short", "x" * 65, "has space in it 123456", "ключ-ключ-ключ-ключ"):
            with pytest.raises(InvalidInput):
                file_complaint(session, filing(ComplaintCategory.OTHER), idempotency_key=bad)
            with pytest.raises(InvalidInput):
                submit_copy(
                    session,
                    observer=other,
                    station_code="001-0001",
                    figures={"votes": {}},
                    idempotency_key=bad,
                )
        assert audit_discrepancies(session) == []


def test_a_system_check_files_a_complaint_in_its_own_name(
    loaded_election: sessionmaker[Session],
) -> None:
    incident = filing(ComplaintCategory.MULTIPLE_VOTING, reporter_kind=ReporterKind.SYSTEM)
    with transaction(loaded_election) as session:
        # the public cannot file as the system, nor the system as the public
        with pytest.raises(InvalidInput):
            file_complaint(session, incident)
        with pytest.raises(InvalidInput):
            file_complaint(
                session, filing(ComplaintCategory.MULTIPLE_VOTING), actor="register:double-vote"
            )
        row = file_complaint(
            session,
            incident,
            actor="register:double-vote",
            idempotency_key="double-vote-001-0001-000042",
        )
        again = file_complaint(
            session,
            incident,
            actor="register:double-vote",
            idempotency_key="double-vote-001-0001-000042",
        )
        assert row.reporter_kind == "system"
        assert again.id == row.id
        (entry,) = session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "complaint.filed")
        )
        assert entry.actor == "register:double-vote"


OPENS = datetime(2024, 9, 1, 4, 0, tzinfo=UTC)


def test_a_complaint_cites_an_outage_of_its_station_camera_and_both_show_it(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        register_webcams(
            session,
            principal=commission,
            cameras=[
                ("001-0001", "https://cams.example/1"),
                ("002-0001", "https://cams.example/3"),
            ],
        )
        moment = OPENS
        while moment <= OPENS + timedelta(hours=4):
            down = OPENS + timedelta(hours=1) <= moment < OPENS + timedelta(hours=2)
            up = ["002-0001"] if down else ["001-0001", "002-0001"]
            record_heartbeats(session, principal=commission, stations=up, at=moment)
            moment += timedelta(minutes=5)
        derive_outages(session, principal=commission, until=OPENS + timedelta(hours=4))
    with transaction(loaded_election) as session:
        (outage,) = session.scalars(select(WebcamOutageRow)).all()
        with pytest.raises(InvalidInput) as unknown:
            file_complaint(
                session, filing(ComplaintCategory.BALLOT_STUFFING, webcam_outage=outage.id + 99)
            )
        assert unknown.value.code == "unknown_outage"
        elsewhere = ComplaintFiling(
            category=ComplaintCategory.BALLOT_STUFFING,
            about=ComplaintSubject.STATION,
            station="002-0001",
            description="The camera was off.",
            reporter_kind=ReporterKind.VOTER,
            webcam_outage=outage.id,
        )
        with pytest.raises(InvalidInput) as refused:
            file_complaint(session, elsewhere)
        assert refused.value.code == "outage_elsewhere"
        tracking = file_complaint(
            session, filing(ComplaintCategory.BALLOT_STUFFING, webcam_outage=outage.id)
        ).tracking_number
    with transaction(loaded_election) as session:
        (public,) = complaint_register(session)
        assert public.webcam_outage is not None
        assert public.webcam_outage[0] == outage.id
        station_id = session.scalar(
            select(PollingStationRow.id).where(PollingStationRow.code == "001-0001")
        )
        camera = station_webcam(session, station_id)
        assert camera is not None
        assert [o.complaints for o in camera.outages] == [(tracking,)]
        assert audit_discrepancies(session) == []
