"""The SVG charts: seat positions, colours, hatching, the majority line, progress, turnout."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from tallyroom.domain.candidate import Nomination
from tallyroom.domain.results import TurnoutPoint
from tallyroom.domain.seat_tally import SeatGroup
from tallyroom.web.hemicycle import (
    NON_PARTY_COLOUR,
    PARTY_MEMBER_FILL,
    UNDECLARED_COLOUR,
    hemicycle_groups,
    hemicycle_svg,
)
from tallyroom.web.progress_bar import progress_bar_svg
from tallyroom.web.turnout_chart import turnout_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {"party_member": "Party members", "non_party": "Non-party", "undeclared": "Undeclared"}


def parliament(seats: list[SeatGroup], total: int = 125) -> ElementTree.Element:
    groups = hemicycle_groups(
        seats, colours={"YAP": "#1f5aa6", "REAL": "#e4572e"}, seats_total=total, labels=LABELS
    )
    svg = hemicycle_svg(
        groups,
        majority=total // 2 + 1,
        title="Seats",
        description="d",
        majority_label="Majority",
        centre_figure="125",
        centre_caption="seats",
    )
    return ElementTree.fromstring(svg)


def group_sizes(root: ElementTree.Element) -> dict[str, int]:
    return {g.get("data-group", ""): len(g.findall(f"{SVG}circle")) for g in root.iter(f"{SVG}g")}


def test_reference_parliament_has_125_seats_in_groups() -> None:
    root = parliament(
        [
            SeatGroup("YAP", Nomination.PARTY, 68),
            SeatGroup("REAL", Nomination.PARTY, 1),
            SeatGroup("YAP", Nomination.PARTY_MEMBER, 20),
            SeatGroup(None, Nomination.NON_PARTY, 25),
            SeatGroup("MUS", Nomination.PARTY, 11),
        ]
    )
    assert root.get("role") == "img"
    assert root.get("data-seats") == "125"
    assert group_sizes(root) == {
        "party:YAP": 68,
        "party:MUS": 11,
        "party:REAL": 1,
        "party_member": 20,
        "non_party": 25,
    }
    fills = {g.get("data-group"): g.get("fill") for g in root.iter(f"{SVG}g")}
    assert fills["party:YAP"] == "#1f5aa6"
    assert fills["party_member"] == PARTY_MEMBER_FILL
    assert fills["non_party"] == NON_PARTY_COLOUR
    assert root.find(f"{SVG}defs/{SVG}pattern").get("id") == "hatch-party-member"
    assert root.find(f"{SVG}title").text == "Seats"


def test_undeclared_seats_fill_the_rest() -> None:
    root = parliament([SeatGroup("YAP", Nomination.PARTY, 10)])
    sizes = group_sizes(root)
    assert sizes == {"party:YAP": 10, "undeclared": 115}
    undeclared = next(g for g in root.iter(f"{SVG}g") if g.get("data-group") == "undeclared")
    assert undeclared.get("fill") == UNDECLARED_COLOUR


def test_seats_run_left_to_right_and_the_majority_line_sits_between_63_and_64() -> None:
    root = parliament([SeatGroup("YAP", Nomination.PARTY, 125)])
    circles = list(root.iter(f"{SVG}circle"))
    centre_x = 200.0

    def angle_order(circle: ElementTree.Element) -> float:
        x, y = float(circle.get("cx", 0)), float(circle.get("cy", 0))
        import math

        return math.atan2(204 - y, centre_x - x)  # 0 at the far left, growing to the right

    ordered = [angle_order(c) for c in circles]
    assert ordered == sorted(ordered)
    line = root.find(f"{SVG}line")
    assert line is not None
    assert line.get("class") == "majority-line"
    line_angle = angle_order_of_line(line)
    assert ordered[62] <= line_angle <= ordered[63]


def angle_order_of_line(line: ElementTree.Element) -> float:
    import math

    x, y = float(line.get("x2", 0)), float(line.get("y2", 0))
    return math.atan2(204 - y, 200 - x)


def test_progress_bar_is_proportional() -> None:
    root = ElementTree.fromstring(progress_bar_svg(done=5895, total=6478, title="5,895 of 6,478"))
    done = root.find(f"{SVG}rect[@class='progress-done']")
    assert done is not None
    assert float(done.get("width", 0)) == round(300 * 5895 / 6478, 2)
    assert root.find(f"{SVG}title").text == "5,895 of 6,478"
    empty = ElementTree.fromstring(progress_bar_svg(done=0, total=0, title="none"))
    assert float(empty.find(f"{SVG}rect[@class='progress-done']").get("width", 1)) == 0


def test_turnout_chart_has_a_column_per_hour_scaled_to_percent() -> None:
    points = [TurnoutPoint("10:00", 100, 1, 1000), TurnoutPoint("19:00", 342, 1, 1000)]
    svg = turnout_chart_svg(
        points,
        title="Turnout <by hour>",
        description="d",
        format_percent=lambda value: f"{value:.1f}%",
    )
    root = ElementTree.fromstring(svg)
    columns = [g for g in root.iter(f"{SVG}g") if g.get("class") == "turnout-column"]
    assert [g.get("data-as-of") for g in columns] == ["10:00", "19:00"]
    heights = [float(g.find(f"{SVG}rect").get("height", 0)) for g in columns]
    assert heights[1] / heights[0] == round(3.42, 2) or abs(heights[1] / heights[0] - 3.42) < 0.02
    assert "34.2%" in svg
    assert "Turnout &lt;by hour&gt;" in svg  # text is escaped
    assert re.search(r">40\.0%<", svg)  # the axis tops out at the next ten


def test_seats_only_led_are_drawn_pale_and_outlined_after_the_seats_won() -> None:
    root = parliament(
        [
            SeatGroup("YAP", Nomination.PARTY, 10, won=4),
            SeatGroup("YAP", Nomination.PARTY_MEMBER, 3, won=3),
            SeatGroup(None, Nomination.NON_PARTY, 2, won=0),
        ]
    )
    groups = {g.get("data-group"): g for g in root.iter(f"{SVG}g")}
    yap = groups["party:YAP"]
    circles = yap.findall(f"{SVG}circle")
    assert [c.get("class") for c in circles] == [None] * 4 + ["seat-leading"] * 6
    leading = circles[-1]
    assert leading.get("fill-opacity") == "0.3"
    assert leading.get("stroke") == "#1f5aa6"
    assert (yap.get("data-won"), yap.get("data-leading")) == ("4", "6")
    assert yap.find(f"{SVG}title").text == "YAP: 10 (won: 4; leading: 6)"
    assert all(c.get("class") is None for c in groups["party_member"].iter(f"{SVG}circle"))
    assert all(c.get("class") == "seat-leading" for c in groups["non_party"].iter(f"{SVG}circle"))
    assert all(c.get("class") is None for c in groups["undeclared"].iter(f"{SVG}circle"))
    assert groups["undeclared"].get("data-leading") == "0"
