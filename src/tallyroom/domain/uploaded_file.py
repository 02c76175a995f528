"""What an uploaded photo or PDF must be: its type sniffed from the content (never from the
name or the declared type alone), within size limits, and a photo without its metadata
(EXIF carries the phone's location and serial number)."""

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
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as error:
        raise UploadRefused("damaged_file", f"the photo cannot be read ({error})") from None
