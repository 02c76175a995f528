"""Round 2's sheet takes the photo of its signed paper protocol as round 1's: sent after the
round-2 version that names its SHA-256 (PUT .../runoff/protocols/{version}/photo), kept,
logged as round 2's and published. Hostile: not what was signed, a version that names no
photo, an unknown version, another station's token, a replay (stored once)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_protocol_photo import jpeg, photo_entries
from tests.api.test_round_two_protocols import _round_two
from tests.runoff_election import poll_and_certify, two_round_copy
from tests.station_client import Api

STATION = "001-0001"


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


def _send(api: Api, content: bytes, *, version: int = 1, station: str = STATION) -> Any:
    return api.client.put(
        f"/api/v1/stations/{STATION}/runoff/protocols/{version}/photo",
        content=content,
        headers=api.headers(api.station_token(station)) | {"Content-Type": "image/jpeg"},
    )


def test_round_two_photo_is_stored_logged_and_published(api: Api) -> None:
    poll_and_certify(api, 1)
    defined = api.client.post("/api/v1/contests/constituency-1/runoff", headers=api.commission)
    assert defined.status_code == 201, defined.text
    photo = jpeg(colour="grey")
    digest = hashlib.sha256(photo).hexdigest()
    document = _round_two(STATION, {"C001": 300, "C002": 500}, 1200) | {"photo_sha256": digest}
    assert api.submit(document).json()["status"] == "accepted"
    # Round 1's version 1 names no photo: round 2's photo is not round 1's.
    round_one = api.client.put(
        f"/api/v1/stations/{STATION}/protocols/1/photo",
        content=photo,
        headers=api.headers(api.station_token(STATION)) | {"Content-Type": "image/jpeg"},
    )
    assert (round_one.status_code, round_one.json()["error"]["code"]) == (409, "no_photo_signed")
    wrong = _send(api, jpeg(colour="black"))
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (422, "photo_hash_mismatch")
    unknown = _send(api, photo, version=2)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_version")
    foreign = _send(api, photo, station="001-0002")
    assert foreign.status_code == 403
    assert photo_entries(api) == []

    stored = _send(api, photo)
    assert stored.status_code == 201, stored.text
    assert stored.json() == {
        "station": STATION,
        "version": 1,
        "photo_sha256": digest,
        "already_stored": False,
    }
    (entry,) = photo_entries(api)
    assert (entry["round"], entry["sha256"]) == (2, digest)
    published = api.client.get(f"/api/v1/photos/{digest}.jpg")
    assert published.status_code == 200
    assert published.content == photo
    again = _send(api, photo)
    assert (again.status_code, again.json()["already_stored"]) == (200, True)
    assert len(photo_entries(api)) == 1
