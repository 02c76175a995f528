"""The photo of a signed paper protocol as the server accepts it: a JPEG the station's
browser re-encoded, so it carries no metadata (no EXIF, no location, no camera), of a bounded
size; anything else is refused, so that the published bytes are exactly the signed ones."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAXIMUM_PHOTO_BYTES = 3_000_000
MAXIMUM_PHOTO_SIDE = 4_000
#: what a plain JPEG's decoder reports without any metadata segment in the file
_PLAIN_INFO = {
    "jfif",
    "jfif_version",
    "jfif_unit",
    "jfif_density",
    "dpi",
    "progressive",
    "progression",
}


class PhotoRefused(ValueError):
    """Not a photo the server keeps: the message says why."""


@dataclass(frozen=True, slots=True)
class PhotoFacts:
    width: int
    height: int


def checked_photo(data: bytes) -> PhotoFacts:
    """The photo's size; raises PhotoRefused for anything but a plain, bounded JPEG."""
    if len(data) > MAXIMUM_PHOTO_BYTES:
        raise PhotoRefused(f"the photo is larger than {MAXIMUM_PHOTO_BYTES:,} bytes")
    if not data.startswith(b"\xff\xd8\xff"):
        raise PhotoRefused("the photo is not a JPEG")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                raise PhotoRefused("the photo is not a JPEG")
            width, height = image.size
            if max(width, height) > MAXIMUM_PHOTO_SIDE:
                raise PhotoRefused(f"the photo is larger than {MAXIMUM_PHOTO_SIDE} pixels a side")
            kept = sorted(str(name) for name in set(image.info) - _PLAIN_INFO)
            if kept or image.getexif() or _has_metadata(image):
                raise PhotoRefused(
                    "the photo carries metadata (" + (", ".join(kept) or "EXIF") + "); "
                    "send it as the station app re-encodes it"
                )
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise PhotoRefused("the photo cannot be decoded as a JPEG") from None
    return PhotoFacts(width, height)


def _has_metadata(image: Image.Image) -> bool:
    # APP0 is the JFIF header every encoder writes; any other application segment (APP1 EXIF
    # or XMP, APP2 ICC, APP13 IPTC …) or a comment is metadata.
    return any(marker != "APP0" for marker, _ in getattr(image, "applist", []))
