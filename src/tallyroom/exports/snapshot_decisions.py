"""Verifying what a snapshot publishes beside the counted protocols: the commission's decisions
on stations, each against the audit entry that recorded it, and the version histories, each
version's signature and standing. An annulled station's protocol must not be counted; a
version published as annulled needs the decision that annulled it."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tallyroom.domain.audit_chain import entry_hash
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_history import (
    ANNULLED_DECISION,
    DECISION_AUDIT_ACTIONS,
    VersionStanding,
    version_standing,
)
from tallyroom.exports.snapshot_layout import (
    AUDIT_HEAD,
    DECISIONS,
    VERSIONS_FOLDER,
    protocol_file_name,
    protocol_path,
)

#: (where, station code, entry with protocol/signature/public_key/version, problems) → the
#: figures of a protocol the station signed, or None with the problem reported
SignedFigures = Callable[[str, str, Mapping[str, Any], list[str]], ProtocolFigures | None]

_VERSION_FIELDS = {"version", "status", "standing", "protocol", "signature", "public_key"}


@dataclass(frozen=True, slots=True)
class HistoryVersion:
    version: int
    status: str
    standing: str
    #: None when the signature or contents do not check out (reported)
    figures: ProtocolFigures | None


def checked_decisions(
    document: Any, stations: Collection[str], audit_sequence: int | None, problems: list[str]
) -> set[str]:
    """The stations whose result stands annulled, after checking every decision against the
    audit entry published with it: the entry's hash must be its content's, its action the
    decision's kind, its payload the decision's station and reason, and it must lie within
    the chain the audit head closes."""
    published = document.get("stations") if isinstance(document, dict) else None
    if not isinstance(published, dict):
        problems.append(f"{DECISIONS}: has no 'stations' object")
        return set()
    annulled: set[str] = set()
    for code, decisions in sorted(published.items()):
        where = f"{DECISIONS}: station {code}"
        if code not in stations:
            problems.append(f"{where}: no such station in the definition")
            continue
        if not isinstance(decisions, list) or not all(
            isinstance(decision, dict) and {"kind", "reason", "decided_at"} <= set(decision)
            for decision in decisions
        ):
            problems.append(f"{where}: each decision must hold kind, reason and decided_at")
            continue
        for number, decision in enumerate(decisions, start=1):
            _check_audit_entry(
                f"{where}: decision {number}", code, decision, audit_sequence, problems
            )
        # A recount order never lifts an annulment.
        if any(decision["kind"] == ANNULLED_DECISION for decision in decisions):
            annulled.add(code)
    return annulled


def _check_audit_entry(
    where: str,
    code: str,
    decision: Mapping[str, Any],
    audit_sequence: int | None,
    problems: list[str],
) -> None:
    entry = decision.get("audit_entry")
    kind, reason = decision["kind"], decision["reason"]
    if not isinstance(entry, dict):
        problems.append(f"{where} ({kind}): no audit entry records it")
        return
    try:
        computed = entry_hash(
            sequence=int(entry["sequence"]),
            recorded_at=str(entry["recorded_at"]),
            actor=str(entry["actor"]),
            action=str(entry["action"]),
            payload=dict(entry["payload"]),
            previous_hash=str(entry["previous_hash"]),
        )
    except (KeyError, TypeError, ValueError):
        problems.append(f"{where} ({kind}): the audit entry is not an audit entry")
        return
    if computed != entry.get("entry_hash"):
        problems.append(
            f"{where} ({kind}): the audit entry's hash is not its content's (altered after "
            "it was recorded)"
        )
    expected_action = DECISION_AUDIT_ACTIONS.get(str(kind))
    payload = entry["payload"]
    if (
        entry["action"] != expected_action
        or payload.get("station") != code
        or payload.get("reason") != reason
    ):
        problems.append(
            f"{where}: published as {kind} for {reason!r}, but the audit entry records "
            f"{entry['action']} for {payload.get('reason')!r} at station {payload.get('station')}"
        )
    if audit_sequence is not None and int(entry["sequence"]) > audit_sequence:
        problems.append(
            f"{where}: audit entry {entry['sequence']} lies beyond the head in {AUDIT_HEAD}"
        )


def verified_histories(
    folder: Path, signed_figures: SignedFigures, problems: list[str]
) -> dict[str, list[HistoryVersion]]:
    """Station code → its published versions, in version order, each signature checked."""
    histories: dict[str, list[HistoryVersion]] = {}
    history_folder = folder / VERSIONS_FOLDER
    paths = sorted(history_folder.glob("*.json")) if history_folder.is_dir() else []
    for path in paths:
        name = f"{VERSIONS_FOLDER}/{path.name}"
        try:
            document = json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as error:
            problems.append(f"{name}: not valid JSON ({error})")
            continue
        versions = document.get("versions") if isinstance(document, dict) else None
        if not isinstance(versions, list) or "station" not in document:
            problems.append(f"{name}: must hold station and versions")
            continue
        code = str(document["station"])
        if path.name != protocol_file_name(code):
            problems.append(
                f"{name}: station {code}: the file should be named {protocol_file_name(code)}"
            )
            continue
        history: list[HistoryVersion] = []
        for entry in versions:
            if not isinstance(entry, dict) or not set(entry) >= _VERSION_FIELDS:
                problems.append(
                    f"{name}: station {code}: each version must hold "
                    f"{', '.join(sorted(_VERSION_FIELDS))}"
                )
                break
            where = f"{name}: station {code} version {entry['version']}"
            history.append(
                HistoryVersion(
                    version=int(entry["version"]),
                    status=str(entry["status"]),
                    standing=str(entry["standing"]),
                    figures=signed_figures(where, code, entry, problems),
                )
            )
        else:
            histories[code] = sorted(history, key=lambda version: version.version)
    return histories


def standing_problems(
    histories: Mapping[str, list[HistoryVersion]],
    counted: Mapping[str, int],
    annulled: Collection[str],
) -> tuple[list[str], dict[str, str]]:
    """Every version whose published standing is not what the counted protocols and the
    decisions give, and each station's latest standing as they give it."""
    problems = [
        f"{protocol_path(code)}: station {code}: its result was annulled by decision "
        f"({DECISIONS}) but its protocol is counted"
        for code in sorted(set(annulled) & set(counted))
    ]
    latest: dict[str, str] = {}
    for code, history in sorted(histories.items()):
        for index, version in enumerate(history):
            expected = version_standing(
                status=version.status,
                counted=counted.get(code) == version.version,
                latest=index == len(history) - 1,
                annulled=code in annulled,
            )
            if (
                version.standing == VersionStanding.PENDING_CONFIRMATION
                and expected == VersionStanding.FLAGGED
            ):
                # A decision proposed, awaiting its second person: not yet a decision, so
                # not in DECISIONS; claimed only of a flagged latest version, never counted.
                expected = VersionStanding.PENDING_CONFIRMATION
            file = f"{VERSIONS_FOLDER}/{protocol_file_name(code)}"
            where = f"{file}: station {code} version {version.version}"
            if version.standing == VersionStanding.ANNULLED and code not in annulled:
                problems.append(
                    f"{where}: published as annulled, but {DECISIONS} holds no annulment of "
                    "the station"
                )
            elif version.standing != expected:
                problems.append(
                    f"{where}: published {version.standing}, the counted protocols and "
                    f"{DECISIONS} give {expected.value}"
                )
            if index == len(history) - 1:
                latest[code] = expected.value
    return problems, latest


def annulled_figures(
    annulled: Collection[str], histories: Mapping[str, list[HistoryVersion]]
) -> dict[str, ProtocolFigures | None]:
    """Each annulled station's latest signed figures (None where it published none)."""
    return {code: histories[code][-1].figures if histories.get(code) else None for code in annulled}
