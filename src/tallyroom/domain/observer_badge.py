"""The printable badge of an accredited observer: name, badge number, organisation and the
personal credential as a QR code (segno renders it as SVG)."""

from __future__ import annotations

from xml.sax.saxutils import escape

import segno

BADGE_WIDTH = 320
BADGE_HEIGHT = 480


def credential_qr_svg(credential: str) -> str:
    """The credential as an SVG QR code (error correction M: a creased badge still scans)."""
    return str(segno.make(credential, error="m", micro=False).svg_inline(scale=5, border=2))


def badge_svg(
    *, full_name: str, badge_number: str, organisation: str | None, kind: str, credential: str
) -> str:
    """A standalone SVG badge, printable at 80 × 120 mm."""
    qr = credential_qr_svg(credential)
    lines = [
        ("Observer", 36, 20, "bold"),
        (full_name, 84, 18, "normal"),
        (organisation or kind.replace("_", " "), 112, 14, "normal"),
        (badge_number, 150, 24, "bold"),
    ]
    texts = "".join(
        f'<text x="{BADGE_WIDTH // 2}" y="{y}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="middle" font-family="sans-serif">{escape(text)}</text>'
        for text, y, size, weight in lines
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="80mm" height="120mm" '
        f'viewBox="0 0 {BADGE_WIDTH} {BADGE_HEIGHT}">'
        f'<rect x="1" y="1" width="{BADGE_WIDTH - 2}" height="{BADGE_HEIGHT - 2}" '
        f'fill="white" stroke="black"/>{texts}'
        f'<g transform="translate(70,180)">{_nested(qr)}</g></svg>'
    )


def _nested(svg: str) -> str:
    # segno's inline SVG has no XML declaration: it nests as is, sized by its own width.
    return svg.replace("<svg ", '<svg x="0" y="0" ', 1)
