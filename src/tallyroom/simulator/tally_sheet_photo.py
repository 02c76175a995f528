"""A simulated photo of a station's signed paper protocol: the document's figures written as
text on a paper-coloured page, encoded as a plain JPEG (the JFIF header only: no EXIF, ICC or
comment), as the station app sends it after re-encoding the camera's picture.

The same document always gives the same bytes, so a re-run sends the same photo and its
SHA-256 (signed inside the document) stays the one the server holds."""

from __future__ import annotations

import hashlib
import io
from functools import cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

#: the page, portrait, at a phone's re-encoded size (the app scales to at most 1,600 px)
PAGE_SIZE = (480, 640)
PAPER = (244, 239, 224)
INK = (38, 42, 70)
MARGIN = 28
LINE_HEIGHT = 22
JPEG_QUALITY = 70
#: the lines of the paper protocol, in its order, before the candidates' votes
FIGURE_LINES = (
    ("registered_voters", "1. Voters on the register"),
    ("voters_added", "2. Added on polling day"),
    ("ballots_received", "3. Ballots received"),
    ("ballots_issued_in_station", "4. Issued in the station"),
    ("ballots_issued_portable", "5. Issued for voting at home"),
    ("unused_ballots", "6. Unused and cancelled"),
    ("ballots_cast", "7. Found in the boxes"),
    ("invalid_ballots", "8. Invalid"),
    ("blank_votes", "9. Blank"),
)


@cache
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's own font: nothing from the machine, so every machine draws the same page.
    return ImageFont.load_default(size=15)


@cache
def _ink(text: str) -> Image.Image:
    """The text's coverage (mode L), drawn once: FreeType's rendering is most of a page's
    cost, and labels, candidates' codes and digits repeat from one sheet to the next."""
    font = _font()
    _, _, right, bottom = font.getbbox(text)
    mask = Image.new("L", (max(1, int(right)), max(1, int(bottom))), 0)
    ImageDraw.Draw(mask).text((0, 0), text, fill=255, font=font)
    return mask


def _write(page: Image.Image, left: int, top: int, text: str, *, whole: bool = True) -> None:
    """Ink the text at (left, top); `whole=False` composes it character by character (figures:
    eleven glyphs make every number)."""
    pieces = [text] if whole else list(text)
    for piece in pieces:
        mask = _ink(piece)
        page.paste(INK, (left, top), mask)
        left += mask.width


def _width(text: str, *, whole: bool = True) -> int:
    return _ink(text).width if whole else sum(_ink(piece).width for piece in text)


def tally_sheet_lines(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, figure) per line of the sheet, as the paper has them."""
    figures = document["figures"]
    lines = [(label, f"{figures[name]:,}") for name, label in FIGURE_LINES if name in figures]
    lines += [(candidate, f"{votes:,}") for candidate, votes in figures["votes"].items()]
    return lines


def tally_sheet_photo(document: dict[str, Any]) -> bytes:
    """The JPEG of this document's tally sheet."""
    page = Image.new("RGB", PAGE_SIZE, PAPER)
    draw = ImageDraw.Draw(page)
    width, height = PAGE_SIZE
    top = MARGIN
    _write(page, MARGIN, top, "PROTOCOL OF THE COUNT")
    top += LINE_HEIGHT
    _write(page, MARGIN, top, "Station ")
    _write(page, MARGIN + _width("Station "), top, str(document["station"]), whole=False)
    version = f"version {document['version']}"
    _write(page, width - MARGIN - _width(version, whole=False), top, version, whole=False)
    top += LINE_HEIGHT + 8
    draw.line((MARGIN, top, width - MARGIN, top), fill=INK, width=1)
    top += 10
    for label, figure in tally_sheet_lines(document):
        if top > height - 3 * LINE_HEIGHT:
            break
        _write(page, MARGIN, top, label)
        _write(page, width - MARGIN - _width(figure, whole=False), top, figure, whole=False)
        top += LINE_HEIGHT
    signatures = height - 2 * LINE_HEIGHT
    draw.line((MARGIN, signatures, width // 2 - MARGIN, signatures), fill=INK, width=1)
    draw.line((width // 2 + MARGIN, signatures, width - MARGIN, signatures), fill=INK, width=1)
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def photographed(document: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The document naming its tally sheet's photo (`photo_sha256`), and the photo."""
    photo = tally_sheet_photo(document)
    return document | {"photo_sha256": hashlib.sha256(photo).hexdigest()}, photo
