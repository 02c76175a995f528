"""Open-data downloads per level (nation, constituency, station) as CSV and JSON.

Made from the published results document and the protocols by one pure function, so the
publisher writes them and a verifier remakes them byte for byte from the same inputs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import FIGURE_FIELDS
from tallyroom.service.results.results_columns import (
    CONSTITUENCY_STANDING_COLUMNS,
    NATION_COLUMNS,
    constituency_standing,
    nation_row,
)

OPEN_DATA_FOLDER = "open-data"

#: `seats` are the seats the group's candidates lead; of those, `won` are won, `leading` not yet
SEAT_COLUMNS = ("party", "nomination", "seats", "won", "leading")
CONSTITUENCY_COLUMNS = (
    "constituency",
    "constituency_name",
    "kind",
    "stations_total",
    "stations_reporting",
    "registered_voters",
    "registered_voters_reporting",
    "ballots_cast",
    "invalid_ballots",
    "valid_votes",
    "candidate",
    "full_name",
    "party",
    "nomination",
    "votes",
    "share",
    "leader",
    "too_close",
    "certified",
    *CONSTITUENCY_STANDING_COLUMNS,
)
STATION_COLUMNS = (
    "station",
    "constituency",
    "station_name",
    "kind",
    "reported",
    "status",
    "protocol_version",
    *FIGURE_FIELDS,
    "candidate",
    "votes",
)


def json_bytes(value: Any) -> bytes:
    """The one JSON layout of every snapshot file: UTF-8, indented, ending in a newline."""
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode()


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def cell(value: object) -> object:
    # Spreadsheets read "yes"/"no" more reliably than Python's True/False; None is unknown.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _counted_or_not(figures: ProtocolFigures | None) -> str:
    return "counted" if figures is not None else "not_reported"


#: the list contest's seats, one row per party (with a party-list contest only)
LIST_SEAT_COLUMNS = ("contest", "party", "votes", "passed_threshold", "seats", "status")


def _party_votes(figures: ProtocolFigures) -> dict[str, Any]:
    # only protocols with a party-list ballot: the others' documents stay as they were
    if figures.party_votes is None:
        return {}
    return {"party_votes": dict(sorted(figures.party_votes.items()))}


def _list_seat_files(table: Mapping[str, Any] | None) -> dict[str, bytes]:
    """The list contest's quotient table as JSON and its seats as CSV; nothing without one."""
    if table is None:
        return {}
    folder = OPEN_DATA_FOLDER
    return {
        f"{folder}/list-seats.json": json_bytes(table),
        f"{folder}/list-seats.csv": csv_bytes(
            LIST_SEAT_COLUMNS,
            [
                (
                    table["contest"],
                    row["party"],
                    row["votes"],
                    cell(row["passed"]),
                    row["seats"],
                    cell(table["status"]),
                )
                for row in table["rows"]
            ],
        ),
    }


#: district list contests' seats, one row per district and party (with such contests only)
DISTRICT_SEAT_COLUMNS = (
    "contest",
    "constituency",
    "party",
    "votes",
    "passed_threshold",
    "seats",
    "candidates",
    "status",
)


LEVELING_SEAT_COLUMNS = (
    "order",
    "constituency",
    "party",
    "candidate",
    "quotient_exact",
    "quotient",
    "status",
)
LEVELING_NATIONAL_COLUMNS = (
    "party",
    "votes",
    "passed_threshold",
    "district_seats",
    "leveling_seats",
)


def _leveling_files(leveling: Mapping[str, Any] | None) -> dict[str, bytes]:
    """The leveling seats: the whole table (national steps' quotients, parties dropped as
    over-represented, the geographic step's placements) as JSON; the placements and the
    national seats by party as CSV; nothing for an election without leveling seats."""
    if leveling is None:
        return {}
    folder = OPEN_DATA_FOLDER
    seats = {row["party"]: row for row in leveling["national_seats"]}
    return {
        f"{folder}/leveling-seats.json": json_bytes(leveling),
        f"{folder}/leveling-seats.csv": csv_bytes(
            LEVELING_SEAT_COLUMNS,
            [
                (
                    seat["order"],
                    seat["district"],
                    seat["party"],
                    cell(seat["candidate"]),
                    seat["quotient"]["exact"],
                    seat["quotient"]["decimal"],
                    cell(leveling["status"]),
                )
                for seat in leveling["placements"]
            ],
        ),
        f"{folder}/leveling-national-seats.csv": csv_bytes(
            LEVELING_NATIONAL_COLUMNS,
            [
                (
                    party,
                    votes,
                    cell(party in leveling["passed"]),
                    seats.get(party, {}).get("district_seats", 0),
                    seats.get(party, {}).get("leveling_seats", 0),
                )
                for party, votes in leveling["national_votes"].items()
            ],
        ),
    }


def _district_seat_files(constituencies: Sequence[Mapping[str, Any]]) -> dict[str, bytes]:
    """The district list contests' quotient tables (threshold line, quota or quotients, seat
    holders) as JSON and their seats by party as CSV; nothing without such a contest."""
    tables = [
        {"constituency": constituency["number"]} | constituency["district_list"]
        for constituency in constituencies
        if "district_list" in constituency
    ]
    if not tables:
        return {}
    folder = OPEN_DATA_FOLDER
    return {
        f"{folder}/district-list-seats.json": json_bytes(tables),
        f"{folder}/district-list-seats.csv": csv_bytes(
            DISTRICT_SEAT_COLUMNS,
            [
                (
                    table["contest"],
                    table["constituency"],
                    row["party"],
                    row["votes"],
                    cell(row["passed"]),
                    row["seats"],
                    ";".join(
                        holder["candidate"]
                        for holder in table["seat_holders"]
                        if holder["party"] == row["party"]
                    ),
                    cell(table["status"]),
                )
                for table in tables
                for row in table["rows"]
            ],
        ),
    }


def open_data_files(
    definition: ElectionDefinition,
    results: Mapping[str, Any],
    protocols: Mapping[str, ProtocolFigures],
    versions: Mapping[str, int],
    statuses: Mapping[str, str] | None = None,
    *,
    clock: str = "real",
) -> dict[str, bytes]:
    """Path inside the snapshot → content, for the results document as `national_json`
    renders it and the counted protocols (station code → figures, and → version); `statuses`
    says each station's standing (counted, annulled, flagged, not_reported, ...); `clock`
    says whether the data came from a drill."""
    statuses = statuses or {}
    nation = {key: value for key, value in results.items() if key != "constituencies"}
    nation["clock"] = clock
    constituencies: list[dict[str, Any]] = list(results.get("constituencies", []))
    candidate_rows = [
        (
            constituency["number"],
            constituency["name"],
            constituency["kind"],
            constituency["stations_total"],
            constituency["stations_reporting"],
            constituency["registered_voters"],
            constituency["registered_voters_reporting"],
            constituency["ballots_cast"],
            constituency["invalid_ballots"],
            constituency["valid_votes"],
            candidate["code"],
            candidate["full_name"],
            cell(candidate["party"]),
            candidate["nomination"],
            candidate["votes"],
            candidate["share"],
            cell(candidate["code"] == constituency["leader"]),
            cell(constituency["too_close"]),
            cell(constituency["certified"]),
            *(cell(value) for value in constituency_standing(constituency)),
        )
        for constituency in constituencies
        for candidate in constituency["candidates"]
    ]
    standing: dict[int, list[str]] = {}
    for candidate in definition.candidates:
        if candidate.is_standing:
            standing.setdefault(candidate.constituency, []).append(candidate.code)
    station_rows: list[tuple[object, ...]] = []
    station_documents: list[dict[str, Any]] = []
    for station in definition.stations:
        figures = protocols.get(station.code)
        values: tuple[object, ...] = tuple(
            getattr(figures, name) if figures else "" for name in FIGURE_FIELDS
        )
        head = (
            station.code,
            station.constituency,
            station.name,
            station.kind.value,
            cell(figures is not None),
            statuses.get(station.code, _counted_or_not(figures)),
            versions.get(station.code, "") if figures else "",
        )
        for code in standing.get(station.constituency, []):
            station_rows.append(
                (*head, *values, code, figures.votes.get(code, 0) if figures else "")
            )
        station_documents.append(
            {
                "code": station.code,
                "constituency": station.constituency,
                "name": station.name,
                "kind": station.kind.value,
                "tags": sorted(tag.value for tag in station.tags),
                "registered_voters": station.registered_voters,
                "reported": figures is not None,
                "status": statuses.get(station.code, _counted_or_not(figures)),
                "protocol_version": versions.get(station.code) if figures else None,
                "figures": (
                    {name: getattr(figures, name) for name in FIGURE_FIELDS}
                    | {"votes": dict(sorted(figures.votes.items()))}
                    | _party_votes(figures)
                    if figures
                    else None
                ),
            }
        )
    folder = OPEN_DATA_FOLDER
    files = (
        _list_seat_files(results.get("list_contest"))
        | _district_seat_files(constituencies)
        | _leveling_files(results.get("leveling"))
    )
    return files | {
        f"{folder}/nation.json": json_bytes(nation),
        f"{folder}/nation.csv": csv_bytes(
            NATION_COLUMNS, [[cell(value) for value in nation_row(nation)]]
        ),
        f"{folder}/seats.csv": csv_bytes(
            SEAT_COLUMNS,
            [
                (
                    cell(group["party"]),
                    group["nomination"],
                    group["seats"],
                    group["won"],
                    group["leading"],
                )
                for group in nation.get("seats", [])
            ],
        ),
        f"{folder}/constituencies.json": json_bytes(constituencies),
        f"{folder}/constituencies.csv": csv_bytes(CONSTITUENCY_COLUMNS, candidate_rows),
        f"{folder}/stations.json": json_bytes(station_documents),
        f"{folder}/stations.csv": csv_bytes(STATION_COLUMNS, station_rows),
    }
