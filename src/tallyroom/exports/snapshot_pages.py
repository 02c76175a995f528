"""The snapshot's static read-only results site: plain HTML and CSS, readable without
JavaScript, so any static web server or CDN can serve a published snapshot as it is.

Pages are a pure function of the published documents, so a verifier can remake them byte for
byte and notice a page whose figures were edited after publication."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.runoff import round_two_rows
from tallyroom.exports.snapshot_layout import (
    INDEX_PAGE,
    STYLE_SHEET,
    constituency_page_path,
    protocol_file_name,
)

NOMINATION_LABELS = {
    "party": "party nominee",
    "party_member": "party member, independent",
    "non_party": "non-party independent",
}
TAG_LABELS = {"idp": "IDP", "special_territory": "special territory", "abroad": "abroad"}
#: Colours of the seat groups that are not a party's own nominees.
INDEPENDENT_COLOUR = "#9e9e9e"
MEMBER_LIGHTNESS = "b3"  # appended alpha: a party's members as independents, paler


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("tallyroom.exports", "snapshot_site"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.globals.update(
        number=lambda value: f"{value:,}",
        percent=lambda part, whole: f"{100.0 * part / whole:.1f} %" if whole else "–",
        nomination_labels=NOMINATION_LABELS,
        tag_labels=TAG_LABELS,
    )
    return environment


def site_files(
    definition: ElectionDefinition,
    results: Mapping[str, Any],
    turnout: Mapping[str, Any],
    protocols: Mapping[str, ProtocolFigures],
    versions: Mapping[str, int],
    statuses: Mapping[str, str] | None = None,
    histories: Collection[str] = (),
    *,
    drill: bool = False,
    runoffs: Sequence[Mapping[str, Any]] = (),
    poll_book: bool = False,
) -> dict[str, bytes]:
    """Path inside the snapshot → content of every page and the style sheet; `statuses` is
    each station's standing, `histories` the stations with a published version history;
    `drill` puts the DRILL banner on every page; `runoffs` the rounds 2 as runoffs.json
    holds them, each shown on its constituency's page as the live site shows it;
    `poll_book` links the poll-book figures."""
    statuses = statuses or {}
    environment = _environment()
    colours = {party.short_name: party.colour for party in definition.parties}
    as_of = datetime.fromisoformat(results["as_of"]).astimezone(
        ZoneInfo(definition.election.timezone)
    )
    common = {
        "results": results,
        "election_name": definition.election.name,
        "as_of_label": f"{as_of:%Y-%m-%d %H:%M} ({definition.election.timezone})",
        "colours": colours,
        "party_names": {party.short_name: party.name for party in definition.parties},
        "drill": drill,
    }
    seat_blocks = []
    start = 0
    for group in results["seats"]:
        party = group["party"]
        colour = colours.get(party, INDEPENDENT_COLOUR) if party else INDEPENDENT_COLOUR
        if group["nomination"] == "party_member":
            colour += MEMBER_LIGHTNESS
        label = f"{party or 'non-party'} ({NOMINATION_LABELS[group['nomination']]})"
        # Won seats solid, seats only led pale: the bar never shows a lead as a seat won.
        for status, seats in (("won", group["won"]), ("leading", group["leading"])):
            if seats:
                seat_blocks.append(
                    {
                        "start": start,
                        "seats": seats,
                        "colour": colour,
                        "label": f"{label}, {status}",
                        "status": status,
                    }
                )
                start += seats
    list_contest = results.get("list_contest")
    if list_contest is not None and list_contest["status"] is not None:
        # List seats after the constituency seats, outlined: a seat from a party list.
        status = list_contest["status"]
        for row in list_contest["rows"]:
            if row["seats"]:
                seat_blocks.append(
                    {
                        "start": start,
                        "seats": row["seats"],
                        "colour": colours.get(row["party"], INDEPENDENT_COLOUR),
                        "label": f"{row['party']} (list), {status}",
                        "status": f"list-{status}",
                    }
                )
                start += row["seats"]
    leaders = {
        constituency["number"]: next(
            candidate
            for candidate in constituency["candidates"]
            if candidate["code"] == constituency["leader"]
        )
        for constituency in results["constituencies"]
        if constituency["leader"]
    }
    pages = {
        INDEX_PAGE: environment.get_template("index.html").render(
            root="",
            seat_blocks=seat_blocks,
            turnout=turnout,
            leaders=leaders,
            list_contest=list_contest,
            poll_book=poll_book,
            **common,
        ),
    }
    stations_by_constituency: dict[int, list[dict[str, Any]]] = {}
    for station in definition.stations:
        stations_by_constituency.setdefault(station.constituency, []).append(
            {
                "code": station.code,
                "name": station.name,
                "kind": station.kind.value,
                "tags": sorted(tag.value for tag in station.tags),
                "registered": station.registered_voters,
                "figures": protocols.get(station.code),
                "version": versions.get(station.code),
                "file": protocol_file_name(station.code),
                "status": statuses.get(station.code, "not_reported"),
                "history": station.code in histories,
            }
        )
    template = environment.get_template("constituency.html")
    runoff_of = {int(runoff["constituency"]): runoff for runoff in runoffs}
    for constituency in results["constituencies"]:
        runoff = runoff_of.get(constituency["number"])
        pages[constituency_page_path(constituency["number"])] = template.render(
            root="../",
            constituency=constituency,
            stations=stations_by_constituency.get(constituency["number"], []),
            runoff=runoff,
            round_two=round_two_rows(runoff),
            **common,
        )
    rendered = {path: page.encode() for path, page in pages.items()}
    rendered[STYLE_SHEET] = (
        files("tallyroom.exports") / "snapshot_site" / STYLE_SHEET
    ).read_bytes()
    return rendered
