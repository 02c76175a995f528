"""`tallyroom results`: the national results as the tally of counted protocols says."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from tallyroom.cli.output import console, fail, print_json
from tallyroom.cli.store_access import sessions
from tallyroom.service.definition.election_drill import clock_of
from tallyroom.service.errors import ServiceError
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.results_json import national_json
from tallyroom.store.database import transaction


def results(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    constituencies: bool = typer.Option(
        False,
        "--constituencies",
        help="Every constituency: in the JSON, or as a table of progress and seat status.",
    ),
    election: str | None = typer.Option(None, help="Election code (default: the latest)."),
) -> None:
    """Seats by party, progress and status, from the running totals."""
    try:
        with transaction(sessions()) as session:
            national = build_national_results(session, election)
            clock = clock_of(session, national.election)
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    document = national_json(national, with_constituencies=constituencies or not as_json)
    # Offline from the database, so the election's own mark says whether this was a drill.
    document["clock"] = clock.value
    if as_json:
        print_json(document)
        return
    print_results(document, constituencies=constituencies)


def seats_table(national: dict[str, Any]) -> Table:
    """Seats by party; independents split into party members (by party) and non-party. Each
    line counts the seats its candidates lead, and of those the seats won (count complete or
    certified) and those only leading.

    Rendered from the results JSON, so the CLI, the simulator (reading the API) and open data
    show the same figures."""
    table = Table(title=f"seats ({national['status']})")
    table.add_column("who")
    table.add_column("seats", justify="right")
    table.add_column("won", justify="right")
    table.add_column("leading", justify="right")

    def row(label: str, groups: list[dict[str, Any]], style: str | None = None) -> None:
        seats = sum(g["seats"] for g in groups)
        won = sum(g["won"] for g in groups)
        table.add_row(label, str(seats), str(won), str(seats - won), style=style)

    nominees = [g for g in national["seats"] if g["nomination"] == "party"]
    for party in national["parties"]:
        if party["seats"]:
            row(
                f"{party['short_name']} ({party['name']})",
                [g for g in nominees if g["party"] == party["short_name"]],
            )
    for constituency in national.get("constituencies", []):
        district = constituency.get("district_list")
        if district is None or district["status"] is None:
            continue
        # Of the parties' seats above, those of a district list contest, party by party.
        holders = district["seat_holders"]
        held = ", ".join(f"{r['party']} {r['seats']}" for r in district["rows"] if r["seats"])
        won = sum(1 for holder in holders if holder["status"] == "won")
        table.add_row(
            f"  of which {district['contest']} (list, threshold "
            f"{district['threshold_percent']} %): {held}",
            str(len(holders)),
            str(won),
            str(len(holders) - won),
            style="dim",
        )
    leveling = national.get("leveling")
    if leveling is not None and leveling["status"] is not None:
        # Of the parties' seats above, the leveling seats (counted in the tally already).
        placed = leveling["placements"]
        won = len(placed) if leveling["status"] == "won" else 0
        held = ", ".join(
            f"{r['party']} {r['leveling_seats']}"
            for r in leveling["national_seats"]
            if r["leveling_seats"]
        )
        table.add_row(
            f"  of which leveling seats (national threshold "
            f"{leveling['rule']['threshold']['percent']} %): {held}",
            str(len(placed)),
            str(won),
            str(len(placed) - won),
            style="dim",
        )
    members = [g for g in national["seats"] if g["nomination"] == "party_member"]
    non_party = [g for g in national["seats"] if g["nomination"] == "non_party"]
    row("independents", members + non_party, style="bold")
    row("  party members", members)
    for group in members:
        row(f"    of {group['party']}", [group], style="dim")
    row("  non-party", non_party)
    listed = national.get("list_contest")
    if listed is not None and listed["status"] is not None:
        # A party-list contest's seats: held by the parties, won only once all is counted.
        won = listed["status"] == "won"
        seats = sum(r["seats"] for r in listed["rows"])
        table.add_row(
            f"list seats ({listed['contest']}, threshold {listed['threshold_percent']} %)",
            str(seats),
            str(seats if won else 0),
            str(0 if won else seats),
            style="bold",
        )
        for list_row in listed["rows"]:
            if list_row["seats"]:
                count = list_row["seats"]
                table.add_row(
                    f"  {list_row['party']} (list)",
                    str(count),
                    str(count if won else 0),
                    str(0 if won else count),
                )
    undeclared = national["seats_total"] - national["seats_declared"]
    if undeclared:
        table.add_row("no leader yet", str(undeclared), "", "", style="dim")
    table.add_row(
        "total",
        str(national["seats_total"]),
        str(national["seats_won"]),
        str(national["seats_leading"]),
        style="bold",
    )
    return table


def stations_progress(figures: dict[str, Any]) -> str:
    """Progress as "5,895 of 6,478 counted, 1 annulled": annulled stations are named, not left
    to look like stations that never reported (as the site says it, only when there are any)."""
    text = f"{figures['stations_reporting']:,} of {figures['stations_total']:,} counted"
    if figures["stations_annulled"]:
        text += f", {figures['stations_annulled']:,} annulled"
    return text


def constituencies_table(national: dict[str, Any]) -> Table:
    """Each constituency's progress, leader and seat status (won or leading, too close)."""
    table = Table(title="constituencies")
    table.add_column("no.", justify="right")
    table.add_column("constituency")
    table.add_column("stations", justify="right")
    for column in ("leader", "party", "seat"):
        table.add_column(column)
    table.add_column("margin", justify="right")
    for constituency in national["constituencies"]:
        leader = next(
            (c for c in constituency["candidates"] if c["code"] == constituency["leader"]), None
        )
        seat = "tied" if constituency["tie"] else (constituency["seat_status"] or "")
        if constituency["too_close_to_call"]:
            seat += ", too close to call"
        table.add_row(
            str(constituency["number"]),
            constituency["name"],
            stations_progress(constituency),
            leader["full_name"] if leader else "",
            (leader["party"] or leader["nomination"]) if leader else "",
            seat,
            f"{constituency['margin_votes']:,}" if leader else "",
        )
    return table


def print_results(national: dict[str, Any], *, constituencies: bool = False) -> None:
    if national.get("clock") == "drill":
        console.print(
            "[bold]DRILL[/]: a rehearsal on the reference polling day; these are not real results"
        )
    console.print(seats_table(national))
    console.print(
        f"seats: leaders {national['seats_declared']:,}, won {national['seats_won']:,}, "
        f"leading {national['seats_leading']:,} (a seat is won once every station of its "
        "constituency is counted or annulled, or its result certified)"
    )
    registered = national["registered_voters"]
    covered = 100.0 * national["registered_voters_reporting"] / registered if registered else 0.0
    console.print(
        f"stations: {stations_progress(national)}; registered voters covered: {covered:.1f} %; "
        f"ballots cast: {national['ballots_cast']:,}; majority: {national['majority']} of "
        f"{national['seats_total']}; status: [bold]{national['status']}[/]"
    )
    if national["stations_annulled"]:
        console.print(
            "annulled by the commission's decision, left out of every total: stations "
            f"{national['stations_annulled']:,}, their ballots cast "
            f"{national['ballots_annulled']:,}; in constituencies "
            + ", ".join(
                f"{c['number']} {c['name']} ({c['stations_annulled']:,})"
                for c in national.get("constituencies", [])
                if c["stations_annulled"]
            )
        )
    close = [c for c in national.get("constituencies", []) if c["too_close_to_call"]]
    if close:
        console.print(
            "too close to call: "
            + ", ".join(f"{c['number']} {c['name']} ({c['margin_votes']:,} votes)" for c in close)
        )
    if national["ties"]:
        console.print("tied: " + ", ".join(str(number) for number in national["ties"]))
    if constituencies:
        console.print(constituencies_table(national))
