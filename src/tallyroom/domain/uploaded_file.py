"""What an uploaded photo or PDF must be: its type sniffed from the content (never from the
name or the declared type alone), within size limits, and a photo without its metadata
(EXIF carries the phone's location and serial number).

Two ways for a photo: an observer's or complainant's upload is cleaned (re-encoded from its
pixels), while the photo of a signed paper protocol is kept byte for byte, because its
SHA-256 is inside the signed document: it must arrive as the station app re-encoded it, a
plain JPEG without any metadata segment, or it is refused (never cleaned)."""

from __future__ import annotations

import enum
import hashlib
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAXIMUM_PHOTO_BYTES = 5 * 1024 * 1024
MAXIMUM_PDF_BYTES = 10 * 1024 * 1024
#: a larger image is a decompression bomb, not a photo of a protocol
MAXIMUM_PHOTO_PIXELS = 40_000_000
#: the photo of a signed protocol: the app sends at most 1,600 px a side, well under these
MAXIMUM_SIGNED_PHOTO_BYTES = 3_000_000
MAXIMUM_SIGNED_PHOTO_SIDE = 4_000
#: what a plain JPEG's decoder reports without any metadata segment in the file
_PLAIN_JPEG_INFO = {
    "jfif",
    "jfif_version",
    "jfif_unit",
    "jfif_density",
    "dpi",
    "progressive",
    "progression",
}


#: what Pillow raises for bytes that are not the picture they claim to be
_UNREADABLE = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    Image.DecompressionBombError,
)


class UploadKind(enum.StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    PDF = "application/pdf"

    @property
    def is_photo(self) -> bool:
        return self is not UploadKind.PDF


class UploadRefused(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file fit to store: its bytes (a photo re-encoded without metadata) and digest."""

    media_type: UploadKind
    content: bytes
    #: pixels, for photos (0 for a PDF)
    width: int = 0
    height: int = 0

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def sniffed_kind(content: bytes) -> UploadKind | None:
    if content.startswith(b"\xff\xd8\xff"):
        return UploadKind.JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return UploadKind.PNG
    if content.startswith(b"%PDF-"):
        return UploadKind.PDF
    return None


def checked_upload(
    content: bytes, *, declared_type: str | None = None, photos_only: bool = False
) -> CheckedFile:
    """The file as it will be stored, or UploadRefused saying why."""
    if not content:
        raise UploadRefused("empty_file", "the file is empty")
    kind = sniffed_kind(content)
    if kind is None or (photos_only and not kind.is_photo):
        wanted = "a JPEG or PNG photo" if photos_only else "a JPEG or PNG photo or a PDF"
        raise UploadRefused("unsupported_type", f"the content is not {wanted}")
    if declared_type and declared_type.split(";")[0].strip().lower() != kind.value:
        raise UploadRefused(
            "type_mismatch", f"declared as {declared_type!r} but the content is {kind.value}"
        )
    limit = MAXIMUM_PHOTO_BYTES if kind.is_photo else MAXIMUM_PDF_BYTES
    if len(content) > limit:
        raise UploadRefused("file_too_large", f"the file is over {limit // (1024 * 1024)} MiB")
    if not kind.is_photo:
        if b"%%EOF" not in content[-1024:]:
            raise UploadRefused("damaged_file", "the PDF is cut short (no end-of-file marker)")
        return CheckedFile(kind, content)
    return CheckedFile(kind, _photo_without_metadata(content, kind))


def _photo_without_metadata(content: bytes, kind: UploadKind) -> bytes:
    try:
        with Image.open(io.BytesIO(content)) as probe:
            width, height = probe.size
            if width * height > MAXIMUM_PHOTO_PIXELS:
                raise UploadRefused("image_too_large", "the photo has too many pixels")
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            # Only the pixels are kept: EXIF, XMP and comments are left behind.
            clean = Image.frombytes(image.mode, image.size, image.tobytes())
            palette = image.getpalette() if image.mode == "P" else None
            if palette:
                clean.putpalette(palette)
            out = io.BytesIO()
            if kind is UploadKind.JPEG:
                clean.convert("RGB").save(out, format="JPEG", quality=90)
            else:
                clean.save(out, format="PNG")
            return out.getvalue()
    except UploadRefused:
        raise
    except _UNREADABLE as error:
        raise UploadRefused("damaged_file", f"the photo cannot be read ({error})") from None


def checked_signed_photo(content: bytes, *, declared_type: str | None = None) -> CheckedFile:
    """The photo of a signed protocol exactly as sent, or UploadRefused: a JPEG (sniffed from
    the content), at most MAXIMUM_SIGNED_PHOTO_BYTES and MAXIMUM_SIGNED_PHOTO_SIDE px a side,
    decodable, and without EXIF, XMP, ICC, IPTC or comment segments."""
    if not content:
        raise UploadRefused("empty_file", "the photo is empty")
    kind = sniffed_kind(content)
    if kind is not UploadKind.JPEG:
        raise UploadRefused("unsupported_type", "the photo is not a JPEG")
    if declared_type and declared_type.split(";")[0].strip().lower() != kind.value:
        raise UploadRefused(
            "type_mismatch", f"declared as {declared_type!r} but the content is {kind.value}"
        )
    if len(content) > MAXIMUM_SIGNED_PHOTO_BYTES:
        raise UploadRefused(
            "file_too_large", f"the photo is larger than {MAXIMUM_SIGNED_PHOTO_BYTES:,} bytes"
        )
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != "JPEG":
                raise UploadRefused("unsupported_type", "the photo is not a JPEG")
            width, height = image.size
            if max(width, height) > MAXIMUM_SIGNED_PHOTO_SIDE:
                raise UploadRefused(
                    "image_too_large",
                    f"the photo is larger than {MAXIMUM_SIGNED_PHOTO_SIDE} pixels a side",
                )
            kept = sorted(str(name) for name in set(image.info) - _PLAIN_JPEG_INFO)
            if kept or image.getexif() or _has_metadata_segment(image):
                raise UploadRefused(
                    "photo_has_metadata",
                    "the photo carries metadata (" + (", ".join(kept) or "EXIF") + "); "
                    "send it as the station app re-encodes it",
                )
            image.load()
    except UploadRefused:
        raise
    except _UNREADABLE:
        raise UploadRefused("damaged_file", "the photo cannot be decoded as a JPEG") from None
    return CheckedFile(kind, content, width, height)


def _has_metadata_segment(image: Image.Image) -> bool:
    # APP0 is the JFIF header every encoder writes; any other application segment (APP1 EXIF
    # or XMP, APP2 ICC, APP13 IPTC …) or a comment is metadata.
    return any(marker != "APP0" for marker, _ in getattr(image, "applist", []))
