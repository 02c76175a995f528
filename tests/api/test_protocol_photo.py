"""The photo of a signed paper protocol: sent after the version that names its SHA-256, kept
byte for byte, logged, published; refused whole (nothing stored) when it is not a plain JPEG,
carries metadata, is too large, empty, not what was signed, or for another station."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, StoredFileRow
from tests.station_client import Api, protocol, zero_figures


def jpeg(size: tuple[int, int] = (64, 48), colour: str = "white", **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", **options)
    return buffer.getvalue()


def signed_with_photo(
    photo: bytes | None, station: str = "001-0001", **changes: Any
) -> dict[str, Any]:
    document = protocol(station=station, **changes)
    digest = hashlib.sha256(photo).hexdigest() if photo is not None else None
    return document | {"format": 2, "contest": "constituency-1", "photo_sha256": digest}


def send_photo(
    api: Api, content: bytes, *, station: str = "001-0001", version: int = 1, **options: Any
) -> Any:
    headers = api.headers(options.pop("token", None) or api.station_token(station))
    headers["Content-Type"] = options.pop("content_type", "image/jpeg")
    return api.client.put(
        f"/api/v1/stations/{station}/protocols/{version}/photo", content=content, headers=headers
    )


def stored_files(api: Api) -> int:
    with transaction(api.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(StoredFileRow)) or 0)


def photo_entries(api: Api) -> list[dict[str, Any]]:
    with transaction(api.sessions) as session:
        rows = session.scalars(
            select(AuditEntryRow.payload).where(AuditEntryRow.action == "protocol.photo_stored")
        ).all()
    return [json.loads(row) if isinstance(row, str) else row for row in rows]


def test_the_signed_photo_is_stored_logged_and_published(api: Api) -> None:
    photo = jpeg()
    assert api.submit(signed_with_photo(photo)).status_code == 201
    response = send_photo(api, photo)
    assert response.status_code == 201, response.text
    digest = hashlib.sha256(photo).hexdigest()
    assert response.json() == {
        "station": "001-0001",
        "version": 1,
        "photo_sha256": digest,
        "already_stored": False,
    }
    (entry,) = photo_entries(api)
    assert entry["sha256"] == digest
    assert entry["station"] == "001-0001"
    published = api.client.get(f"/api/v1/photos/{digest}.jpg")
    assert published.status_code == 200
    assert published.headers["content-type"] == "image/jpeg"
    assert published.content == photo
    again = send_photo(api, photo)
    assert again.status_code == 200
    assert again.json()["already_stored"] is True
    assert len(photo_entries(api)) == 1


def exif_with_location() -> Image.Exif:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 24.0, 0.0)}
    return exif


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("photo", "status", "code"),
    [
        (png(), 422, "unsupported_type"),
        (b"<html>not a photo</html>", 422, "unsupported_type"),
        (jpeg(exif=exif_with_location()), 422, "photo_has_metadata"),
        (jpeg(comment=b"school 12, room 3"), 422, "photo_has_metadata"),
        (jpeg(icc_profile=b"\0" * 128), 422, "photo_has_metadata"),
        (b"", 422, "empty_file"),
        (b"\xff\xd8\xff" + bytes(3_000_000), 413, "file_too_large"),
        (b"\xff\xd8\xff" + bytes(5_000_000), 413, "body_too_large"),
        (jpeg((4_001, 8)), 413, "image_too_large"),
        (b"\xff\xd8\xff\xe0" + bytes(200), 422, "damaged_file"),
    ],
)
def test_a_photo_that_is_not_a_plain_jpeg_is_refused_and_nothing_stored(
    api: Api, photo: bytes, status: int, code: str
) -> None:
    # The station signed exactly these bytes: only the server's checks stand in the way.
    assert api.submit(signed_with_photo(photo)).status_code == 201
    response = send_photo(api, photo)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert stored_files(api) == 0
    assert photo_entries(api) == []


def test_a_photo_that_is_not_the_signed_one_is_refused(api: Api) -> None:
    assert api.submit(signed_with_photo(jpeg(colour="white"))).status_code == 201
    response = send_photo(api, jpeg(colour="black"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "photo_hash_mismatch"
    assert stored_files(api) == 0


def test_a_declared_type_other_than_the_content_is_refused(api: Api) -> None:
    photo = jpeg()
    assert api.submit(signed_with_photo(photo)).status_code == 201
    response = send_photo(api, photo, content_type="image/png")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "type_mismatch"


def test_a_station_cannot_send_a_photo_for_another_station(api: Api) -> None:
    photo = jpeg()
    other = signed_with_photo(photo, station="001-0002")
    assert api.submit(other).status_code == 201
    response = send_photo(api, photo, station="001-0002", token=api.station_token("001-0001"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "out_of_scope"
    # nor hang another station's signed photo on its own version
    assert api.submit(signed_with_photo(jpeg(colour="red"))).status_code == 201
    response = send_photo(api, photo)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "photo_hash_mismatch"
    assert stored_files(api) == 0


def test_no_photo_for_a_version_not_stored_or_signed_without_one(api: Api) -> None:
    photo = jpeg()
    response = send_photo(api, photo)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_version"
    assert api.submit(signed_with_photo(None)).status_code == 201
    response = send_photo(api, photo)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_photo_signed"


def test_without_a_token_or_with_a_bad_version_it_is_refused(api: Api) -> None:
    response = api.client.put(
        "/api/v1/stations/001-0001/protocols/1/photo",
        content=jpeg(),
        headers={"Content-Type": "image/jpeg"},
    )
    assert response.status_code == 401
    for version in ("0", "x", str(2**40)):
        response = api.client.put(
            f"/api/v1/stations/001-0001/protocols/{version}/photo",
            content=jpeg(),
            headers=api.headers(api.station_token("001-0001")),
        )
        assert response.status_code == 422


@pytest.mark.parametrize("sha256", ["0" * 64, "A" * 64, "zz", "0" * 65])
def test_an_unknown_photo_is_not_found(api: Api, sha256: str) -> None:
    assert api.client.get(f"/api/v1/photos/{sha256}.jpg").status_code == 404


def test_an_all_zero_protocol_is_refused(api: Api) -> None:
    zero = zero_figures()
    response = api.submit(protocol(figures=zero))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "all_zero_protocol"
    # one figure other than zero is a sheet (the checks judge whether it adds up)
    response = api.submit(protocol(figures=dataclasses.replace(zero, registered_voters=5)))
    assert response.status_code == 201, response.text


def test_the_public_station_page_shows_the_photo_beside_the_numbers(api: Api) -> None:
    photo = jpeg(colour="olive")
    digest = hashlib.sha256(photo).hexdigest()
    assert api.submit(signed_with_photo(photo)).status_code == 201
    page = api.client.get("/stations/001-0001?lang=en").text
    assert 'data-photo="awaited"' in page
    assert f"/api/v1/photos/{digest}.jpg" not in page
    assert send_photo(api, photo).status_code == 201
    for language in ("en", "az", "ru"):
        page = api.client.get(f"/stations/001-0001?lang={language}").text
        assert 'data-photo="stored"' in page
        assert f'<img src="/api/v1/photos/{digest}.jpg"' in page
        # beside the figures, inside the version's own tables
        tables = page.index('class="protocol-tables"')
        assert tables < page.index('data-figure-photo="1"') < page.index("<details>", tables)
