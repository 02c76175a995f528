"""The photos of signed paper protocols in a snapshot: published as photos/<sha256>.jpg,
and `verify` checks each photo's bytes hash to the photo_sha256 a signed document names."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.results.publication import gather_publication
from tallyroom.store.database import transaction
from tests.api.test_protocol_photo import jpeg, send_photo, signed_with_photo
from tests.exports.test_snapshot_decisions import add_to_manifest
from tests.station_client import Api

PUBLISHED_AT = datetime(2024, 9, 1, 21, 0, tzinfo=UTC)
PHOTO = jpeg((120, 90), colour="navy")
DIGEST = hashlib.sha256(PHOTO).hexdigest()


@pytest.fixture
def snapshot(api: Api, tmp_path: Path) -> Path:
    assert api.submit(signed_with_photo(PHOTO)).status_code == 201
    assert send_photo(api, PHOTO).status_code == 201
    # a photo signed by a station whose photo never arrived is simply not published
    assert api.submit(signed_with_photo(jpeg(colour="red"), station="001-0002")).status_code == 201
    with transaction(api.sessions) as session:
        publication = gather_publication(session, now=PUBLISHED_AT)
    return write_snapshot(publication, tmp_path / "published").folder


def test_the_signed_photo_is_published_and_verified(snapshot: Path) -> None:
    report = verify_snapshot(snapshot)
    assert report.problems == []
    assert report.photos_verified == 1
    assert (snapshot / f"photos/{DIGEST}.jpg").read_bytes() == PHOTO
    assert [path.name for path in (snapshot / "photos").iterdir()] == [f"{DIGEST}.jpg"]


def test_verify_catches_a_swapped_photo(snapshot: Path) -> None:
    (snapshot / f"photos/{DIGEST}.jpg").write_bytes(jpeg((120, 90), colour="green"))
    problems = verify_snapshot(snapshot).problems
    assert any(f"photos/{DIGEST}.jpg: its SHA-256 is" in problem for problem in problems)


def test_verify_catches_a_photo_no_signed_document_names(snapshot: Path) -> None:
    stranger = jpeg(colour="yellow")
    path = f"photos/{hashlib.sha256(stranger).hexdigest()}.jpg"
    (snapshot / path).write_bytes(stranger)
    add_to_manifest(snapshot, path)
    problems = verify_snapshot(snapshot).problems
    assert problems == [f"{path}: no published signed protocol names this photo"]
