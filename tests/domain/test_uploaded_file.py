"""The server's checks of uploaded files: the photo of a signed protocol kept byte for byte
(a plain JPEG of bounded size, no metadata, else refused), an observer's photo cleaned."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tallyroom.domain.uploaded_file import (
    MAXIMUM_SIGNED_PHOTO_SIDE,
    UploadKind,
    UploadRefused,
    checked_signed_photo,
    checked_upload,
)


def jpeg(size: tuple[int, int] = (40, 30), **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "JPEG", **options)
    return buffer.getvalue()


def exif_with_location() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {1: "N", 2: (40.0, 24.0, 0.0)}
    return exif


def test_a_plain_jpeg_as_a_browser_canvas_writes_it_is_kept_byte_for_byte() -> None:
    data = jpeg()
    checked = checked_signed_photo(data, declared_type="image/jpeg")
    assert (checked.width, checked.height) == (40, 30)
    assert checked.content == data
    assert checked.media_type is UploadKind.JPEG


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (jpeg(exif=exif_with_location()), "photo_has_metadata"),
        (jpeg(comment=b"taken at school 12"), "photo_has_metadata"),
        (jpeg(icc_profile=b"\0" * 128), "photo_has_metadata"),
        (b"\xff\xd8\xff" + b"\0" * 100, "damaged_file"),
        (b"GIF89a" + b"\0" * 10, "unsupported_type"),
        (png(), "unsupported_type"),
        (b"", "empty_file"),
        (b"\xff\xd8\xff" + b"\0" * 3_000_000, "file_too_large"),
        (jpeg((MAXIMUM_SIGNED_PHOTO_SIDE + 1, 8)), "image_too_large"),
    ],
)
def test_anything_else_is_refused_with_its_code(data: bytes, code: str) -> None:
    with pytest.raises(UploadRefused) as refused:
        checked_signed_photo(data)
    assert refused.value.code == code


def test_a_declared_type_that_is_not_the_content_is_refused() -> None:
    with pytest.raises(UploadRefused) as refused:
        checked_signed_photo(jpeg(), declared_type="image/png")
    assert refused.value.code == "type_mismatch"


def test_an_observers_photo_is_cleaned_of_its_metadata_instead() -> None:
    cleaned = checked_upload(jpeg(exif=exif_with_location()), photos_only=True).content
    assert checked_signed_photo(cleaned).content == cleaned
