"""Verifying a published snapshot with nothing but its folder: no database, no server.

Checks every file against the manifest, every protocol's signature against the published
station keys, the decisions and version histories (snapshot_decisions), re-adds every total
from the protocols leaving annulled stations out, re-derives every winner and the seat
tally, and remakes the open data, the NIST report and the site from what it re-derived. Each
disagreement is reported with the file and the station, constituency or field it concerns."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from tallyroom.definition.problems import DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.domain.canonical_json import canonical_json, sha256_hex
from tallyroom.domain.contest import contest_code
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.polling_station import PollingStation
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import MalformedProtocol, parse_protocol_document
from tallyroom.domain.seat_status import SeatStatus
from tallyroom.domain.signature import signature_is_valid
from tallyroom.domain.tree_head import SignedTreeHead
from tallyroom.exports.snapshot_audit_log import audit_log_problems
from tallyroom.exports.snapshot_certifications import (
    certification_problems,
    nation_certified,
    standing_certifications,
)
from tallyroom.exports.snapshot_decisions import (
    annulled_figures,
    checked_decisions,
    standing_problems,
    verified_histories,
)
from tallyroom.exports.snapshot_derived import derived_files
from tallyroom.exports.snapshot_layout import (
    AUDIT_HEAD,
    DECISIONS,
    DEFINITION_FOLDER,
    KEYS,
    MANIFEST,
    PROTOCOLS_FOLDER,
    RESULTS,
    TURNOUT,
    protocol_file_name,
)
from tallyroom.exports.snapshot_lots import definition_ties, published_lots
from tallyroom.exports.snapshot_manifest import (
    CLOCKS,
    NotASnapshot,
    file_digest,
    read_manifest,
    snapshot_files,
)
from tallyroom.exports.snapshot_photos import photo_problems
from tallyroom.exports.snapshot_poll_book import (
    POLL_BOOK_JSON,
    desk_key_problems,
    poll_book_problems,
)
from tallyroom.exports.snapshot_runoffs import published_runoffs, round_two_seats, runoff_problems
from tallyroom.exports.snapshot_tally import derive_national_results
from tallyroom.service.results.results_json import national_json

#: Differences listed per remade file before the rest are only counted.
MAXIMUM_LINES_PER_FILE = 5
_HEX_64 = re.compile(r"[0-9a-f]{64}")


@dataclass(slots=True)
class SnapshotVerification:
    folder: Path
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0
    protocols_verified: int = 0
    constituencies_derived: int = 0
    #: photos of signed paper protocols whose bytes hash to what a signed document names
    photos_verified: int = 0

    @property
    def agrees(self) -> bool:
        return not self.problems


class _Unreadable(Exception):
    """A file the verification needs cannot be read; already reported."""


def verify_snapshot(
    folder: Path, *, manifest_sha256: str | None = None, kept_head: SignedTreeHead | None = None
) -> SnapshotVerification:
    """Everything that disagrees in the snapshot; raises NotASnapshot when there is none.
    With `kept_head`, the published audit log must provably extend it."""
    manifest = read_manifest(folder)
    report = SnapshotVerification(folder)
    problems = report.problems
    problems.extend(audit_log_problems(folder, kept_head))
    if manifest_sha256 is not None:
        actual = file_digest(folder / MANIFEST)
        if actual != manifest_sha256.lower():
            problems.append(
                f"{MANIFEST}: SHA-256 is {actual}, not {manifest_sha256} as announced: "
                "this is not the snapshot that was published"
            )
    _check_manifest(folder, manifest, report)
    try:
        definition = read_definition(folder / DEFINITION_FOLDER)
    except DefinitionError as error:
        problems.extend(f"{DEFINITION_FOLDER}/{problem}" for problem in error.problems)
        problems.append(f"{DEFINITION_FOLDER}: unreadable, so no total could be re-derived")
        return report
    try:
        keys_document = _json_file(folder, KEYS, problems)
        keys = _station_keys(keys_document, problems)
        problems.extend(desk_key_problems(keys_document, keys))
        results = _json_file(folder, RESULTS, problems)
        turnout = _json_file(folder, TURNOUT, problems)
        audit_head = _json_file(folder, AUDIT_HEAD, problems)
        _check_audit_head(audit_head, problems)
        decisions = _json_file(folder, DECISIONS, problems)
    except _Unreadable:
        return report
    figures, versions = _verified_protocols(folder, definition, keys, report)
    wrong_photos, report.photos_verified = photo_problems(folder)
    problems.extend(wrong_photos)
    signers = _Signers.of(definition, keys)
    annulled = checked_decisions(decisions, signers.stations, _sequence(audit_head), problems)
    histories = verified_histories(folder, signers.figures, problems)
    wrong_standings, latest_standings = standing_problems(histories, versions, annulled)
    problems.extend(wrong_standings)
    for code in annulled:
        # An annulled station's figures are added to nothing, whatever else claims them.
        figures.pop(code, None)
        versions.pop(code, None)
    lots = published_lots(folder)
    ties = definition_ties(definition, lots)
    try:
        derived = _derived_results(
            definition,
            figures,
            results,
            annulled_figures(annulled, histories),
            nation_certified(standing_certifications(folder)),
            round_two_seats(folder, definition, keys, ties),
            lots,
        )
    except (KeyError, TypeError, ValueError) as error:
        problems.append(f"{RESULTS}: not a results document ({error!r})")
        return report
    report.constituencies_derived = len(derived.get("constituencies", []))
    problems.extend(certification_problems(folder, derived, results))
    problems.extend(runoff_problems(folder, results, keys, ties))
    problems.extend(poll_book_problems(folder, definition))
    problems.extend(
        f"{RESULTS}: {where}: published {published}, the protocols give {expected}"
        for where, published, expected in _differences(results, derived, "")
    )
    generated_at = datetime.fromisoformat(str(manifest.get("generated_at")))
    clock = manifest.get("clock")
    if clock not in CLOCKS:
        problems.append(
            f"{MANIFEST}: clock is {_shown(clock)}, not one of {', '.join(CLOCKS)}: "
            "whether the data came from a drill is unknown"
        )
    # Rounds 2 as runoffs.json holds them: runoff_problems has checked them against the
    # signed protocols and round 1, so the pages and the NIST report are remade from them.
    for path, expected_bytes in derived_files(
        definition,
        derived,
        turnout,
        figures,
        versions,
        generated_at,
        annulled=annulled,
        latest_standings=latest_standings,
        # the pages and open data say the clock the manifest names, so a drill snapshot
        # passed off as real (or the reverse) disagrees with its own files
        clock=clock if clock in CLOCKS else "real",
        lots=lots,
        runoffs=published_runoffs(folder),
        poll_book=(folder / POLL_BOOK_JSON).is_file(),
    ).items():
        _compare_remade(folder, path, expected_bytes, problems)
    return report


def _check_manifest(folder: Path, manifest: dict[str, Any], report: SnapshotVerification) -> None:
    problems = report.problems
    listed: set[str] = set()
    for entry in manifest["files"]:
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not _is_inside(path):
            problems.append(f"{MANIFEST}: {entry!r} is not a file inside the snapshot")
            continue
        listed.add(path)
        file = folder / path
        if not file.is_file():
            problems.append(f"{path}: listed in {MANIFEST} but missing")
            continue
        report.files_checked += 1
        if file.stat().st_size != entry.get("size"):
            problems.append(
                f"{path}: {file.stat().st_size} bytes, the manifest says {entry.get('size')}: "
                "altered after publication"
            )
        elif file_digest(file) != entry.get("sha256"):
            problems.append(f"{path}: SHA-256 differs from the manifest: altered after publication")
    for path in snapshot_files(folder):
        if path not in listed:
            problems.append(f"{path}: not listed in {MANIFEST}")


def _is_inside(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return (
        bool(parts)
        and not PurePosixPath(path).is_absolute()
        and ".." not in parts
        and "\\" not in path
        and path != MANIFEST
    )


def _json_file(folder: Path, path: str, problems: list[str]) -> Any:
    try:
        return json.loads((folder / path).read_bytes())
    except FileNotFoundError:
        problems.append(f"{path}: missing")
    except (ValueError, UnicodeDecodeError) as error:
        problems.append(f"{path}: not valid JSON ({error})")
    raise _Unreadable(path)


def _station_keys(document: Any, problems: list[str]) -> dict[str, set[str]]:
    stations = document.get("stations") if isinstance(document, dict) else None
    if not isinstance(stations, dict):
        problems.append(f"{KEYS}: has no 'stations' object")
        raise _Unreadable(KEYS)
    return {
        str(code): {
            str(key["public_key"]) for key in keys if isinstance(key, dict) and "public_key" in key
        }
        for code, keys in stations.items()
        if isinstance(keys, list)
    }


def _check_audit_head(document: Any, problems: list[str]) -> None:
    if not (
        isinstance(document, dict)
        and isinstance(document.get("sequence"), int)
        and isinstance(document.get("entry_hash"), str)
        and _HEX_64.fullmatch(document["entry_hash"])
    ):
        problems.append(f"{AUDIT_HEAD}: must hold a sequence number and a 64-digit entry hash")


@dataclass(frozen=True, slots=True)
class _Signers:
    """What a signed protocol is checked against: the stations, who stands where, the keys."""

    definition: ElectionDefinition
    keys: Mapping[str, set[str]]
    stations: dict[str, PollingStation]
    standing: dict[int, set[str]]

    @classmethod
    def of(cls, definition: ElectionDefinition, keys: Mapping[str, set[str]]) -> _Signers:
        standing: dict[int, set[str]] = {}
        for candidate in definition.candidates:
            if candidate.is_standing:
                standing.setdefault(candidate.constituency, set()).add(candidate.code)
        return cls(
            definition, keys, {station.code: station for station in definition.stations}, standing
        )

    def figures(
        self, where: str, code: str, entry: Mapping[str, Any], problems: list[str]
    ) -> ProtocolFigures | None:
        """The figures of a protocol the station signed for this election, or None with the
        problem reported."""
        station = self.stations.get(code)
        if station is None:
            problems.append(f"{where}: no such station in {DEFINITION_FOLDER}/stations.csv")
            return None
        if str(entry["public_key"]) not in self.keys.get(code, set()):
            problems.append(f"{where}: signed with a key {KEYS} does not publish for the station")
            return None
        body = canonical_json(entry["protocol"])
        if not signature_is_valid(body, str(entry["signature"]), str(entry["public_key"])):
            problems.append(
                f"{where}: the signature does not verify: the protocol is not what the "
                f"station signed (its SHA-256 is {sha256_hex(body)})"
            )
            return None
        try:
            document = parse_protocol_document(entry["protocol"])
        except MalformedProtocol as error:
            problems.append(f"{where}: malformed protocol: {error}")
            return None
        mismatches = [
            f"{label} {actual!r} (expected {expected!r})"
            for label, actual, expected in (
                ("election", document.election, self.definition.election.code),
                ("station", document.station, code),
                ("version", document.version, entry["version"]),
                # format 1 documents name no contest
                (
                    "contest",
                    document.contest,
                    document.contest and contest_code(station.constituency),
                ),
            )
            if actual != expected
        ]
        strangers = sorted(
            set(document.figures.votes) - self.standing.get(station.constituency, set())
        )
        if strangers:
            mismatches.append(
                f"votes for {', '.join(strangers)}, not standing in constituency "
                f"{station.constituency}"
            )
        if mismatches:
            problems.append(f"{where}: the signed protocol says {'; '.join(mismatches)}")
            return None
        return document.figures


def _verified_protocols(
    folder: Path,
    definition: ElectionDefinition,
    keys: Mapping[str, set[str]],
    report: SnapshotVerification,
) -> tuple[dict[str, ProtocolFigures], dict[str, int]]:
    """The figures of every protocol whose signature and contents check out. A protocol that
    fails is reported and left out: figures nobody signed cannot be added to anything."""
    problems = report.problems
    signers = _Signers.of(definition, keys)
    figures: dict[str, ProtocolFigures] = {}
    versions: dict[str, int] = {}
    protocol_folder = folder / PROTOCOLS_FOLDER
    paths = sorted(protocol_folder.glob("*.json")) if protocol_folder.is_dir() else []
    for path in paths:
        name = f"{PROTOCOLS_FOLDER}/{path.name}"
        try:
            entry = json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as error:
            problems.append(f"{name}: not valid JSON ({error})")
            continue
        if not isinstance(entry, dict) or not {
            "station",
            "version",
            "protocol",
            "signature",
            "public_key",
        } <= set(entry):
            problems.append(
                f"{name}: must hold station, version, protocol, signature and public_key"
            )
            continue
        code = str(entry["station"])
        where = f"{name}: station {code}"
        if path.name != protocol_file_name(code):
            problems.append(f"{where}: the file should be named {protocol_file_name(code)}")
            continue
        counted = signers.figures(where, code, entry, problems)
        if counted is None:
            continue
        figures[code] = counted
        versions[code] = int(entry["version"])
        report.protocols_verified += 1
    return figures, versions


def _sequence(audit_head: Any) -> int | None:
    sequence = audit_head.get("sequence") if isinstance(audit_head, dict) else None
    return sequence if isinstance(sequence, int) else None


def _derived_results(
    definition: ElectionDefinition,
    figures: Mapping[str, ProtocolFigures],
    published: Any,
    annulled: Mapping[str, ProtocolFigures | None],
    nation_is_certified: bool,
    round_two: Mapping[int, tuple[str, SeatStatus]],
    lots: Mapping[str, str],
) -> dict[str, Any]:
    if not isinstance(published, dict):
        raise TypeError("not an object")
    certified = {
        int(constituency["number"])
        for constituency in published.get("constituencies", [])
        if constituency.get("certified") is True
    }
    return national_json(
        derive_national_results(
            definition,
            figures,
            revision=int(published["revision"]),
            as_of=datetime.fromisoformat(str(published["as_of"])),
            certified=certified,
            annulled=annulled,
            nation_certified=nation_is_certified,
            round_two=round_two,
            lots=lots,
        )
    )


def _identity(item: Any) -> str | None:
    """How an element of a published list is named in a report."""
    if not isinstance(item, dict):
        return None
    for key in ("number", "code", "short_name"):
        if key in item:
            return f"{key}={item[key]}"
    if "party" in item and "nomination" in item:
        return f"party={item['party']},nomination={item['nomination']}"
    return None


def _differences(published: Any, expected: Any, where: str) -> Iterator[tuple[str, str, str]]:
    """(place, published, expected) for every value that differs; list elements are paired
    by their number, code or party so one changed row is named, not every row after it."""
    place = where or "(document)"
    if isinstance(published, dict) and isinstance(expected, dict):
        for key in list(expected) + [k for k in published if k not in expected]:
            inner = f"{where}.{key}" if where else str(key)
            if key not in published:
                yield inner, "nothing", _shown(expected[key])
            elif key not in expected:
                yield inner, _shown(published[key]), "nothing"
            else:
                yield from _differences(published[key], expected[key], inner)
        return
    if isinstance(published, list) and isinstance(expected, list):
        published_ids = [_identity(item) for item in published]
        expected_ids = [_identity(item) for item in expected]
        if None in published_ids or None in expected_ids:
            if len(published) != len(expected):
                yield place, f"{len(published)} entries", f"{len(expected)} entries"
            for index, (left, right) in enumerate(zip(published, expected, strict=False)):
                yield from _differences(left, right, f"{where}[{index}]")
            return
        by_id = dict(zip(published_ids, published, strict=True))
        for identity, item in zip(expected_ids, expected, strict=True):
            if identity not in by_id:
                yield f"{where}[{identity}]", "nothing", _shown(item)
            else:
                yield from _differences(by_id[identity], item, f"{where}[{identity}]")
        for identity in published_ids:
            if identity not in expected_ids:
                yield f"{where}[{identity}]", _shown(by_id[identity]), "nothing"
        if set(published_ids) == set(expected_ids) and published_ids != expected_ids:
            yield place, "another order", "most votes or seats first"
        return
    # bool is an int in Python: True must not pass for 1.
    if type(published) is not type(expected) or published != expected:
        yield place, _shown(published), _shown(expected)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _compare_remade(folder: Path, path: str, expected: bytes, problems: list[str]) -> None:
    file = folder / path
    if not file.is_file():
        problems.append(f"{path}: missing")
        return
    published = file.read_bytes()
    if published == expected:
        return
    if path.endswith(".json"):
        try:
            differences = list(_differences(json.loads(published), json.loads(expected), ""))
        except ValueError:
            differences = []
        if differences:
            for where, shown, derived in differences[:MAXIMUM_LINES_PER_FILE]:
                problems.append(f"{path}: {where}: published {shown}, the protocols give {derived}")
            _more(path, len(differences), problems)
            return
    published_lines = published.decode(errors="replace").splitlines()
    expected_lines = expected.decode(errors="replace").splitlines()
    differing = [
        number
        for number in range(1, max(len(published_lines), len(expected_lines)) + 1)
        if _line(published_lines, number) != _line(expected_lines, number)
    ]
    for number in differing[:MAXIMUM_LINES_PER_FILE]:
        problems.append(
            f"{path} line {number}: published {_line(published_lines, number)!r}, "
            f"the protocols give {_line(expected_lines, number)!r}"
        )
    if not differing:
        problems.append(f"{path}: differs from what the protocols give")
    _more(path, len(differing), problems)


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if number <= len(lines) else ""


def _more(path: str, count: int, problems: list[str]) -> None:
    if count > MAXIMUM_LINES_PER_FILE:
        problems.append(f"{path}: and {count - MAXIMUM_LINES_PER_FILE} more difference(s)")


__all__ = ["NotASnapshot", "SnapshotVerification", "verify_snapshot"]
