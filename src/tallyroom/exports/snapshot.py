"""Writing a published results snapshot: an immutable, versioned folder holding the signed
protocols, the keys, the definition, the results as published, open data, the NIST report, a
static site and a manifest of SHA-256 hashes (docs/snapshot-format.md).

Pure file work on a `Publication` the service gathered; reading and verifying a snapshot
needs none of this module's inputs (see snapshot_verification)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tallyroom.definition.writer import write_definition
from tallyroom.domain.canonical_json import sha256_hex
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.key_fingerprint import key_fingerprint
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import parse_protocol_document
from tallyroom.domain.protocol_history import ANNULLED_DECISION
from tallyroom.exports.snapshot_audit_log import audit_log_files
from tallyroom.exports.snapshot_certifications import certification_files
from tallyroom.exports.snapshot_derived import derived_files
from tallyroom.exports.snapshot_layout import (
    AUDIT_HEAD,
    DECISIONS,
    DEFINITION_FOLDER,
    KEYS,
    MANIFEST,
    RESULTS,
    TURNOUT,
    protocol_path,
    protocol_versions_path,
)
from tallyroom.exports.snapshot_lots import confirmed_lots, lot_files
from tallyroom.exports.snapshot_manifest import manifest_document
from tallyroom.exports.snapshot_open_data import json_bytes
from tallyroom.exports.snapshot_photos import photo_path
from tallyroom.exports.snapshot_poll_book import DESKS_SECTION, poll_book_files
from tallyroom.exports.snapshot_runoffs import runoff_files
from tallyroom.service.definition.station_enrolment import EnrolmentPurpose
from tallyroom.service.results.publication import (
    Publication,
    PublishedDecision,
    PublishedProtocol,
    PublishedVersion,
    StationKey,
)


@dataclass(frozen=True, slots=True)
class WrittenSnapshot:
    folder: Path
    manifest_sha256: str
    files: int
    total_bytes: int


class SnapshotExists(Exception):
    """A snapshot of that name is published already; snapshots are never overwritten."""


def protocol_figures(protocols: list[PublishedProtocol]) -> dict[str, ProtocolFigures]:
    return {p.station: parse_protocol_document(p.document).figures for p in protocols}


def snapshot_name(revision: int, generated_at: datetime) -> str:
    """`r<revision>-<UTC time>`: sorts in publication order and names what it shows."""
    return f"r{revision:08d}-{generated_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def public_definition(
    definition: ElectionDefinition, results: Mapping[str, Any] | None = None
) -> ElectionDefinition:
    """The definition as a snapshot publishes it: each observer keeps code, kind, organisation,
    nationality and stations, and the accreditation code stands where the name was (observers'
    names are personal data, kept by the commission). A candidate's birth date is published
    only while she is tied on votes with another candidate of her contest (the age rule's
    decision must be checkable, as the law's proclamation states it); the rest stay with
    the commission."""
    tied = tied_on_votes(results or {})
    return replace(
        definition,
        observers=[replace(observer, full_name=observer.code) for observer in definition.observers],
        candidates=[
            candidate if candidate.code in tied else replace(candidate, birth_date=None)
            for candidate in definition.candidates
        ],
    )


def tied_on_votes(results: Mapping[str, Any]) -> frozenset[str]:
    """The candidates (codes) with as many votes as another of their constituency, round 1
    or round 2, none of them at zero."""
    tied: set[str] = set()
    for constituency in results.get("constituencies", []):
        by_votes: dict[int, list[str]] = {}
        for candidate in constituency.get("candidates", []):
            if candidate["votes"] > 0:
                by_votes.setdefault(candidate["votes"], []).append(candidate["code"])
        tied.update(code for codes in by_votes.values() if len(codes) > 1 for code in codes)
    return frozenset(tied)


def write_snapshot(publication: Publication, root: Path) -> WrittenSnapshot:
    """Write the snapshot under `root/<election>/<name>/`. It is assembled in a hidden
    sibling folder and renamed into place whole, so a reader never sees half of one."""
    results = publication.results
    election = str(results["election"])
    parent = root / election
    folder = parent / snapshot_name(int(results["revision"]), publication.generated_at)
    if folder.exists():
        raise SnapshotExists(f"{folder} exists already; a published snapshot is never replaced")
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{folder.name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    definition = public_definition(publication.definition, results)
    try:
        write_definition(definition, staging / DEFINITION_FOLDER)
        contents: dict[str, bytes] = {
            RESULTS: json_bytes(results),
            TURNOUT: json_bytes(publication.turnout),
            AUDIT_HEAD: json_bytes(
                {
                    "sequence": publication.audit_sequence,
                    "entry_hash": publication.audit_head_hash,
                }
            ),
            KEYS: json_bytes(
                _keys_document(election, publication.station_keys, publication.poll_book_keys)
            ),
        }
        contents.update(audit_log_files(publication))
        for protocol in publication.protocols:
            contents[protocol_path(protocol.station)] = json_bytes(_protocol_document(protocol))
        contents[DECISIONS] = json_bytes(_decisions_document(election, publication.decisions))
        contents.update(certification_files(election, publication.certifications))
        contents.update(runoff_files(election, publication.runoffs, publication.runoff_protocols))
        contents.update(lot_files(election, publication.lots))
        contents.update(poll_book_files(election, publication.poll_book_figures))
        histories = _histories(publication.protocol_histories)
        for station, versions in histories.items():
            contents[protocol_versions_path(station)] = json_bytes(
                {"station": station, "versions": [_version_document(v) for v in versions]}
            )
        contents.update(
            derived_files(
                definition,
                results,
                publication.turnout,
                protocol_figures(publication.protocols),
                {p.station: p.version for p in publication.protocols},
                publication.generated_at,
                annulled=annulled_codes(publication.decisions),
                latest_standings={
                    station: versions[-1].standing for station, versions in histories.items()
                },
                clock=publication.clock,
                lots=confirmed_lots(publication.lots),
                runoffs={"runoffs": publication.runoffs, "protocols": publication.runoff_protocols},
                poll_book=bool(publication.poll_book_figures),
            )
        )
        for path, content in contents.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        # one photo at a time: a night's photos are gigabytes
        for digest in publication.photos:
            target = staging / photo_path(digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(publication.photos[digest])
        manifest = manifest_document(
            staging,
            election=election,
            revision=int(results["revision"]),
            status=str(results["status"]),
            generated_at=publication.generated_at,
            clock=publication.clock,
        )
        manifest_bytes = json_bytes(manifest)
        (staging / MANIFEST).write_bytes(manifest_bytes)
        if folder.exists():  # published by someone else meanwhile
            raise SnapshotExists(f"{folder} exists already; a published snapshot is never replaced")
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WrittenSnapshot(
        folder=folder,
        manifest_sha256=sha256_hex(manifest_bytes),
        files=len(manifest["files"]) + 1,
        total_bytes=sum(entry["size"] for entry in manifest["files"]) + len(manifest_bytes),
    )


def _protocol_document(protocol: PublishedProtocol) -> dict[str, Any]:
    return {
        "station": protocol.station,
        "version": protocol.version,
        "protocol": protocol.document,
        "signature": protocol.signature,
        "public_key": protocol.public_key,
    }


def _keys_document(
    election: str, keys: list[StationKey], desks: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """The stations' signing keys (the keys protocols verify against) and, apart, their
    poll-book desks' keys (which sign no protocol), each with its purpose."""
    stations: dict[str, list[dict[str, Any]]] = {}
    for key in keys:
        stations.setdefault(key.station, []).append(
            {
                "public_key": key.public_key,
                "fingerprint": key_fingerprint(key.public_key),
                "made": key.made,
                "purpose": EnrolmentPurpose.SIGNING_DEVICE.value,
                "issued_at": key.issued_at,
                "revoked_at": key.revoked_at,
            }
        )
    document: dict[str, Any] = {"election": election, "stations": dict(sorted(stations.items()))}
    if desks:
        document[DESKS_SECTION] = dict(sorted(desks.items()))
    return document


def annulled_codes(decisions: list[PublishedDecision]) -> set[str]:
    """Stations annulled by decision (a recount order never lifts an annulment)."""
    return {decision.station for decision in decisions if decision.kind == ANNULLED_DECISION}


def _histories(versions: list[PublishedVersion]) -> dict[str, list[PublishedVersion]]:
    histories: dict[str, list[PublishedVersion]] = {}
    for version in versions:
        histories.setdefault(version.station, []).append(version)
    return histories


def _version_document(version: PublishedVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "status": version.status,
        "standing": version.standing,
        "submitted_at": version.submitted_at,
        "decided_at": version.decided_at,
        "decision_reason": version.decision_reason,
        "amendment_reason": version.amendment_reason,
        "reasons": version.reasons,
        "protocol": version.document,
        "signature": version.signature,
        "public_key": version.public_key,
    }


def _decisions_document(election: str, decisions: list[PublishedDecision]) -> dict[str, Any]:
    stations: dict[str, list[dict[str, Any]]] = {}
    for decision in decisions:
        entry = decision.audit_entry
        stations.setdefault(decision.station, []).append(
            {
                "kind": decision.kind,
                "reason": decision.reason,
                "decided_at": decision.decided_at,
                "audit_entry": None
                if entry is None
                else {
                    "sequence": entry.sequence,
                    "recorded_at": entry.recorded_at,
                    "actor": entry.actor,
                    "action": entry.action,
                    "payload": entry.payload,
                    "previous_hash": entry.previous_hash,
                    "entry_hash": entry.entry_hash,
                },
            }
        )
    return {"election": election, "stations": dict(sorted(stations.items()))}
