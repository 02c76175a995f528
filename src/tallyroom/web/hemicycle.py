"""The parliament as a hemicycle: one dot per seat in its group's colour, seats won solid and
seats only led pale with an outline, leveling seats ringed in black, the majority line,
undeclared seats left grey. SVG made on the server; seat positions from parliamentarch."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from parliamentarch.geometry import get_nrows_from_nseats, get_row_thickness, get_seats_centers

from tallyroom.domain.candidate import Nomination
from tallyroom.domain.seat_tally import SeatGroup

#: Colours of the groups that are not a party's own nominees.
PARTY_MEMBER_COLOUR = "#7b4fa0"
NON_PARTY_COLOUR = "#4d4d4d"
UNDECLARED_COLOUR = "#e4e4e4"
UNDECLARED_OUTLINE = "#9a9a9a"
#: Hatching marks party members standing as independents, so the group reads without colour.
PARTY_MEMBER_FILL = "url(#hatch-party-member)"
#: A seat only led (its count not complete) is drawn pale inside an outline of its colour.
LEADING_FILL_OPACITY = 0.3
#: A leveling seat is ringed in black whatever its party's colour, so it reads without colour.
LEVELING_OUTLINE = "#111111"

WIDTH = 400.0
SEAT_RADIUS_FACTOR = 0.8


@dataclass(frozen=True, slots=True)
class HemicycleGroup:
    """One coloured block of seats, left to right."""

    key: str  # "party:YAP", "party_member", "non_party" or "undeclared"
    label: str
    seats: int
    colour: str
    #: the SVG fill: the colour, or a hatching pattern
    fill: str
    #: of `seats`, those won; the rest are only led
    won: int = 0
    #: of `seats`, the leveling seats (drawn last in the group, ringed)
    leveling: int = 0

    @property
    def leading(self) -> int:
        return 0 if self.key == "undeclared" else self.seats - self.won


def hemicycle_groups(
    seats: Sequence[SeatGroup],
    *,
    colours: dict[str, str],
    seats_total: int,
    labels: dict[str, str],
    leveling: Mapping[str, int] | None = None,
) -> list[HemicycleGroup]:
    """Party nominees by party (largest first), then independent party members, then non-party
    independents, then seats not yet declared. `labels` names the three non-party groups;
    `leveling` the leveling seats each party holds of its seats."""
    leveling = leveling or {}
    by_party: dict[str, list[int]] = {}
    party_members = [0, 0]
    non_party = [0, 0]
    for group in seats:
        if group.nomination is Nomination.PARTY and group.party:
            counts = by_party.setdefault(group.party, [0, 0])
        elif group.nomination is Nomination.PARTY_MEMBER:
            counts = party_members
        else:
            counts = non_party
        counts[0] += group.seats
        counts[1] += group.won
    groups = [
        HemicycleGroup(
            f"party:{party}",
            party,
            count,
            colours.get(party, "#888888"),
            colours.get(party, "#888888"),
            won,
            min(leveling.get(party, 0), count),
        )
        for party, (count, won) in sorted(by_party.items(), key=lambda item: (-item[1][0], item[0]))
    ]
    if party_members[0]:
        groups.append(
            HemicycleGroup(
                "party_member",
                labels["party_member"],
                party_members[0],
                PARTY_MEMBER_COLOUR,
                PARTY_MEMBER_FILL,
                party_members[1],
            )
        )
    if non_party[0]:
        groups.append(
            HemicycleGroup(
                "non_party",
                labels["non_party"],
                non_party[0],
                NON_PARTY_COLOUR,
                NON_PARTY_COLOUR,
                non_party[1],
            )
        )
    declared = sum(group.seats for group in groups)
    if seats_total > declared:
        groups.append(
            HemicycleGroup(
                "undeclared",
                labels["undeclared"],
                seats_total - declared,
                UNDECLARED_COLOUR,
                UNDECLARED_COLOUR,
            )
        )
    return groups


def hemicycle_svg(
    groups: Sequence[HemicycleGroup],
    *,
    majority: int,
    title: str,
    description: str,
    majority_label: str,
    centre_figure: str,
    centre_caption: str,
    won_label: str = "won",
    leading_label: str = "leading",
) -> str:
    """The hemicycle as an accessible SVG element (role img, <title> and <desc>). In each
    group the seats won come first, solid; the seats only led follow, pale and outlined
    (class `seat-leading`); a group's leveling seats are its last, ringed in black (class
    `seat-leveling`)."""
    seats_total = sum(group.seats for group in groups)
    height = WIDTH / 2 + 8
    parts = [
        f'<svg class="hemicycle" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH:g} {height:g}" aria-labelledby="hemicycle-title hemicycle-desc" '
        f'data-seats="{seats_total}">',
        f'<title id="hemicycle-title">{escape(title)}</title>',
        f'<desc id="hemicycle-desc">{escape(description)}</desc>',
        '<defs><pattern id="hatch-party-member" width="4" height="4" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="4" height="4" fill="{PARTY_MEMBER_COLOUR}"/>'
        '<rect width="1.4" height="4" fill="#ffffff" fill-opacity="0.75"/></pattern></defs>',
    ]
    if seats_total:
        centres = get_seats_centers(seats_total)
        ordered = sorted(centres, key=centres.__getitem__, reverse=True)  # left to right
        radius = SEAT_RADIUS_FACTOR * get_row_thickness(get_nrows_from_nseats(seats_total))
        scale = WIDTH / 2
        seats = iter(ordered)
        for group in groups:
            outline = (
                f' stroke="{UNDECLARED_OUTLINE}" stroke-width="0.8"'
                if group.key == "undeclared"
                else ""
            )
            title = f"{group.label}: {group.seats}"
            if group.key != "undeclared":
                title += f" ({won_label}: {group.won}; {leading_label}: {group.leading})"
            parts.append(
                f'<g class="seat-group" data-group="{escape(group.key)}" '
                f'fill="{escape(group.fill)}"{outline} data-won="{group.won}" '
                f'data-leading="{group.leading}" data-leveling="{group.leveling}">'
                f"<title>{escape(title)}</title>"
            )
            for index in range(group.seats):
                x, y = next(seats)
                marked = _seat_marks(
                    group,
                    leading=bool(group.leading) and index >= group.won,
                    leveling=index >= group.seats - group.leveling,
                )
                parts.append(
                    f'<circle cx="{x * scale:.2f}" cy="{(1 - y) * scale + 4:.2f}" '
                    f'r="{radius * scale:.2f}"{marked}/>'
                )
            parts.append("</g>")
        parts.append(_majority_line(ordered, centres, majority, scale, majority_label))
    parts.append(
        f'<text class="hemicycle-figure" x="{WIDTH / 2:g}" y="{height - 34:g}" '
        f'text-anchor="middle">{escape(centre_figure)}</text>'
        f'<text class="hemicycle-caption" x="{WIDTH / 2:g}" y="{height - 14:g}" '
        f'text-anchor="middle">{escape(centre_caption)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _seat_marks(group: HemicycleGroup, *, leading: bool, leveling: bool) -> str:
    """A seat's class and outline: only led, pale inside its colour's outline; a leveling
    seat, ringed in black (over the leading outline, which its pale fill still shows)."""
    classes: list[str] = []
    attributes = ""
    stroke = ""
    if leading:
        classes.append("seat-leading")
        attributes += f' fill-opacity="{LEADING_FILL_OPACITY:g}"'
        stroke = f' stroke="{escape(group.colour)}" stroke-width="1.2"'
    if leveling:
        classes.append("seat-leveling")
        stroke = f' stroke="{LEVELING_OUTLINE}" stroke-width="1.6"'
    if not classes:
        return ""
    return f' class="{" ".join(classes)}"{attributes}{stroke}'


def _majority_line(
    ordered: Sequence[tuple[float, float]],
    angles: dict[tuple[float, float], float],
    majority: int,
    scale: float,
    label: str,
) -> str:
    """A dashed radial line after the majority-th seat from the left."""
    if not 0 < majority < len(ordered):
        return ""
    angle = (angles[ordered[majority - 1]] + angles[ordered[majority]]) / 2
    inner, outer = 0.42, 1.02
    x1, y1 = 1 + inner * math.cos(angle), inner * math.sin(angle)
    x2, y2 = 1 + outer * math.cos(angle), outer * math.sin(angle)
    return (
        f'<line class="majority-line" x1="{x1 * scale:.2f}" y1="{(1 - y1) * scale + 4:.2f}" '
        f'x2="{x2 * scale:.2f}" y2="{(1 - y2) * scale + 4:.2f}" stroke="#111" '
        f'stroke-width="1.5" stroke-dasharray="4 3"><title>{escape(label)}</title></line>'
    )
