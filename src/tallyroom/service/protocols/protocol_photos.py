"""The photo of a signed paper protocol: sent after the version that names it (its SHA-256 is
inside the signed document, which binds the picture to the numbers), kept byte for byte in
stored_file and logged by its SHA-256. Refused whole, nothing stored, when it is not a plain
JPEG as the station app makes it or does not hash to what the station signed. Round 2's
protocol versions take their photo the same way (round_two)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.uploaded_file import UploadRefused, checked_signed_photo
from tallyroom.service.audit import audit_log
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import Conflict, InvalidInput, NotFound, TooLarge
from tallyroom.service.protocols.protocols import require_scope, station_in_election
from tallyroom.service.results.tally import bump_revision
from tallyroom.service.watchers.stored_files import store_file, stored_file
from tallyroom.store.schema import ProtocolVersionRow, RunoffProtocolRow, StoredFileRow


@dataclass(frozen=True, slots=True)
class PhotoOutcome:
    station: str
    version: int
    sha256: str
    #: True when these bytes had been stored already
    already_stored: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "version": self.version,
            "photo_sha256": self.sha256,
            "already_stored": self.already_stored,
        }


def signed_photo_sha256(body: str) -> str | None:
    """The photo's SHA-256 a stored version's signed document names (None: no photo)."""
    value = json.loads(body).get("photo_sha256")
    return value if isinstance(value, str) else None


def store_protocol_photo(
    session: Session,
    *,
    principal: Principal,
    station_code: str,
    version: int,
    content: bytes,
    declared_type: str | None,
    round_two: bool = False,
) -> PhotoOutcome:
    station = station_in_election(session, principal.election_id, station_code)
    require_scope(principal, station)
    # A station is in one constituency, so its round-2 versions are of one round 2.
    table = RunoffProtocolRow if round_two else ProtocolVersionRow
    body = session.scalar(
        select(table.body).where(table.station_id == station.id, table.version == version)
    )
    if body is None:
        round_named = "round-2 " if round_two else ""
        raise NotFound(
            "unknown_version",
            f"station {station.code} has stored no {round_named}version {version}",
        )
    signed = signed_photo_sha256(body)
    if signed is None:
        raise Conflict(
            "no_photo_signed", f"version {version} of station {station.code} names no photo"
        )
    try:
        photo = checked_signed_photo(content, declared_type=declared_type)
    except UploadRefused as refused:
        if refused.code in ("file_too_large", "image_too_large"):
            raise TooLarge(refused.code, refused.message) from None
        raise InvalidInput(refused.code, refused.message) from None
    if photo.sha256 != signed:
        raise InvalidInput(
            "photo_hash_mismatch",
            f"the photo's SHA-256 is {photo.sha256}, but version {version} was signed "
            f"with {signed}",
            signed=signed,
        )
    if stored_file(session, signed) is not None:
        return PhotoOutcome(station.code, version, signed, already_stored=True)
    store_file(session, photo, actor=principal.actor)
    audit_log.record(
        session,
        actor=principal.actor,
        action="protocol.photo_stored",
        payload={
            "station": station.code,
            "version": version,
            "sha256": signed,
            "size": len(photo.content),
            "width": photo.width,
            "height": photo.height,
        }
        # round 1's entries stay as they were; round 2's say which round they are of
        | ({"round": 2} if round_two else {}),
    )
    # shown on the station's page: a new revision tells caches
    bump_revision(session, principal.election_id)
    return PhotoOutcome(station.code, version, signed, already_stored=False)


def published_photo(session: Session, sha256: str) -> StoredFileRow | None:
    """A stored photo that some stored protocol version of a station (round 1 or 2) signed
    (never another upload, such as a complaint's attachment that is not published)."""
    file = stored_file(session, sha256)
    if file is None or file.media_type != "image/jpeg":
        return None
    named = f'"photo_sha256":"{sha256}"'
    signed = session.scalar(
        select(ProtocolVersionRow.id).where(ProtocolVersionRow.body.contains(named)).limit(1)
    ) or session.scalar(
        select(RunoffProtocolRow.id).where(RunoffProtocolRow.body.contains(named)).limit(1)
    )
    return file if signed is not None else None
