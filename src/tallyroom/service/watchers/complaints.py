"""Complaints as the commission handles them: filed with a tracking number, reviewed, upheld
or dismissed (each step with body, person, time and reason), appealed, published redacted;
an upheld complaint about a station may order a recount or annul it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.complaint import (
    MONITOR_REPORTER_KIND,
    POLL_BOOK_MONITOR,
    POLL_BOOK_MONITOR_ACTOR,
    ComplaintCategory,
    ComplaintStatus,
    ComplaintSubject,
    ReporterKind,
    StationRemedy,
    deadlines,
    may_move,
    tracking_number,
)
from tallyroom.domain.idempotency_key import is_idempotency_key
from tallyroom.domain.uploaded_file import CheckedFile
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal, Role
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound
from tallyroom.service.protocols.protocols import annul_station, order_recount
from tallyroom.service.results.tally import bump_revision
from tallyroom.service.watchers.observer_accreditation import ObserverPrincipal
from tallyroom.service.watchers.stored_files import store_file
from tallyroom.store.schema import (
    ComplaintAttachmentRow,
    ComplaintRow,
    ComplaintStepRow,
    ConstituencyRow,
    ElectionRow,
    ObserverAccreditationRow,
    ObserverRow,
    PollingStationRow,
    StationDecisionRow,
    StoredFileRow,
    WebcamOutageRow,
    WebcamRow,
)

MAXIMUM_DESCRIPTION = 5_000
MAXIMUM_ATTACHMENTS = 5


@dataclass(frozen=True, slots=True)
class ComplaintFiling:
    category: ComplaintCategory
    about: ComplaintSubject
    description: str
    reporter_kind: ReporterKind
    station: str | None = None
    constituency: int | None = None
    reporter_name: str | None = None
    reporter_contact: str | None = None
    #: the id of a webcam outage the complaint cites (at the station complained about)
    webcam_outage: int | None = None


def file_complaint(
    session: Session,
    filing: ComplaintFiling,
    *,
    attachments: Sequence[CheckedFile] = (),
    observer: ObserverPrincipal | None = None,
    election_code: str | None = None,
    now: datetime | None = None,
    idempotency_key: str | None = None,
    actor: str | None = None,
) -> ComplaintRow:
    """Store a complaint and its attachments (already checked) and give it a tracking number.

    `idempotency_key`: the sender's key for this complaint; a complaint already filed with it
    is answered as it is (nothing new stored, nothing audited). `actor`: who files it when no
    observer and no member of the public does (a system check filing an incident, e.g.
    `register:double-vote`), recorded in the audit log instead of `public:<reporter kind>`."""
    election = election_row(session, election_code)
    if observer is not None and observer.election_id != election.id:
        raise Forbidden("other_election", "the credential is for another election")
    if (filing.reporter_kind is ReporterKind.SYSTEM) != (actor is not None and observer is None):
        raise InvalidInput(
            "invalid_reporter", "only the commission's own checks file as the system, and they do"
        )
    if idempotency_key is not None:
        if not is_idempotency_key(idempotency_key):
            raise InvalidInput("invalid_idempotency_key", "16 to 64 letters, digits, - or _")
        earlier = session.scalar(
            select(ComplaintRow).where(
                ComplaintRow.election_id == election.id,
                ComplaintRow.idempotency_key == idempotency_key,
            )
        )
        if earlier is not None:
            if earlier.accreditation_id != (observer.accreditation_id if observer else None):
                raise Conflict("idempotency_key_used", "this key was used by another sender")
            return earlier
    description = filing.description.strip()
    if not description or len(description) > MAXIMUM_DESCRIPTION:
        raise InvalidInput("description", f"a description of 1 to {MAXIMUM_DESCRIPTION} characters")
    if len(attachments) > MAXIMUM_ATTACHMENTS:
        raise InvalidInput("too_many_attachments", f"at most {MAXIMUM_ATTACHMENTS} attachments")
    station: PollingStationRow | None = None
    constituency_id: int | None = None
    if filing.about is ComplaintSubject.STATION:
        station = session.scalar(
            select(PollingStationRow).where(
                PollingStationRow.election_id == election.id,
                PollingStationRow.code == (filing.station or ""),
            )
        )
        if station is None:
            raise InvalidInput("unknown_station", f"no station {filing.station!r}")
        constituency_id = station.constituency_id
    elif filing.about is ComplaintSubject.CONSTITUENCY:
        constituency_id = session.scalar(
            select(ConstituencyRow.id).where(
                ConstituencyRow.election_id == election.id,
                ConstituencyRow.number == (filing.constituency or 0),
            )
        )
        if constituency_id is None:
            raise InvalidInput("unknown_constituency", f"no constituency {filing.constituency!r}")
    outage_id = _cited_outage(session, election.id, filing.webcam_outage, station)
    moment = now or datetime.now(UTC)
    serial = 1 + (
        session.scalar(
            select(func.count(ComplaintRow.id)).where(ComplaintRow.election_id == election.id)
        )
        or 0
    )
    row = ComplaintRow(
        election_id=election.id,
        tracking_number=tracking_number(election.code, serial),
        category=filing.category.value,
        about=filing.about.value,
        station_id=station.id if station else None,
        constituency_id=constituency_id,
        reporter_kind=(ReporterKind.OBSERVER if observer else filing.reporter_kind).value,
        reporter_name=(filing.reporter_name or "").strip()[:200] or None,
        reporter_contact=(filing.reporter_contact or "").strip()[:200] or None,
        accreditation_id=observer.accreditation_id if observer else None,
        description=description,
        published_description=None,
        status=ComplaintStatus.RECEIVED.value,
        filed_at=moment,
        due_at=moment + deadlines(election_of(election).complaint_deadline_days)[filing.category],
        idempotency_key=idempotency_key,
        webcam_outage_id=outage_id,
    )
    session.add(row)
    session.flush()
    if observer is not None:
        actor = observer.actor
    elif actor is None:
        actor = f"public:{filing.reporter_kind.value}"
    digests = list(dict.fromkeys(store_file(session, file, actor=actor) for file in attachments))
    session.add_all(
        ComplaintAttachmentRow(complaint_id=row.id, file_sha256=d, published=False) for d in digests
    )
    session.flush()
    # the station's page and open data list its complaints: a new revision shows them
    bump_revision(session, election.id)
    audit_log.record(
        session,
        actor=actor,
        action="complaint.filed",
        payload={
            "tracking_number": row.tracking_number,
            "category": row.category,
            "about": row.about,
            "station": station.code if station else None,
            "attachments": digests,
            "webcam_outage": outage_id,
        },
    )
    row_ledger.record_rows(session, actor=actor, table="complaint", keys=[[row.id]])
    row_ledger.record_rows(
        session,
        actor=actor,
        table="complaint_attachment",
        keys=[
            [i]
            for i in session.scalars(
                select(ComplaintAttachmentRow.id).where(
                    ComplaintAttachmentRow.complaint_id == row.id
                )
            )
        ],
    )
    return row


def _cited_outage(
    session: Session, election_id: int, outage_id: int | None, station: PollingStationRow | None
) -> int | None:
    """The outage a complaint cites: one of the camera of the station complained about."""
    if outage_id is None:
        return None
    found = session.scalar(
        select(WebcamRow.station_id)
        .join(WebcamOutageRow, WebcamOutageRow.webcam_id == WebcamRow.id)
        .join(PollingStationRow, PollingStationRow.id == WebcamRow.station_id)
        .where(WebcamOutageRow.id == outage_id, PollingStationRow.election_id == election_id)
    )
    if found is None:
        raise InvalidInput("unknown_outage", f"no webcam outage {outage_id}")
    if station is None or found != station.id:
        raise InvalidInput(
            "outage_elsewhere", "a complaint cites an outage of its own station's camera"
        )
    return outage_id


@dataclass(frozen=True, slots=True)
class DoubleVoteReport:
    """A double vote the poll books recorded, as the monitor files it: stations and times,
    never the voter."""

    incident: int
    #: the station where the second check-in was made (the complaint is about it)
    station_id: int
    station: str
    first_station: str
    first_checked_in_at: datetime
    second_checked_in_at: datetime
    offline: bool


def file_double_vote_complaints(
    session: Session,
    *,
    election_id: int,
    election_code: str,
    reports: Sequence[DoubleVoteReport],
    now: datetime | None = None,
) -> list[int]:
    """File each double vote as a multiple-voting complaint about the station of the second
    check-in, reported by the commission's poll-book monitor, in the caller's transaction;
    the new complaints' ids in order. The description names stations and times only."""
    if not reports:
        return []
    moment = now or datetime.now(UTC)
    election = session.get_one(ElectionRow, election_id)
    due = deadlines(election_of(election).complaint_deadline_days)[
        ComplaintCategory.MULTIPLE_VOTING
    ]
    serial = (
        session.scalar(
            select(func.count(ComplaintRow.id)).where(ComplaintRow.election_id == election_id)
        )
        or 0
    )
    constituencies = dict(
        iter(
            session.execute(
                select(PollingStationRow.id, PollingStationRow.constituency_id).where(
                    PollingStationRow.id.in_(sorted({r.station_id for r in reports}))
                )
            ).tuples()
        )
    )
    rows = []
    for offset, report in enumerate(reports, start=1):
        description = (
            f"Double vote recorded by the poll books (incident {report.incident}): a voter "
            f"checked in at station {report.first_station} at "
            f"{_stamp(report.first_checked_in_at)} was checked in again at station "
            f"{report.station} at {_stamp(report.second_checked_in_at)}"
            + (" by a poll book that was offline." if report.offline else ".")
        )
        rows.append(
            ComplaintRow(
                election_id=election_id,
                tracking_number=tracking_number(election_code, serial + offset),
                category=ComplaintCategory.MULTIPLE_VOTING.value,
                about=ComplaintSubject.STATION.value,
                station_id=report.station_id,
                constituency_id=constituencies[report.station_id],
                reporter_kind=MONITOR_REPORTER_KIND,
                reporter_name=POLL_BOOK_MONITOR,
                reporter_contact=None,
                accreditation_id=None,
                description=description,
                published_description=None,
                status=ComplaintStatus.RECEIVED.value,
                filed_at=moment,
                due_at=moment + due,
            )
        )
    session.add_all(rows)
    session.flush()
    bump_revision(session, election_id)
    audit_log.record_many(
        session,
        [
            (
                POLL_BOOK_MONITOR_ACTOR,
                "complaint.filed",
                {
                    "tracking_number": row.tracking_number,
                    "category": row.category,
                    "about": row.about,
                    "station": report.station,
                    "attachments": [],
                    "incident": report.incident,
                },
            )
            for row, report in zip(rows, reports, strict=True)
        ],
        returning=False,
    )
    row_ledger.record_rows(
        session, actor=POLL_BOOK_MONITOR_ACTOR, table="complaint", keys=[[row.id] for row in rows]
    )
    return [row.id for row in rows]


def _stamp(moment: datetime) -> str:
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _deciding_body(session: Session, principal: Principal, complaint: ComplaintRow) -> str:
    """The commission decides every complaint; a constituency commission those about its
    own constituency or stations. Nobody else does."""
    if principal.election_id != complaint.election_id:
        raise NotFound("unknown_complaint", "no such complaint")
    if principal.role is Role.COMMISSION:
        return "Central Election Commission"
    if (
        principal.role is Role.CONSTITUENCY_COMMISSION
        and complaint.constituency_id == principal.constituency_id
    ):
        number = session.scalar(
            select(ConstituencyRow.number).where(ConstituencyRow.id == complaint.constituency_id)
        )
        return f"Constituency Election Commission {number}"
    raise Forbidden("not_a_deciding_body", "only an election commission decides a complaint")


def _complaint(session: Session, election_id: int, tracking: str) -> ComplaintRow:
    row = session.scalar(
        select(ComplaintRow)
        .where(ComplaintRow.election_id == election_id, ComplaintRow.tracking_number == tracking)
        .with_for_update()
    )
    if row is None:
        raise NotFound("unknown_complaint", f"no complaint {tracking}")
    return row


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > MAXIMUM_DESCRIPTION:
        raise InvalidInput("reason_required", "a step says why, in at most 5,000 characters")
    return reason


def _step(
    session: Session,
    complaint: ComplaintRow,
    *,
    kind: str,
    body: str,
    principal: Principal,
    reason: str,
    moment: datetime,
    outcome: str | None = None,
) -> ComplaintStepRow:
    sequence = 1 + (
        session.scalar(
            select(func.max(ComplaintStepRow.sequence)).where(
                ComplaintStepRow.complaint_id == complaint.id
            )
        )
        or 0
    )
    step = ComplaintStepRow(
        complaint_id=complaint.id,
        sequence=sequence,
        kind=kind,
        deciding_body=body,
        decided_by=principal.actor,
        decided_at=moment,
        reason=reason,
        outcome=outcome,
    )
    session.add(step)
    session.flush()
    bump_revision(session, complaint.election_id)
    audit_log.record(
        session,
        actor=principal.actor,
        action=f"complaint.{kind}",
        payload={
            "tracking_number": complaint.tracking_number,
            "body": body,
            "reason": reason,
            "outcome": outcome,
        },
    )
    row_ledger.record_rows(session, actor=principal.actor, table="complaint_step", keys=[[step.id]])
    row_ledger.record_rows(session, actor=principal.actor, table="complaint", keys=[[complaint.id]])
    return step


def _move(complaint: ComplaintRow, wanted: ComplaintStatus) -> None:
    current = ComplaintStatus(complaint.status)
    if not may_move(current, wanted):
        raise Conflict(
            "state_not_allowed",
            f"complaint {complaint.tracking_number} is {current.value}: "
            f"it cannot become {wanted.value}",
            current_status=current.value,
        )
    complaint.status = wanted.value


def begin_review(
    session: Session,
    *,
    principal: Principal,
    tracking: str,
    reason: str,
    now: datetime | None = None,
) -> None:
    complaint = _complaint(session, principal.election_id, tracking)
    body = _deciding_body(session, principal, complaint)
    reason = _reason(reason)
    _move(complaint, ComplaintStatus.UNDER_REVIEW)
    _step(
        session,
        complaint,
        kind="under_review",
        body=body,
        principal=principal,
        reason=reason,
        moment=now or datetime.now(UTC),
    )


def decide_complaint(
    session: Session,
    *,
    principal: Principal,
    tracking: str,
    upheld: bool,
    reason: str,
    remedy: StationRemedy | None = None,
    now: datetime | None = None,
) -> None:
    """Uphold or dismiss a complaint under review; an upheld one about a station may order a
    recount or annul the station (the commission's decision, linked both ways)."""
    complaint = _complaint(session, principal.election_id, tracking)
    body = _deciding_body(session, principal, complaint)
    reason = _reason(reason)
    if remedy is not None and not (upheld and complaint.station_id is not None):
        raise InvalidInput(
            "remedy_not_allowed",
            "only an upheld complaint about a station leads to a recount or annulment",
        )
    _move(complaint, ComplaintStatus.UPHELD if upheld else ComplaintStatus.DISMISSED)
    moment = now or datetime.now(UTC)
    _step(
        session,
        complaint,
        kind="upheld" if upheld else "dismissed",
        body=body,
        principal=principal,
        reason=reason,
        moment=moment,
    )
    if remedy is not None and complaint.station_id is not None:
        station_code = session.scalar(
            select(PollingStationRow.code).where(PollingStationRow.id == complaint.station_id)
        )
        assert station_code is not None
        # the decision's own reason names the complaint: the link back from the decision
        because = f"complaint {complaint.tracking_number} upheld: {reason}"
        if remedy is StationRemedy.RECOUNT:
            order_recount(
                session, principal=principal, station_code=station_code, reason=because, now=moment
            )
        else:
            annul_station(
                session, principal=principal, station_code=station_code, reason=because, now=moment
            )
        complaint.station_decision_id = session.scalar(
            select(func.max(StationDecisionRow.id)).where(
                StationDecisionRow.station_id == complaint.station_id
            )
        )
        row_ledger.record_rows(
            session, actor=principal.actor, table="complaint", keys=[[complaint.id]]
        )


def record_appeal(
    session: Session,
    *,
    principal: Principal,
    tracking: str,
    appeal_body: str,
    reason: str,
    now: datetime | None = None,
) -> None:
    """An appeal of a decided complaint to a higher body or a court, as the commission
    learns of it."""
    complaint = _complaint(session, principal.election_id, tracking)
    _deciding_body(session, principal, complaint)
    if not ComplaintStatus(complaint.status).is_decided:
        raise Conflict("not_decided", f"complaint {tracking} is not decided yet: nothing to appeal")
    body = _reason(appeal_body)[:200]
    _step(
        session,
        complaint,
        kind="appealed",
        body=body,
        principal=principal,
        reason=_reason(reason),
        moment=now or datetime.now(UTC),
    )


def decide_appeal(
    session: Session,
    *,
    principal: Principal,
    tracking: str,
    appeal_upheld: bool,
    reason: str,
    now: datetime | None = None,
) -> None:
    complaint = _complaint(session, principal.election_id, tracking)
    _deciding_body(session, principal, complaint)
    steps = _steps(session, complaint.id)
    open_appeal = next(
        (s for s in reversed(steps) if s.kind in ("appealed", "appeal_decided")), None
    )
    if open_appeal is None or open_appeal.kind != "appealed":
        raise Conflict("no_open_appeal", f"complaint {tracking} has no appeal awaiting its outcome")
    _step(
        session,
        complaint,
        kind="appeal_decided",
        body=open_appeal.deciding_body,
        principal=principal,
        reason=_reason(reason),
        moment=now or datetime.now(UTC),
        outcome="upheld" if appeal_upheld else "dismissed",
    )


def publish_complaint(
    session: Session,
    *,
    principal: Principal,
    tracking: str,
    redacted_description: str,
    attachments: Sequence[str] = (),
    now: datetime | None = None,
) -> None:
    """Publish the description as redacted by the commission, and the attachments it names."""
    principal.require_commission()
    complaint = _complaint(session, principal.election_id, tracking)
    text = _reason(redacted_description)
    rows = session.scalars(
        select(ComplaintAttachmentRow).where(ComplaintAttachmentRow.complaint_id == complaint.id)
    ).all()
    known = {row.file_sha256 for row in rows}
    unknown = [d for d in attachments if d not in known]
    if unknown:
        raise InvalidInput(
            "unknown_attachment", f"complaint {tracking} has no attachment {unknown[0]}"
        )
    complaint.published_description = text
    for row in rows:
        row.published = row.file_sha256 in attachments
    _step(
        session,
        complaint,
        kind="published",
        body="Central Election Commission",
        principal=principal,
        reason="published, redacted",
        moment=now or datetime.now(UTC),
    )
    row_ledger.record_rows(
        session,
        actor=principal.actor,
        table="complaint_attachment",
        keys=[[row.id] for row in rows],
    )


def cite_outage(
    session: Session,
    *,
    principal: Principal,
    tracking: str,
    outage_id: int,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Link a complaint already filed to an outage of its station's camera (found after the
    complaint, or not known to the reporter); once. The deciding body does it."""
    complaint = _complaint(session, principal.election_id, tracking)
    body = _deciding_body(session, principal, complaint)
    if complaint.webcam_outage_id is not None:
        raise Conflict("outage_cited", f"complaint {tracking} cites an outage already")
    station = (
        session.get(PollingStationRow, complaint.station_id)
        if complaint.station_id is not None
        else None
    )
    complaint.webcam_outage_id = _cited_outage(session, complaint.election_id, outage_id, station)
    _step(
        session,
        complaint,
        kind="outage_cited",
        body=body,
        principal=principal,
        reason=_reason(reason),
        moment=now or datetime.now(UTC),
    )


def _steps(session: Session, complaint_id: int) -> list[ComplaintStepRow]:
    return list(
        session.scalars(
            select(ComplaintStepRow)
            .where(ComplaintStepRow.complaint_id == complaint_id)
            .order_by(ComplaintStepRow.sequence)
        )
    )


# ------------------------------------------------------------------------------------ reading


@dataclass(frozen=True, slots=True)
class ComplaintStep:
    kind: str
    body: str
    decided_by: str
    decided_at: datetime
    reason: str
    outcome: str | None


@dataclass(frozen=True, slots=True)
class PublicComplaint:
    """A complaint as the public register shows it: never the reporter."""

    tracking_number: str
    category: str
    about: str
    station: str | None
    constituency: int | None
    filed_at: datetime
    due_at: datetime
    status: str
    overdue: bool
    steps: tuple[ComplaintStep, ...]
    #: the redacted text the commission published; None until then
    description: str | None
    attachments: tuple[str, ...]
    #: the recount or annulment the complaint led to
    station_decision: str | None
    #: the webcam outage the complaint cites: (id, started, ended)
    webcam_outage: tuple[int, datetime, datetime] | None = None


@dataclass(frozen=True, slots=True)
class WithheldComplaint:
    """What the commission, and the reporter's own organisation, see besides."""

    public: PublicComplaint
    description: str
    attachments: tuple[str, ...]
    reporter_kind: str
    reporter_name: str | None
    reporter_contact: str | None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _public_of(session: Session, complaint: ComplaintRow) -> PublicComplaint:
    (public,) = _register(session, complaint.election_id, ComplaintRow.id == complaint.id, 1, None)
    return public


def complaint_register(
    session: Session,
    *,
    election_code: str | None = None,
    station: str | None = None,
    now: datetime | None = None,
    limit: int = 500,
) -> list[PublicComplaint]:
    """The public register, newest first (of one station when named)."""
    election = election_row(session, election_code)
    criterion = PollingStationRow.code == station if station is not None else None
    return _register(session, election.id, criterion, limit, now)


def _register(
    session: Session, election_id: int, criterion: Any, limit: int, now: datetime | None
) -> list[PublicComplaint]:
    query = (
        select(
            ComplaintRow,
            PollingStationRow.code,
            ConstituencyRow.number,
            StationDecisionRow.kind,
            WebcamOutageRow,
        )
        .outerjoin(PollingStationRow, PollingStationRow.id == ComplaintRow.station_id)
        .outerjoin(WebcamOutageRow, WebcamOutageRow.id == ComplaintRow.webcam_outage_id)
        .outerjoin(ConstituencyRow, ConstituencyRow.id == ComplaintRow.constituency_id)
        .outerjoin(StationDecisionRow, StationDecisionRow.id == ComplaintRow.station_decision_id)
        .where(ComplaintRow.election_id == election_id)
        .order_by(ComplaintRow.id.desc())
        .limit(limit)
    )
    if criterion is not None:
        query = query.where(criterion)
    moment = now or datetime.now(UTC)
    found = session.execute(query).tuples().all()
    ids = [row.id for row, *_ in found]
    steps: dict[int, list[ComplaintStep]] = {}
    attachments: dict[int, list[str]] = {}
    if ids:
        for step in session.scalars(
            select(ComplaintStepRow)
            .where(ComplaintStepRow.complaint_id.in_(ids))
            .order_by(ComplaintStepRow.sequence)
        ):
            steps.setdefault(step.complaint_id, []).append(
                ComplaintStep(
                    step.kind,
                    step.deciding_body,
                    step.decided_by,
                    _aware(step.decided_at),
                    step.reason,
                    step.outcome,
                )
            )
        for attachment in session.scalars(
            select(ComplaintAttachmentRow).where(
                ComplaintAttachmentRow.complaint_id.in_(ids), ComplaintAttachmentRow.published
            )
        ):
            attachments.setdefault(attachment.complaint_id, []).append(attachment.file_sha256)
    return [
        PublicComplaint(
            tracking_number=row.tracking_number,
            category=row.category,
            about=row.about,
            station=station_code,
            constituency=number,
            filed_at=_aware(row.filed_at),
            due_at=_aware(row.due_at),
            status=row.status,
            overdue=not ComplaintStatus(row.status).is_decided and moment > _aware(row.due_at),
            steps=tuple(steps.get(row.id, ())),
            description=row.published_description,
            attachments=tuple(attachments.get(row.id, ())),
            station_decision=decision_kind,
            webcam_outage=(outage.id, _aware(outage.started_at), _aware(outage.ended_at))
            if outage is not None
            else None,
        )
        for row, station_code, number, decision_kind, outage in found
    ]


def withheld_complaint(
    session: Session, *, viewer: Principal | ObserverPrincipal, tracking: str
) -> WithheldComplaint:
    """The whole complaint, for the commission (or the constituency commission deciding it)
    and for observers of the reporter's own organisation; nobody else."""
    complaint = _complaint(session, viewer.election_id, tracking)
    if isinstance(viewer, ObserverPrincipal):
        reporter_organisation = session.scalar(
            select(ObserverRow.organisation_id)
            .join(ObserverAccreditationRow, ObserverAccreditationRow.observer_id == ObserverRow.id)
            .where(ObserverAccreditationRow.id == complaint.accreditation_id)
        )
        own = complaint.accreditation_id == viewer.accreditation_id or (
            reporter_organisation is not None and reporter_organisation == viewer.organisation_id
        )
        if not own:
            raise Forbidden(
                "withheld", "this complaint's details are withheld from other organisations"
            )
    else:
        _deciding_body(session, viewer, complaint)
    return _withheld_of(session, complaint, _public_of(session, complaint))


def _withheld_of(
    session: Session, complaint: ComplaintRow, public: PublicComplaint
) -> WithheldComplaint:
    return WithheldComplaint(
        public=public,
        description=complaint.description,
        attachments=tuple(
            session.scalars(
                select(ComplaintAttachmentRow.file_sha256).where(
                    ComplaintAttachmentRow.complaint_id == complaint.id
                )
            )
        ),
        reporter_kind=complaint.reporter_kind,
        reporter_name=complaint.reporter_name,
        reporter_contact=complaint.reporter_contact,
    )


def complaints_to_handle(
    session: Session, *, principal: Principal, limit: int = 200
) -> list[WithheldComplaint]:
    """The complaints a commission body may handle, whole (description, attachments, reporter):
    every one for the commission, its own constituency's for a constituency commission."""
    if principal.role not in (Role.COMMISSION, Role.CONSTITUENCY_COMMISSION):
        raise Forbidden("not_commission", "only a commission handles complaints")
    handled: list[WithheldComplaint] = []
    for public in _register(session, principal.election_id, None, limit, None):
        complaint = _complaint(session, principal.election_id, public.tracking_number)
        try:
            _deciding_body(session, principal, complaint)
        except Forbidden:
            continue
        handled.append(_withheld_of(session, complaint, public))
    return handled


def stations_under_review(session: Session, election_id: int) -> set[str]:
    """Stations with a complaint under review: their pages and open data say so."""
    return set(
        session.scalars(
            select(PollingStationRow.code)
            .join(ComplaintRow, ComplaintRow.station_id == PollingStationRow.id)
            .where(
                ComplaintRow.election_id == election_id,
                ComplaintRow.status == ComplaintStatus.UNDER_REVIEW.value,
            )
        )
    )


def published_attachment(session: Session, digest: str) -> tuple[str, bytes] | None:
    """A file the commission published with a complaint: (media type, bytes); None for any
    other file (withheld attachments and observers' photos are not public)."""
    found = session.execute(
        select(StoredFileRow.media_type, StoredFileRow.content)
        .join(ComplaintAttachmentRow, ComplaintAttachmentRow.file_sha256 == StoredFileRow.sha256)
        .where(StoredFileRow.sha256 == digest, ComplaintAttachmentRow.published)
        .limit(1)
    ).first()
    return None if found is None else (found[0], found[1])
