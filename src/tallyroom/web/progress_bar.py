"""Protocols received of the total, as an SVG bar made on the server."""

from __future__ import annotations

from html import escape

WIDTH = 300.0
HEIGHT = 18.0


def progress_bar_svg(*, done: int, total: int, title: str, identifier: str = "progress") -> str:
    """A bar filled in proportion to done/total; the title carries the figures in words."""
    fraction = min(max(done / total, 0.0), 1.0) if total else 0.0
    filled = WIDTH * fraction
    return (
        f'<svg class="progress-bar" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH:g} {HEIGHT:g}" preserveAspectRatio="none" '
        f'aria-labelledby="{identifier}-title" data-done="{done}" data-total="{total}">'
        f'<title id="{identifier}-title">{escape(title)}</title>'
        f'<rect class="progress-track" width="{WIDTH:g}" height="{HEIGHT:g}" rx="3" '
        f'fill="#dfe3e8"/>'
        f'<rect class="progress-done" width="{filled:.2f}" height="{HEIGHT:g}" rx="3" '
        f'fill="#0b6e4f"/>'
        "</svg>"
    )
