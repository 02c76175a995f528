"""What the public may see of polling stations: a station's every protocol version with its
signature, status and reasons, its turnout reports, decisions and observers; and station
summaries for tables and search. Read-only queries."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.name_search import NameQuery
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import parse_protocol_document
from tallyroom.domain.protocol_history import version_standing
from tallyroom.service.definition.elections import election_row
from tallyroom.service.definition.station_enrolment import PublishedKey, station_keys
from tallyroom.service.errors import NotFound
from tallyroom.service.protocols.flagged_queue import stations_pending_confirmation
from tallyroom.service.register.poll_book_devices import poll_book_keys
from tallyroom.service.results.ballot import ballot_of
from tallyroom.service.watchers.complaints import PublicComplaint, complaint_register
from tallyroom.service.watchers.observer_copies import CopyComparison, station_copies
from tallyroom.service.watchers.stored_files import stored_photos
from tallyroom.service.watchers.webcams import StationWebcam, station_webcam
from tallyroom.store.schema import (
    ConstituencyRow,
    ExitPollSampleRow,
    ObserverRow,
    ObserverStationRow,
    OrganisationRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationDecisionRow,
    StationKeyRow,
    StationResultRow,
    TurnoutReportRow,
)


class StationStatus:
    """A station's standing in the tally, as the public sees it."""

    AWAITING = "awaiting"  # no protocol yet
    COUNTED = "counted"  # its current accepted protocol is in the totals
    FLAGGED = "flagged"  # latest protocol failed checks, awaiting the commission
    #: a person's decision awaits a second person (four-eyes): not counted
    PENDING_CONFIRMATION = "pending_confirmation"
    REJECTED = "rejected"
    ANNULLED = "annulled"  # its result annulled by decision
    RECEIVED = "received"  # stored, not counted


@dataclass(frozen=True, slots=True)
class ProtocolReason:
    code: str
    message: str
    #: the message per language, from the rule set that judged it (empty before rules were data)
    messages: tuple[tuple[str, str], ...] = ()

    def message_in(self, language: str) -> str:
        return dict(self.messages).get(language, self.message)


@dataclass(frozen=True, slots=True)
class ProtocolVersionView:
    version: int
    status: str
    submitted_at: datetime
    figures: ProtocolFigures
    #: Ed25519 signature over the canonical body, hex, and the station key that made it
    signature: str
    public_key: str
    body_sha256: str
    reasons: tuple[ProtocolReason, ...]
    amendment_reason: str | None
    decided_at: datetime | None
    decision_reason: str | None
    #: whether this is the version in the totals now
    counted: bool
    #: counted, superseded, rejected, flagged, annulled or received (domain.protocol_history)
    standing: str = ""
    #: the version of the rule set that judged it (None: before rules were data)
    rule_set_version: str | None = None
    #: SHA-256 of the photo of the signed paper protocol the document names (None: no photo)
    photo_sha256: str | None = None
    #: whether that photo has arrived (it is sent after the numbers)
    photo_stored: bool = False


@dataclass(frozen=True, slots=True)
class TurnoutReportView:
    as_of: str
    voters: int
    status: str
    reasons: tuple[ProtocolReason, ...]
    received_at: datetime


@dataclass(frozen=True, slots=True)
class StationDecisionView:
    kind: str
    reason: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class ObserverGroup:
    """Observers accredited to a station of one kind and organisation: a count, never names
    (those stay with the commission)."""

    kind: str
    organisation: str | None
    observers: int


@dataclass(frozen=True, slots=True)
class StationSummary:
    code: str
    name: str
    constituency: int
    kind: str
    registered_voters: int
    tags: tuple[str, ...]
    status: str
    #: from the counted protocol, if any
    ballots_cast: int | None
    #: the latest accepted turnout report
    turnout_as_of: str | None
    turnout_voters: int | None

    @property
    def turnout_percent(self) -> float | None:
        """Ballots cast (or else the latest turnout report) of registered voters."""
        voters = self.ballots_cast if self.ballots_cast is not None else self.turnout_voters
        if voters is None or not self.registered_voters:
            return None
        return 100.0 * voters / self.registered_voters


@dataclass(frozen=True, slots=True)
class StationDetail:
    code: str
    name: str
    constituency: int
    constituency_name: str
    kind: str
    registered_voters: int
    #: idp, special_territory, abroad, and webcam / exit_poll when they apply
    tags: tuple[str, ...]
    exit_poll_organisations: tuple[str, ...]
    status: str
    protocols: tuple[ProtocolVersionView, ...]
    turnout_reports: tuple[TurnoutReportView, ...]
    decisions: tuple[StationDecisionView, ...]
    observers: tuple[ObserverGroup, ...]
    #: the commission's decision annulling the station's result, while it stands
    annulment: StationDecisionView | None = None
    #: codes of the standing candidates, in ballot order
    ballot_order: tuple[str, ...] = ()

    def in_ballot_order(self, votes: Mapping[str, int]) -> list[tuple[str, int]]:
        """A protocol's votes in ballot order (any other code after, by code)."""
        order = {code: index for index, code in enumerate(self.ballot_order)}
        return sorted(votes.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))

    #: every signing key the station has had, oldest first (fingerprints for observers)
    keys: tuple[PublishedKey, ...] = ()
    #: a complaint about the station is under review (service/watchers/complaints.py)
    under_review: bool = False
    #: complaints about the station, as the public register shows them
    complaints: tuple[PublicComplaint, ...] = ()
    #: observers' copies of the protocol beside the counted versions (never counted)
    observer_copies: tuple[CopyComparison, ...] = ()
    #: the station's camera: public viewing link and recorded outages
    webcam: StationWebcam | None = None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _reasons(text: str | None) -> tuple[ProtocolReason, ...]:
    if not text:
        return ()
    try:
        items = json.loads(text)
    except ValueError:
        return (ProtocolReason("note", text),)
    reasons = []
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, dict):
            code = str(item.get("code", "note"))
            messages = item.get("messages")
            reasons.append(
                ProtocolReason(
                    code,
                    str(item.get("message", code)),
                    tuple((str(k), str(v)) for k, v in messages.items())
                    if isinstance(messages, dict)
                    else (),
                )
            )
        else:
            reasons.append(ProtocolReason("note", str(item)))
    return tuple(reasons)


def _tags(station: PollingStationRow, *, exit_poll: bool) -> tuple[str, ...]:
    flags = (
        ("idp", station.idp),
        ("special_territory", station.special_territory),
        ("abroad", station.abroad),
        ("webcam", station.webcam),
        ("exit_poll", exit_poll),
    )
    return tuple(name for name, present in flags if present)


def _status(
    *, counted: bool, annulled: bool, latest_status: str | None, pending: bool = False
) -> str:
    if annulled:
        return StationStatus.ANNULLED
    if counted:
        return StationStatus.COUNTED
    if latest_status is None:
        return StationStatus.AWAITING
    if pending:
        return StationStatus.PENDING_CONFIRMATION
    if latest_status in (StationStatus.FLAGGED, StationStatus.REJECTED):
        return latest_status
    return StationStatus.RECEIVED


def station_detail(
    session: Session, *, code: str, election_code: str | None = None
) -> StationDetail:
    election = election_row(session, election_code)
    found = session.execute(
        select(PollingStationRow, ConstituencyRow)
        .join(ConstituencyRow, ConstituencyRow.id == PollingStationRow.constituency_id)
        .where(PollingStationRow.election_id == election.id, PollingStationRow.code == code)
    ).first()
    if found is None:
        raise NotFound("unknown_station", f"there is no polling station {code!r}")
    station, constituency = found._tuple()
    counted = session.get(StationResultRow, station.id)
    versions = (
        session.execute(
            select(ProtocolVersionRow, StationKeyRow.public_key)
            .join(StationKeyRow, StationKeyRow.id == ProtocolVersionRow.station_key_id)
            .where(ProtocolVersionRow.station_id == station.id)
            .order_by(ProtocolVersionRow.version)
        )
        .tuples()
        .all()
    )
    decisions = tuple(
        StationDecisionView(row.kind, row.reason, _aware(row.decided_at) or row.decided_at)
        for row in session.scalars(
            select(StationDecisionRow)
            .where(StationDecisionRow.station_id == station.id)
            .order_by(StationDecisionRow.decided_at, StationDecisionRow.id)
        )
    )
    annulled = _annulled(decisions)
    pending = station.id in stations_pending_confirmation(session, [station.id])
    bodies = [json.loads(row.body) for row, _ in versions]
    photos = stored_photos(
        session, {body["photo_sha256"] for body in bodies if body.get("photo_sha256")}
    )
    protocols = tuple(
        ProtocolVersionView(
            version=row.version,
            status=row.status,
            submitted_at=_aware(row.submitted_at) or row.submitted_at,
            figures=parse_protocol_document(bodies[index]).figures,
            signature=row.signature,
            public_key=public_key,
            body_sha256=row.body_sha256,
            reasons=_reasons(row.reasons),
            amendment_reason=row.amendment_reason,
            decided_at=_aware(row.decided_at),
            decision_reason=row.decision_reason,
            counted=counted is not None and counted.protocol_version_id == row.id,
            rule_set_version=row.rule_set_version,
            photo_sha256=bodies[index].get("photo_sha256"),
            photo_stored=bodies[index].get("photo_sha256") in photos,
            standing=version_standing(
                status=row.status,
                counted=counted is not None and counted.protocol_version_id == row.id,
                latest=index == len(versions) - 1,
                annulled=annulled,
                pending=pending,
            ).value,
        )
        for index, (row, public_key) in enumerate(versions)
    )
    exit_polls = tuple(
        session.scalars(
            select(OrganisationRow.name)
            .join(ExitPollSampleRow, ExitPollSampleRow.organisation_id == OrganisationRow.id)
            .where(ExitPollSampleRow.station_id == station.id)
            .order_by(OrganisationRow.name)
        )
    )
    observers = tuple(
        ObserverGroup(kind, organisation, int(count))
        for kind, organisation, count in session.execute(
            select(ObserverRow.kind, OrganisationRow.name, func.count(ObserverRow.id))
            .join(ObserverStationRow, ObserverStationRow.observer_id == ObserverRow.id)
            .outerjoin(OrganisationRow, OrganisationRow.id == ObserverRow.organisation_id)
            .where(ObserverStationRow.station_id == station.id)
            .group_by(ObserverRow.kind, OrganisationRow.name)
            .order_by(func.count(ObserverRow.id).desc(), ObserverRow.kind, OrganisationRow.name)
        ).tuples()
    )
    complaints = tuple(
        complaint_register(session, election_code=election.code, station=station.code)
    )
    return StationDetail(
        code=station.code,
        name=station.name,
        constituency=constituency.number,
        constituency_name=constituency.name,
        kind=station.kind,
        registered_voters=station.registered_voters,
        tags=_tags(station, exit_poll=bool(exit_polls)),
        exit_poll_organisations=exit_polls,
        status=_status(
            counted=counted is not None,
            annulled=annulled,
            latest_status=protocols[-1].status if protocols else None,
            pending=pending,
        ),
        protocols=protocols,
        turnout_reports=tuple(
            TurnoutReportView(
                row.as_of,
                row.voters,
                row.status,
                _reasons(row.reasons),
                _aware(row.received_at) or row.received_at,
            )
            for row in session.scalars(
                select(TurnoutReportRow)
                .where(TurnoutReportRow.station_id == station.id)
                .order_by(TurnoutReportRow.as_of)
            )
        ),
        decisions=decisions,
        observers=observers,
        annulment=next((d for d in reversed(decisions) if d.kind in _ANNULMENT_KINDS), None)
        if annulled
        else None,
        ballot_order=tuple(line.code for line in ballot_of(session, constituency.id)),
        keys=(*station_keys(session, station.id), *poll_book_keys(session, station.id)),
        under_review=any(c.status == "under_review" for c in complaints),
        complaints=complaints,
        observer_copies=tuple(
            station_copies(session, station_code=station.code, election_code=election.code)
        ),
        webcam=station_webcam(session, station.id),
    )


#: the kinds an annulment has been stored under
_ANNULMENT_KINDS = ("annul", "annulment", "annulled")


def _annulled(decisions: tuple[StationDecisionView, ...]) -> bool:
    # A recount order never lifts an annulment: only annulments are looked at.
    return any(decision.kind in _ANNULMENT_KINDS for decision in decisions)


def station_summaries(
    session: Session,
    *,
    constituency: int | None = None,
    matching: str | None = None,
    limit: int | None = None,
    election_code: str | None = None,
) -> list[StationSummary]:
    """Stations of a constituency, or those whose code or name contains `matching`."""
    election = election_row(session, election_code)
    query = (
        select(PollingStationRow, ConstituencyRow.number, StationResultRow.ballots_cast)
        .join(ConstituencyRow, ConstituencyRow.id == PollingStationRow.constituency_id)
        .outerjoin(StationResultRow, StationResultRow.station_id == PollingStationRow.id)
        .where(PollingStationRow.election_id == election.id)
        .order_by(PollingStationRow.code)
    )
    if constituency is not None:
        query = query.where(ConstituencyRow.number == constituency)
    if matching:
        # Names are folded in Python (ə typed as a or e, Cyrillic input): a few thousand
        # short strings of one election, read once per search.
        wanted = NameQuery(matching)
        names = (
            select(PollingStationRow.id, PollingStationRow.code, PollingStationRow.name)
            .join(ConstituencyRow, ConstituencyRow.id == PollingStationRow.constituency_id)
            .where(PollingStationRow.election_id == election.id)
            .order_by(PollingStationRow.code)
        )
        if constituency is not None:
            names = names.where(ConstituencyRow.number == constituency)
        found = [
            station_id
            for station_id, code, name in session.execute(names).tuples()
            if wanted.matches(code) or wanted.matches(name)
        ]
        query = query.where(PollingStationRow.id.in_(found[:limit] if limit else found))
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).tuples().all()
    ids = [station.id for station, _, _ in rows]
    if not ids:
        return []
    latest_status: dict[int, str] = {}
    for station_id, status in session.execute(
        select(ProtocolVersionRow.station_id, ProtocolVersionRow.status)
        .where(ProtocolVersionRow.station_id.in_(ids))
        .order_by(ProtocolVersionRow.station_id, ProtocolVersionRow.version)
    ).tuples():
        latest_status[station_id] = status
    pending = stations_pending_confirmation(session, ids)
    decisions: dict[int, list[StationDecisionView]] = defaultdict(list)
    for decision in session.scalars(
        select(StationDecisionRow)
        .where(StationDecisionRow.station_id.in_(ids))
        .order_by(StationDecisionRow.decided_at, StationDecisionRow.id)
    ):
        decisions[decision.station_id].append(
            StationDecisionView(decision.kind, decision.reason, decision.decided_at)
        )
    turnout: dict[int, tuple[str, int]] = {}
    for station_id, as_of, voters in session.execute(
        select(TurnoutReportRow.station_id, TurnoutReportRow.as_of, TurnoutReportRow.voters)
        .where(TurnoutReportRow.station_id.in_(ids), TurnoutReportRow.status == "accepted")
        .order_by(TurnoutReportRow.station_id, TurnoutReportRow.as_of)
    ).tuples():
        turnout[station_id] = (as_of, voters)
    exit_poll = set(
        session.scalars(
            select(ExitPollSampleRow.station_id).where(ExitPollSampleRow.station_id.in_(ids))
        )
    )
    return [
        StationSummary(
            code=station.code,
            name=station.name,
            constituency=number,
            kind=station.kind,
            registered_voters=station.registered_voters,
            tags=_tags(station, exit_poll=station.id in exit_poll),
            status=_status(
                counted=ballots_cast is not None,
                annulled=_annulled(tuple(decisions.get(station.id, ()))),
                latest_status=latest_status.get(station.id),
                pending=station.id in pending,
            ),
            ballots_cast=ballots_cast,
            turnout_as_of=turnout[station.id][0] if station.id in turnout else None,
            turnout_voters=turnout[station.id][1] if station.id in turnout else None,
        )
        for station, number, ballots_cast in rows
    ]
