"""Complaints: filed with a tracking number, never skipping a state, each step recorded with
body, person, time and reason; appeals; an upheld complaint orders a recount linked both
ways; the public register hides the reporter and the unpublished description."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.complaint import (
    ComplaintCategory,
    ComplaintSubject,
    ReporterKind,
    StationRemedy,
)
from tallyroom.domain.observer_accreditation import read_accreditation_file
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, TooLarge
from tallyroom.service.protocols.protocols import recount_pending
from tallyroom.service.watchers.complaints import (
    ComplaintFiling,
    begin_review,
    complaint_register,
    decide_appeal,
    decide_complaint,
    file_complaint,
    publish_complaint,
    record_appeal,
    stations_under_review,
    withheld_complaint,
)
from tallyroom.service.watchers.observer_accreditation import (
    accredit_observers,
    authenticate_observer,
)
from tallyroom.service.watchers.stored_files import checked
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    AuditEntryRow,
    ComplaintRow,
    PollingStationRow,
    StationDecisionRow,
    StoredFileRow,
)

STUFFING = ComplaintFiling(
    category=ComplaintCategory.BALLOT_STUFFING,
    about=ComplaintSubject.STATION,
    station="001-0001",
    description="Saw Mr Secret Witness put a bundle of ballots in the box at 15:10.",
    reporter_kind=ReporterKind.VOTER,
    reporter_name="Private Person",
    reporter_contact="+994 50 000 00 00",
)


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def test_a_complaint_goes_received_review_upheld_with_a_recount_linked_both_ways(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    with transaction(loaded_election) as session:
        complaint = file_complaint(
            session, STUFFING, attachments=[checked(photo(), declared_type="image/jpeg")]
        )
        tracking = complaint.tracking_number
    assert tracking == "S2-C000001"
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        with pytest.raises(Conflict):  # received → upheld skips the review
            decide_complaint(
                session, principal=commission, tracking=tracking, upheld=True, reason="x"
            )
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        begin_review(session, principal=commission, tracking=tracking, reason="two witnesses")
        election_id = commission.election_id
    with transaction(loaded_election) as session:
        assert stations_under_review(session, election_id) == {"001-0001"}
        (public,) = complaint_register(session)
        assert public.status == "under_review"
        assert public.description is None
        commission = authenticate(session, credentials.commission_token)
        decide_complaint(
            session,
            principal=commission,
            tracking=tracking,
            upheld=True,
            reason="the video shows it",
            remedy=StationRemedy.RECOUNT,
        )
        with pytest.raises(Conflict):
            decide_complaint(
                session, principal=commission, tracking=tracking, upheld=False, reason="x"
            )
    with transaction(loaded_election) as session:
        station = session.scalar(
            select(PollingStationRow).where(PollingStationRow.code == "001-0001")
        )
        assert station is not None
        assert recount_pending(session, station.id)
        row = session.scalar(select(ComplaintRow))
        assert row is not None
        assert row.station_decision_id is not None
        decision = session.get(StationDecisionRow, row.station_decision_id)
        assert decision is not None
        assert tracking in decision.reason
        assert decision.kind == "recount"
        (public,) = complaint_register(session)
        assert public.status == "upheld"
        assert public.station_decision == "recount"
        assert [s.kind for s in public.steps] == ["under_review", "upheld"]
        assert public.steps[1].body == "Central Election Commission"
        assert public.steps[1].decided_by.startswith("commission:")
        assert stations_under_review(session, election_id) == set()
        assert audit_discrepancies(session) == []
        payloads = " ".join(session.scalars(select(AuditEntryRow.payload)))
        assert "Private Person" not in payloads
        assert "Secret Witness" not in payloads


def test_appeal_and_publication_and_what_each_viewer_sees(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        requests, _ = read_accreditation_file(
            "code,full_name,kind,organisation,country,represents,stations\n"
            "O0003,Elvin Mustafayev,local_ngo,seçki-izləmə,AZ,,002-0001\n"
            "O0004,Anna Schmidt,international,osce-odihr,DE,,001-0001;002-0001\n"
        )
        ngo, osce = accredit_observers(session, principal=commission, requests=requests)
    with transaction(loaded_election) as session:
        reporter = authenticate_observer(session, ngo.credential)
        tracking = file_complaint(
            session,
            ComplaintFiling(
                ComplaintCategory.OBSTRUCTION_OF_OBSERVERS,
                ComplaintSubject.CONSTITUENCY,
                "The chair sent us out during the count.",
                ReporterKind.VOTER,
                constituency=2,
            ),
            observer=reporter,
        ).tracking_number
    with transaction(loaded_election) as session:
        outsider = authenticate_observer(session, osce.credential)
        with pytest.raises(Forbidden):
            withheld_complaint(session, viewer=outsider, tracking=tracking)
        own = withheld_complaint(
            session, viewer=authenticate_observer(session, ngo.credential), tracking=tracking
        )
        assert own.reporter_kind == "observer"
        assert "sent us out" in own.description
        observer_token = authenticate(session, credentials.observer_token)
        with pytest.raises(Forbidden):
            begin_review(session, principal=observer_token, tracking=tracking, reason="x")
        elsewhere = authenticate(session, credentials.constituency_tokens[1])
        with pytest.raises(Forbidden):
            begin_review(session, principal=elsewhere, tracking=tracking, reason="x")
        local = authenticate(session, credentials.constituency_tokens[2])
        begin_review(session, principal=local, tracking=tracking, reason="heard the chair")
        with pytest.raises(Conflict):
            record_appeal(
                session, principal=local, tracking=tracking, appeal_body="Court", reason="x"
            )
        decide_complaint(
            session, principal=local, tracking=tracking, upheld=False, reason="no proof"
        )
        with pytest.raises(InvalidInput):
            decide_complaint(
                session,
                principal=local,
                tracking=tracking,
                upheld=True,
                reason="x",
                remedy=StationRemedy.ANNULMENT,
            )
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        with pytest.raises(Conflict):
            decide_appeal(
                session, principal=commission, tracking=tracking, appeal_upheld=True, reason="x"
            )
        record_appeal(
            session,
            principal=commission,
            tracking=tracking,
            appeal_body="Baku Court of Appeal",
            reason="filed 3 Sep",
        )
        decide_appeal(
            session,
            principal=commission,
            tracking=tracking,
            appeal_upheld=False,
            reason="upheld the decision",
        )
        publish_complaint(
            session,
            principal=commission,
            tracking=tracking,
            redacted_description="The [chair] sent observers out.",
        )
        (public,) = complaint_register(session)
        assert public.description == "The [chair] sent observers out."
        assert [s.kind for s in public.steps] == [
            "under_review",
            "dismissed",
            "appealed",
            "appeal_decided",
            "published",
        ]
        assert public.steps[0].body == "Constituency Election Commission 2"
        assert public.steps[3].outcome == "dismissed"
        assert public.steps[3].body == "Baku Court of Appeal"
        assert not hasattr(public, "reporter_name")
        assert audit_discrepancies(session) == []


def test_overdue_flags_follow_the_category_deadline(loaded_election: sessionmaker[Session]) -> None:
    filed = datetime(2024, 9, 1, 12, tzinfo=UTC)
    with transaction(loaded_election) as session:
        file_complaint(session, STUFFING, now=filed)
        (fresh,) = complaint_register(session, now=filed + timedelta(days=1))
        (late,) = complaint_register(session, now=filed + timedelta(days=3))
    assert not fresh.overdue
    assert late.overdue


@pytest.mark.parametrize(
    ("content", "declared", "refusal"),
    [
        (b"", None, InvalidInput),
        (b"MZ\x90\x00 not a photo", None, InvalidInput),
        (b"\xff\xd8\xff\xe0 cut short", "image/jpeg", InvalidInput),
        (b"%PDF-1.7\n" + b"0" * 100 + b"\n%%EOF", "image/png", InvalidInput),
        (b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024) + b"\n%%EOF", "application/pdf", TooLarge),
    ],
    ids=["empty", "executable", "damaged-jpeg", "pdf-declared-png", "pdf-too-large"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    loaded_election: sessionmaker[Session],
    content: bytes,
    declared: str | None,
    refusal: type[Exception],
) -> None:
    with transaction(loaded_election) as session, pytest.raises(refusal):
        file_complaint(session, STUFFING, attachments=[checked(content, declared_type=declared)])
    with transaction(loaded_election) as session:
        assert session.scalar(select(func.count(ComplaintRow.id))) == 0
        assert session.scalar(select(func.count(StoredFileRow.sha256))) == 0


def test_a_pdf_is_stored_once_under_its_digest(loaded_election: sessionmaker[Session]) -> None:
    pdf = checked(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", declared_type="application/pdf")
    with transaction(loaded_election) as session:
        file_complaint(session, STUFFING, attachments=[pdf])
        file_complaint(session, STUFFING, attachments=[pdf])
        assert session.scalar(select(StoredFileRow.sha256)) == pdf.sha256
        assert session.scalar(select(func.count(StoredFileRow.sha256))) == 1
