"""Gathering what a results snapshot publishes, in one read transaction so every part of it
(protocols, totals, keys, audit head) shows the same moment."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.tree_head import SignedTreeHead
from tallyroom.service import audit_log, audit_tree
from tallyroom.service.definition_export import stored_definition
from tallyroom.service.elections import election_row
from tallyroom.service.results import build_national_results
from tallyroom.service.results_json import national_json, turnout_json
from tallyroom.service.turnout import turnout_by_hour
from tallyroom.store.schema import (
    AuditEntryRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationKeyRow,
    StationResultRow,
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
class StationKey:
    station: str
    public_key: str
    issued_at: str
    revoked_at: str | None


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
    #: the signed tree heads the snapshot follows, oldest first, and the keys that sign them
    tree_heads: list[SignedTreeHead] = field(default_factory=list)
    tree_head_keys: list[str] = field(default_factory=list)
    #: every audit entry's chain hash (32 bytes each, in sequence): the Merkle tree's
    #: leaves, so a reader proves the log extends any head kept
    audit_entry_hashes: bytes = b""


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
    return Publication(
        definition=stored_definition(session, election_record.code),
        results=national_json(build_national_results(session, election_record.code)),
        turnout=turnout_json(turnout_by_hour(session, election_id=eid)),
        protocols=protocols,
        station_keys=keys,
        audit_sequence=sequence,
        audit_head_hash=head_hash,
        generated_at=now or datetime.now(UTC),
        tree_heads=audit_tree.signed_heads(session),
        tree_head_keys=audit_tree.tree_head_keys(session),
        audit_entry_hashes=entry_hashes,
    )
