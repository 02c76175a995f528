"""The snapshot's manifest: every file with its SHA-256 and size, and reading it back."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tallyroom.exports.snapshot_layout import FORMAT, MANIFEST


class NotASnapshot(Exception):
    """The folder is missing or holds no readable snapshot manifest."""


def generated_timestamp(moment: datetime) -> str:
    """NIST's DateTimeWithZone allows no fractional seconds; the manifest uses the same."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def snapshot_files(folder: Path) -> list[str]:
    """Every file in the folder except the manifest, as sorted '/'-separated paths."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.relative_to(folder).as_posix() != MANIFEST
    )


#: the clocks a snapshot's data can have come under (domain/election_clock.py)
CLOCKS = ("real", "drill")


def manifest_document(
    folder: Path,
    *,
    election: str,
    revision: int,
    status: str,
    generated_at: datetime,
    clock: str,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "election": election,
        "revision": revision,
        "status": status,
        "clock": clock,
        "generated_at": generated_timestamp(generated_at),
        "files": [
            {
                "path": path,
                "sha256": file_digest(folder / path),
                "size": (folder / path).stat().st_size,
            }
            for path in snapshot_files(folder)
        ],
    }


def read_manifest(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise NotASnapshot(f"{folder}: no such folder")
    path = folder / MANIFEST
    if not path.is_file():
        raise NotASnapshot(f"{folder}: not a snapshot (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        raise NotASnapshot(f"{path}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise NotASnapshot(f"{path}: not a {FORMAT} manifest")
    if not isinstance(manifest.get("files"), list):
        raise NotASnapshot(f"{path}: has no list of files")
    try:
        datetime.fromisoformat(str(manifest.get("generated_at")))
    except ValueError:
        raise NotASnapshot(f"{path}: generated_at is not a date and time") from None
    return manifest
