"""The poll book in a snapshot: every station's poll-book figures by round as open data
(JSON and CSV, as service/register/poll_book_figures.py computes them) and the desks' keys in
keys.json. `tallyroom verify` re-checks what the published files let it derive: the CSV is the
JSON's, each station is in the definition with its registered voters, each row holds together
and the totals are the rows' sums; no desk key is also a signing key."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tallyroom.domain.definition import ElectionDefinition
from tallyroom.exports.snapshot_open_data import OPEN_DATA_FOLDER, cell, csv_bytes, json_bytes
from tallyroom.service.register.poll_book_figures import FIGURE_COLUMNS, ROUND_FIGURES

POLL_BOOK_JSON = f"{OPEN_DATA_FOLDER}/poll-book-stations.json"
POLL_BOOK_CSV = f"{OPEN_DATA_FOLDER}/poll-book-stations.csv"
#: keys.json's section for the desks' keys (they sign no protocol: not under "stations")
DESKS_SECTION = "poll_book_desks"
_FIGURES = FIGURE_COLUMNS[3:]
#: figures no greater than the round's check-ins
_PART_OF_CHECK_INS = ("portable_check_ins", "absentee_certificates_in", "double_votes_recorded")


def poll_book_files(election: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, bytes]:
    """Nothing for an election where no station used a poll book."""
    if not rows:
        return {}
    document = {"election": election, "totals": _totals(rows), "stations": list(rows)}
    return {POLL_BOOK_JSON: json_bytes(document), POLL_BOOK_CSV: poll_book_csv(rows)}


def poll_book_csv(rows: Sequence[Mapping[str, Any]]) -> bytes:
    return csv_bytes(FIGURE_COLUMNS, ([cell(row[name]) for name in FIGURE_COLUMNS] for row in rows))


def _totals(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Round → each figure's sum over the stations (a later round sums its own figures)."""
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        sums = totals.setdefault(str(row["round"]), {})
        for name in _FIGURES:
            if row[name] is not None:
                sums[name] = sums.get(name, 0) + int(row[name])
    return totals


def poll_book_problems(folder: Path, definition: ElectionDefinition) -> list[str]:
    """Every way the published poll-book figures disagree with themselves or the definition;
    [] for a snapshot without them."""
    try:
        published = json.loads((folder / POLL_BOOK_JSON).read_bytes())
    except FileNotFoundError:
        return (
            [f"{POLL_BOOK_CSV}: published without {POLL_BOOK_JSON}"]
            if (folder / POLL_BOOK_CSV).exists()
            else []
        )
    except (OSError, ValueError) as error:
        return [f"{POLL_BOOK_JSON}: unreadable ({error})"]
    try:
        return _problems(folder, published, definition)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return [f"{POLL_BOOK_JSON}: not a poll-book figures document ({error!r})"]


def _problems(folder: Path, published: Any, definition: ElectionDefinition) -> list[str]:
    rows = published["stations"]
    problems: list[str] = []
    registered = {station.code: station.registered_voters for station in definition.stations}
    seen: set[tuple[str, int]] = set()
    for row in rows:
        where = f"{POLL_BOOK_JSON}: station {row['station']} round {row['round']}"
        key = (str(row["station"]), int(row["round"]))
        if key in seen:
            problems.append(f"{where}: listed twice")
        seen.add(key)
        if key[0] not in registered:
            problems.append(f"{where}: no such station in the definition")
        elif row["registered_voters"] != registered[key[0]]:
            problems.append(
                f"{where}: registered_voters {row['registered_voters']}, the definition says "
                f"{registered[key[0]]}"
            )
        malformed = [
            f"{where}: {name} is the station's, given on its round-1 row only"
            if name not in ROUND_FIGURES and key[1] != 1
            else f"{where}: {name} is {row[name]!r}, not a count"
            for name in _FIGURES
            if not _well_formed(row[name], station_level=name not in ROUND_FIGURES and key[1] != 1)
        ]
        problems.extend(malformed)
        if not malformed:
            problems.extend(
                f"{where}: {name} {row[name]} exceed the check-ins {row['check_ins']}"
                for name in _PART_OF_CHECK_INS
                if row[name] > row["check_ins"]
            )
    if problems:
        return problems
    if published["totals"] != _totals(rows):
        problems.append(
            f"{POLL_BOOK_JSON}: totals {published['totals']} are not the stations' sums "
            f"{_totals(rows)}"
        )
    try:
        csv_published = (folder / POLL_BOOK_CSV).read_bytes()
    except FileNotFoundError:
        return [*problems, f"{POLL_BOOK_CSV}: missing"]
    if csv_published != poll_book_csv(rows):
        problems.append(f"{POLL_BOOK_CSV}: differs from the figures in {POLL_BOOK_JSON}")
    return problems


def _well_formed(value: Any, *, station_level: bool) -> bool:
    if station_level:
        return value is None
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def desk_key_problems(keys_document: Any, signing_keys: Mapping[str, set[str]]) -> list[str]:
    """A desk key listed as a station's signing key would let a desk sign protocols."""
    desks = keys_document.get(DESKS_SECTION, {}) if isinstance(keys_document, dict) else {}
    if not isinstance(desks, dict):
        return [f"keys.json: {DESKS_SECTION} is not an object"]
    every_signing_key = set().union(*signing_keys.values()) if signing_keys else set()
    return [
        f"keys.json: station {code}'s poll-book desk {key.get('device')} key is also a "
        "signing key: a desk's key signs no protocol"
        for code, keys in desks.items()
        if isinstance(keys, list)
        for key in keys
        if isinstance(key, dict) and key.get("public_key") in every_signing_key
    ]
