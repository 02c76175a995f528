"""The server's check of a protocol photo: a plain JPEG of bounded size, no metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tallyroom.domain.protocol_photo import MAXIMUM_PHOTO_SIDE, PhotoRefused, checked_photo


def jpeg(size: tuple[int, int] = (40, 30), **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "JPEG", **options)
    return buffer.getvalue()


def test_a_plain_jpeg_as_a_browser_canvas_writes_it_is_kept() -> None:
    facts = checked_photo(jpeg())
    assert (facts.width, facts.height) == (40, 30)


def exif_with_location() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {1: "N", 2: (40.0, 24.0, 0.0)}
    return exif


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (jpeg(exif=exif_with_location()), "metadata"),
        (jpeg(comment=b"taken at school 12"), "metadata"),
        (jpeg(icc_profile=b"\0" * 128), "metadata"),
        (b"\xff\xd8\xff" + b"\0" * 100, "cannot be decoded"),
        (b"GIF89a" + b"\0" * 10, "not a JPEG"),
        (b"\xff\xd8\xff" + b"\0" * 3_000_000, "larger than"),
        (jpeg((MAXIMUM_PHOTO_SIDE + 1, 8)), "pixels a side"),
    ],
)
def test_anything_else_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(PhotoRefused, match=why):
        checked_photo(data)


def test_png_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    with pytest.raises(PhotoRefused, match="not a JPEG"):
        checked_photo(buffer.getvalue())
