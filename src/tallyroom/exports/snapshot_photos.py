"""The photos of the signed paper protocols in a snapshot: `photos/<sha256>.jpg`, each named
by the SHA-256 a published signed document gives as its `photo_sha256`. A reader checks that
every photo's bytes hash to its name and that some published signed document names it, so a
picture cannot be swapped or slipped in beside the numbers."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tallyroom.exports.snapshot_layout import PROTOCOLS_FOLDER, VERSIONS_FOLDER

PHOTOS_FOLDER = "photos"
_PHOTO_NAME = re.compile(r"^([0-9a-f]{64})\.jpg$")


def photo_path(sha256: str) -> str:
    return f"{PHOTOS_FOLDER}/{sha256}.jpg"


def signed_photo_digests(documents: Iterable[Mapping[str, Any]]) -> set[str]:
    """The photo_sha256 of each signed protocol document that names one."""
    digests = set()
    for document in documents:
        value = document.get("photo_sha256")
        if isinstance(value, str):
            digests.add(value)
    return digests


def _published_documents(folder: Path) -> Iterator[Mapping[str, Any]]:
    for path in sorted((folder / PROTOCOLS_FOLDER).glob("*.json")):
        entry = _json(path)
        if isinstance(entry, dict) and isinstance(entry.get("protocol"), dict):
            yield entry["protocol"]
    for path in sorted((folder / VERSIONS_FOLDER).glob("*.json")):
        history = _json(path)
        versions = history.get("versions") if isinstance(history, dict) else None
        for entry in versions if isinstance(versions, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("protocol"), dict):
                yield entry["protocol"]


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        return None  # reported by the protocol checks


def photo_problems(folder: Path) -> tuple[list[str], int]:
    """(problems, photos verified): a photo whose bytes do not hash to its name, or that no
    published signed document names, is a problem. (The documents' own signatures are
    checked with the protocols.)"""
    photo_folder = folder / PHOTOS_FOLDER
    if not photo_folder.is_dir():
        return [], 0
    signed = signed_photo_digests(_published_documents(folder))
    problems: list[str] = []
    verified = 0
    for path in sorted(photo_folder.iterdir()):
        name = f"{PHOTOS_FOLDER}/{path.name}"
        found = _PHOTO_NAME.fullmatch(path.name)
        if found is None:
            problems.append(f"{name}: a photo is named <its SHA-256>.jpg")
            continue
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != found.group(1):
            problems.append(
                f"{name}: its SHA-256 is {actual}: these are not the bytes the station signed"
            )
        elif found.group(1) not in signed:
            problems.append(f"{name}: no published signed protocol names this photo")
        else:
            verified += 1
    return problems, verified
