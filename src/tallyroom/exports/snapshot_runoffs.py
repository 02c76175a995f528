"""Rounds 2 in a snapshot (`runoffs.json`): each two-round contest's round 2 as the
commission defined it, with its count, and the stations' counted round-2 protocols as they
signed them. `tallyroom verify` checks them: the qualified candidates are those the
two-round rule gives on the published round-1 votes, every protocol's signature verifies by
a key of its station and names only standing candidates, and the count is their sum."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.contest_seats import NO_RULE, ContestTies, contest_seats
from tallyroom.domain.electoral_systems.drawn_lot import TieNeedsLot
from tallyroom.domain.protocol_document import MalformedProtocol, parse_protocol_document
from tallyroom.domain.runoff import RunoffRefused, second_round_of
from tallyroom.domain.seat_status import SeatStatus
from tallyroom.domain.signature import signature_is_valid
from tallyroom.exports.snapshot_open_data import json_bytes

RUNOFFS = "runoffs.json"


def runoff_files(
    election: str, runoffs: list[dict[str, Any]], protocols: list[dict[str, Any]]
) -> dict[str, bytes]:
    """Nothing for an election without a round 2 (its snapshots stay as they were)."""
    if not runoffs:
        return {}
    return {RUNOFFS: json_bytes({"election": election, "runoffs": runoffs, "protocols": protocols})}


def published_runoffs(folder: Path) -> dict[str, Any] | None:
    """runoffs.json as published, None without one (or unreadable: runoff_problems says so)."""
    try:
        published = json.loads((folder / RUNOFFS).read_bytes())
    except (OSError, ValueError):
        return None
    return published if isinstance(published, dict) else None


def runoff_problems(
    folder: Path, results: Any, keys: Mapping[str, set[str]], ties: ContestTies = NO_RULE
) -> list[str]:
    """Every way `runoffs.json` disagrees with the published round 1, the stations' keys or
    its own protocols; [] when the snapshot has no round 2."""
    try:
        published = json.loads((folder / RUNOFFS).read_bytes())
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        return [f"{RUNOFFS}: unreadable ({error})"]
    try:
        return _problems(published, results, keys, ties)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return [f"{RUNOFFS}: not a runoffs document ({error!r})"]


def round_two_seats(
    folder: Path,
    definition: ElectionDefinition,
    keys: Mapping[str, set[str]],
    ties: ContestTies = NO_RULE,
) -> dict[int, tuple[str, SeatStatus]]:
    """Round 2's leader by constituency number, re-derived from the signed round-2
    protocols alone (won once every station of the constituency is counted), for the seat
    tally `tallyroom verify` re-derives; {} without runoffs.json or where it is unreadable
    (runoff_problems names why)."""
    try:
        published = json.loads((folder / RUNOFFS).read_bytes())
        counted, stations_counted, _ = _counted(published, keys)
        runoffs = [
            (r["contest"], int(r["constituency"]), r["standing"]) for r in published["runoffs"]
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    stations: dict[int, int] = {}
    for station in definition.stations:
        stations[station.constituency] = stations.get(station.constituency, 0) + 1
    seats: dict[int, tuple[str, SeatStatus]] = {}
    for contest, number, standing in runoffs:
        leader = _leader(
            dict.fromkeys(standing, 0) | counted.get(contest, {}),
            stations_counted.get(contest, 0),
            ties,
            contest,
        )
        if leader is not None:
            complete = stations_counted.get(contest, 0) == stations.get(number, -1)
            seats[number] = (leader, SeatStatus.WON if complete else SeatStatus.LEADING)
    return seats


def _leader(
    votes: Mapping[str, int], stations_counted: int, ties: ContestTies, contest: str
) -> str | None:
    """Round 2's leader as service/results/runoff_protocols.py derives it: the most votes,
    a tie by the election's rule and the confirmed lots."""
    if not stations_counted:
        return None
    seats = contest_seats(
        ContestKind.SINGLE_MEMBER_PLURALITY,
        votes,
        seats=1,
        registered_voters=0,
        ties=ties,
        contest=contest,
    )
    return seats.holders[0] if seats.holders else None


def _counted(
    published: Any, keys: Mapping[str, set[str]]
) -> tuple[dict[str, dict[str, int]], dict[str, int], list[str]]:
    """Round 2's votes and stations counted by contest, from the protocols that verify; the
    problems of those that do not."""
    problems: list[str] = []
    counted: dict[str, dict[str, int]] = {}
    stations_counted: dict[str, int] = {}
    standing_of = {r["contest"]: set(r["standing"]) for r in published["runoffs"]}
    for entry in published["protocols"]:
        where = f"{RUNOFFS}: protocol of station {entry['station']} in {entry['contest']}"
        body = canonical_json(entry["protocol"])
        if not any(
            signature_is_valid(body, str(entry["signature"]), key)
            for key in keys.get(str(entry["station"]), set())
        ):
            problems.append(f"{where}: the signature does not verify by a key of the station")
            continue
        try:
            document = parse_protocol_document(entry["protocol"])
        except MalformedProtocol as error:
            problems.append(f"{where}: malformed protocol: {error}")
            continue
        if document.contest != entry["contest"] or document.station != entry["station"]:
            problems.append(f"{where}: the document names {document.contest} at {document.station}")
            continue
        strangers = sorted(set(document.figures.votes) - standing_of.get(entry["contest"], set()))
        if strangers:
            problems.append(f"{where}: votes for {', '.join(strangers)}, not standing in round 2")
            continue
        votes = counted.setdefault(entry["contest"], {})
        for code, count in document.figures.votes.items():
            votes[code] = votes.get(code, 0) + count
        stations_counted[entry["contest"]] = stations_counted.get(entry["contest"], 0) + 1
    return counted, stations_counted, problems


def _problems(
    published: Any, results: Any, keys: Mapping[str, set[str]], ties: ContestTies
) -> list[str]:
    round_one = {c["number"]: c for c in results["constituencies"]}
    counted, stations_counted, problems = _counted(published, keys)
    for runoff in published["runoffs"]:
        contest = runoff["contest"]
        first = round_one.get(runoff["constituency"])
        if first is None:
            problems.append(f"{RUNOFFS}: {contest}: no constituency {runoff['constituency']}")
            continue
        votes = {c["code"]: c["votes"] for c in first["candidates"]}
        if votes != runoff["round_one_votes"]:
            problems.append(
                f"{RUNOFFS}: {contest}: round 1's votes are {runoff['round_one_votes']}, "
                f"the results give {votes}"
            )
        try:
            expected = second_round_of(
                votes,
                registered=first["registered_voters"],
                withdrawals=runoff["withdrawn"],
                constituency=runoff.get("round_one_contest", contest),
                ties=ties,
            )
        except (RunoffRefused, TieNeedsLot) as refusal:
            problems.append(f"{RUNOFFS}: {contest}: round 1 gives no such round 2 ({refusal})")
            continue
        qualified = sorted(c["code"] for c in runoff["candidates"])
        if qualified != sorted(expected.qualified) or sorted(runoff["standing"]) != sorted(
            expected.standing
        ):
            problems.append(
                f"{RUNOFFS}: {contest}: qualified {qualified}, standing {runoff['standing']}; "
                f"the two-round rule gives {sorted(expected.qualified)}, standing "
                f"{sorted(expected.standing)}"
            )
        count = runoff["round_two"]
        derived = dict.fromkeys(expected.standing, 0) | counted.get(contest, {})
        if count["votes"] != derived or count["stations_counted"] != stations_counted.get(
            contest, 0
        ):
            problems.append(
                f"{RUNOFFS}: {contest}: round 2 counts {count['votes']} from "
                f"{count['stations_counted']} stations; the protocols give {derived} from "
                f"{stations_counted.get(contest, 0)}"
            )
        leader = _leader(derived, stations_counted.get(contest, 0), ties, contest)
        if count["leader"] != leader:
            problems.append(
                f"{RUNOFFS}: {contest}: the leader is {count['leader']}; the protocols give "
                f"{leader}"
            )
    return problems
