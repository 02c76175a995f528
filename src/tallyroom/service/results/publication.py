"""Gathering what a results snapshot publishes, in one read transaction so every part of it
(protocols, totals, keys, audit head) shows the same moment."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.audit_chain import AuditEntry
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election_clock import ClockKind
from tallyroom.domain.protocol_history import DECISION_AUDIT_ACTIONS, version_standing
from tallyroom.domain.tree_head import SignedTreeHead
from tallyroom.service.audit import audit_log, audit_tree
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.definition.elections import election_row
from tallyroom.service.protocols.annulments import annulled_stations
from tallyroom.service.protocols.flagged_queue import stations_pending_confirmation
from tallyroom.service.protocols.turnout import turnout_by_hour
from tallyroom.service.register.poll_book_devices import published_desk_keys
from tallyroom.service.register.poll_book_figures import figures_by_station
from tallyroom.service.results.certification import published_certifications
from tallyroom.service.results.drawn_lots import recorded_lots
from tallyroom.service.results.lot_entry import lot_record
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.results_json import national_json, turnout_json
from tallyroom.service.results.runoff_protocols import counted_runoff_protocols, published_runoffs
from tallyroom.service.watchers.stored_files import stored_photos
from tallyroom.store.schema import (
    AuditEntryRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationDecisionRow,
    StationKeyRow,
    StationResultRow,
    StoredFileRow,
)


@dataclass(frozen=True, slots=True)
class PublishedProtocol:
    """A station's counted protocol exactly as it signed it."""

    station: str
    version: int
    #: the signed document; its RFC 8785 canonical form is the byte string signed
    document: dict[str, Any]
    signature: str
    #: hex Ed25519 key the signature was verified with on receipt
    public_key: str


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    """One stored version of a station's protocol, counted or not, with where it stands."""

    station: str
    version: int
    #: as stored: accepted, flagged, rejected or received
    status: str
    #: domain.protocol_history.VersionStanding: counted, superseded, rejected, annulled, ...
    standing: str
    submitted_at: str
    decided_at: str | None
    decision_reason: str | None
    amendment_reason: str | None
    #: codes of the control checks it failed
    reasons: list[str]
    document: dict[str, Any]
    signature: str
    public_key: str


@dataclass(frozen=True, slots=True)
class PublishedDecision:
    """A commission decision on a station (annulment or recount order) and the audit entry
    that recorded it, so a reader can match it against the chain."""

    station: str
    kind: str
    reason: str
    decided_at: str
    audit_entry: AuditEntry | None


@dataclass(frozen=True, slots=True)
class StationKey:
    station: str
    public_key: str
    issued_at: str
    revoked_at: str | None
    #: "device" (made on the station's device) or "central" (made by the commission: drills)
    made: str = "central"


@dataclass(frozen=True, slots=True)
class Publication:
    """Everything a snapshot publishes, as gathered at one moment."""

    definition: ElectionDefinition
    #: the national results as `national_json` renders them, with the constituencies
    results: dict[str, Any]
    #: national turnout by hour as `turnout_json` renders it
    turnout: dict[str, Any]
    protocols: list[PublishedProtocol]
    station_keys: list[StationKey]
    audit_sequence: int
    audit_head_hash: str
    generated_at: datetime
    #: every version of each station that has one not counted (superseded, rejected,
    #: flagged, annulled), in station and version order
    protocol_histories: list[PublishedVersion] = field(default_factory=list)
    decisions: list[PublishedDecision] = field(default_factory=list)
    #: the signed tree heads the snapshot follows, oldest first, and the keys that sign them
    tree_heads: list[SignedTreeHead] = field(default_factory=list)
    tree_head_keys: list[str] = field(default_factory=list)
    #: the commission's signed certifications, withdrawn ones too (service/results/certification.py)
    certifications: list[dict[str, Any]] = field(default_factory=list)
    #: every audit entry's chain hash (32 bytes each, in sequence): the Merkle tree's
    #: leaves, so a reader proves the log extends any head kept
    audit_entry_hashes: bytes = b""
    #: "drill" when the election was ever served under a drill clock, else "real"
    clock: str = ClockKind.REAL.value
    #: SHA-256 → bytes of the photos of the signed paper protocols the published documents
    #: name (those that have arrived), read lazily: write the snapshot within the session
    photos: Mapping[str, bytes] = field(default_factory=dict)
    #: rounds 2 of two-round contests as defined and counted (service/results/runoff_protocols.py)
    runoffs: list[dict[str, Any]] = field(default_factory=list)
    #: the counted round-2 protocols as the stations signed them
    runoff_protocols: list[dict[str, Any]] = field(default_factory=list)
    #: the lots drawn for ties, entered or confirmed (service/results/lot_entry.py)
    lots: list[dict[str, Any]] = field(default_factory=list)
    #: station code → its poll-book desks' keys (they sign no protocol)
    poll_book_keys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: per-station poll-book figures (service/register/poll_book_figures.py), every station
    #: with a poll book, by round
    poll_book_figures: list[dict[str, Any]] = field(default_factory=list)


def _iso(moment: datetime | None) -> str | None:
    # SQLite hands back naive datetimes; they were stored in UTC.
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def gather_publication(
    session: Session, *, election: str | None = None, now: datetime | None = None
) -> Publication:
    """The stored election's publication: every station's counted protocol with the
    signature and key it was verified with, all station keys ever issued (a re-issued key
    does not invalidate what the old one signed), the results and turnout as the service
    reports them, and the audit chain's head."""
    election_record = election_row(session, election)
    eid = election_record.id
    protocols = [
        PublishedProtocol(
            station=code,
            version=version.version,
            document=json.loads(version.body),
            signature=version.signature,
            public_key=public_key,
        )
        for code, version, public_key in session.execute(
            select(PollingStationRow.code, ProtocolVersionRow, StationKeyRow.public_key)
            .join(StationResultRow, StationResultRow.station_id == PollingStationRow.id)
            .join(
                ProtocolVersionRow,
                ProtocolVersionRow.id == StationResultRow.protocol_version_id,
            )
            .join(StationKeyRow, StationKeyRow.id == ProtocolVersionRow.station_key_id)
            .where(PollingStationRow.election_id == eid)
            .order_by(PollingStationRow.code)
        ).tuples()
    ]
    keys = [
        StationKey(
            station=code,
            public_key=key.public_key,
            issued_at=_iso(key.issued_at) or "",
            revoked_at=_iso(key.revoked_at),
            made=key.made,
        )
        for code, key in session.execute(
            select(PollingStationRow.code, StationKeyRow)
            .join(StationKeyRow, StationKeyRow.station_id == PollingStationRow.id)
            .where(PollingStationRow.election_id == eid)
            .order_by(PollingStationRow.code, StationKeyRow.id)
        ).tuples()
    ]
    sequence, head_hash = audit_log.head(session)
    entry_hashes = b"".join(
        bytes.fromhex(chain_hash)
        for chain_hash in session.scalars(
            select(AuditEntryRow.entry_hash).order_by(AuditEntryRow.sequence)
        )
    )
    histories = _protocol_histories(session, eid)
    return Publication(
        protocol_histories=histories,
        photos=StoredPhotos(
            session,
            {
                document["photo_sha256"]
                for document in [p.document for p in protocols] + [v.document for v in histories]
                if isinstance(document.get("photo_sha256"), str)
            },
        ),
        decisions=_decisions(session, eid),
        definition=stored_definition(session, election_record.code),
        results=national_json(build_national_results(session, election_record.code)),
        turnout=turnout_json(turnout_by_hour(session, election_id=eid)),
        protocols=protocols,
        station_keys=keys,
        poll_book_keys=published_desk_keys(session, eid),
        poll_book_figures=figures_by_station(session, election_record.code),
        audit_sequence=sequence,
        audit_head_hash=head_hash,
        generated_at=now or datetime.now(UTC),
        tree_heads=audit_tree.signed_heads(session),
        tree_head_keys=audit_tree.tree_head_keys(session),
        certifications=[
            c.as_dict() for c in published_certifications(session, election_record.code)
        ],
        audit_entry_hashes=entry_hashes,
        clock=ClockKind.DRILL.value if election_record.drill else ClockKind.REAL.value,
        runoffs=published_runoffs(session, eid),
        runoff_protocols=counted_runoff_protocols(session, eid),
        lots=[
            lot_record(row).as_dict()
            | {
                "account": row.account,
                "entered_at": _iso(row.entered_at),
                "confirmed_at": _iso(row.confirmed_at),
            }
            for row in recorded_lots(session, eid)
        ],
    )


class StoredPhotos(Mapping[str, bytes]):
    """The photos of the signed paper protocols a publication names, SHA-256 → bytes, read
    one at a time from the session they were gathered in (a national night's photos are
    gigabytes: never all in memory at once). Read them before that session ends."""

    def __init__(self, session: Session | None = None, digests: Iterable[str] = ()) -> None:
        self._session = session
        self._digests = sorted(stored_photos(session, set(digests))) if session else []

    def __getitem__(self, digest: str) -> bytes:
        if self._session is None or digest not in self._digests:
            raise KeyError(digest)
        content: bytes = self._session.execute(
            select(StoredFileRow.content).where(StoredFileRow.sha256 == digest)
        ).scalar_one()
        return content

    def __iter__(self) -> Iterator[str]:
        return iter(self._digests)

    def __len__(self) -> int:
        return len(self._digests)


def _protocol_histories(session: Session, election_id: int) -> list[PublishedVersion]:
    """Every version of the stations with a version that is not counted."""
    counted = dict(
        session.execute(
            select(StationResultRow.station_id, StationResultRow.protocol_version_id)
            .join(PollingStationRow, PollingStationRow.id == StationResultRow.station_id)
            .where(PollingStationRow.election_id == election_id)
        )
        .tuples()
        .all()
    )
    annulled = annulled_stations(session, election_id)
    by_station: dict[int, list[tuple[str, ProtocolVersionRow, str]]] = {}
    for code, version, public_key in session.execute(
        select(PollingStationRow.code, ProtocolVersionRow, StationKeyRow.public_key)
        .join(ProtocolVersionRow, ProtocolVersionRow.station_id == PollingStationRow.id)
        .join(StationKeyRow, StationKeyRow.id == ProtocolVersionRow.station_key_id)
        .where(PollingStationRow.election_id == election_id)
        .order_by(PollingStationRow.code, ProtocolVersionRow.version)
    ).tuples():
        by_station.setdefault(version.station_id, []).append((code, version, public_key))
    pending = stations_pending_confirmation(session, list(by_station))
    published: list[PublishedVersion] = []
    for station_id, versions in by_station.items():
        if len(versions) == 1 and counted.get(station_id) == versions[0][1].id:
            continue
        for index, (code, version, public_key) in enumerate(versions):
            is_counted = counted.get(station_id) == version.id
            published.append(
                PublishedVersion(
                    station=code,
                    version=version.version,
                    status=version.status,
                    standing=version_standing(
                        status=version.status,
                        counted=is_counted,
                        latest=index == len(versions) - 1,
                        annulled=station_id in annulled,
                        pending=station_id in pending,
                    ).value,
                    submitted_at=_iso(version.submitted_at) or "",
                    decided_at=_iso(version.decided_at),
                    decision_reason=version.decision_reason,
                    amendment_reason=version.amendment_reason,
                    reasons=[reason["code"] for reason in json.loads(version.reasons)],
                    document=json.loads(version.body),
                    signature=version.signature,
                    public_key=public_key,
                )
            )
    return published


def _decisions(session: Session, election_id: int) -> list[PublishedDecision]:
    """Every decision on a station, each with the audit entry that recorded it: a station's
    decisions and its decision entries were written in the same order, one for one."""
    entries: dict[str, list[AuditEntry]] = {}
    for entry in audit_log.entries_of(session, list(DECISION_AUDIT_ACTIONS.values())):
        entries.setdefault(str(entry.payload.get("station")), []).append(entry)
    published: list[PublishedDecision] = []
    taken: dict[str, int] = {}
    for code, decision in session.execute(
        select(PollingStationRow.code, StationDecisionRow)
        .join(StationDecisionRow, StationDecisionRow.station_id == PollingStationRow.id)
        .where(PollingStationRow.election_id == election_id)
        .order_by(PollingStationRow.code, StationDecisionRow.id)
    ).tuples():
        recorded = entries.get(code, [])
        index = taken.get(code, 0)
        taken[code] = index + 1
        published.append(
            PublishedDecision(
                station=code,
                kind=decision.kind,
                reason=decision.reason,
                decided_at=_iso(decision.decided_at) or "",
                audit_entry=recorded[index] if index < len(recorded) else None,
            )
        )
    return published
