"""Turnout by hour as an SVG column chart made on the server: one column per published
reporting hour, its height the percentage of registered voters who had voted."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from tallyroom.domain.results import TurnoutPoint

WIDTH = 420.0
HEIGHT = 220.0
LEFT, RIGHT, TOP, BOTTOM = 40.0, 10.0, 18.0, 28.0
COLUMN_COLOUR = "#1d5f8a"


def turnout_chart_svg(
    points: Sequence[TurnoutPoint],
    *,
    title: str,
    description: str,
    format_percent: Callable[[float], str],
    format_axis: Callable[[float], str] | None = None,
    identifier: str = "turnout",
) -> str:
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    highest = max((point.percent for point in points), default=0.0)
    ceiling = max(10.0, math.ceil(highest / 10.0) * 10.0)
    parts = [
        f'<svg class="turnout-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH:g} {HEIGHT:g}" '
        f'aria-labelledby="{identifier}-title {identifier}-desc">',
        f'<title id="{identifier}-title">{escape(title)}</title>',
        f'<desc id="{identifier}-desc">{escape(description)}</desc>',
    ]
    for step in range(0, int(ceiling) + 1, 10):
        y = TOP + plot_height * (1 - step / ceiling)
        parts.append(
            f'<line x1="{LEFT:g}" x2="{WIDTH - RIGHT:g}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#c9ced4" stroke-width="0.6"/>'
            f'<text class="axis" x="{LEFT - 4:g}" y="{y + 3.5:.1f}" text-anchor="end">'
            f"{escape((format_axis or format_percent)(float(step)))}</text>"
        )
    slot = plot_width / max(len(points), 1)
    column = min(slot * 0.6, 60.0)
    for index, point in enumerate(points):
        x = LEFT + slot * index + (slot - column) / 2
        height = plot_height * point.percent / ceiling
        y = TOP + plot_height - height
        label = escape(format_percent(point.percent))
        parts.append(
            f'<g class="turnout-column" data-as-of="{escape(point.as_of)}">'
            f"<title>{escape(point.as_of)}: {label}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{height:.1f}" '
            f'fill="{COLUMN_COLOUR}"/>'
            f'<text class="value" x="{x + column / 2:.1f}" y="{y - 4:.1f}" '
            f'text-anchor="middle">{label}</text>'
            f'<text class="axis" x="{x + column / 2:.1f}" y="{HEIGHT - 10:g}" '
            f'text-anchor="middle">{escape(point.as_of)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
