"""Replaying the audit log's own entries against the protocol, turnout and result tables:
every version, status, decision and report the log records must be stored exactly so, and
every stored one must be in the log (table, key and column named)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.audit_chain import AuditEntry
from tallyroom.domain.key_history import KeyHistory, key_refusal
from tallyroom.service.protocols import SIGNED_WITH_REVOKED_KEY
from tallyroom.service.row_ledger import ROWS_RECORDED
from tallyroom.store.schema import (
    ObserverRow,
    ObserverStationRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationKeyRow,
    StationResultRow,
    TurnoutReportRow,
)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def _compare(
    problems: list[str], place: str, actual: dict[str, Any], logged: dict[str, Any]
) -> None:
    for column, value in logged.items():
        if actual.get(column) != value:
            problems.append(
                f"{place}, column {column}: is {actual.get(column)!r}, the audit log says {value!r}"
            )


def replay_problems(session: Session, entries: Iterable[AuditEntry]) -> list[str]:
    versions: dict[tuple[str, int], dict[str, Any]] = {}
    counted: dict[str, int | None] = {}
    reports: dict[tuple[str, str], dict[str, Any]] = {}
    positions: dict[tuple[str, int], int] = {}
    keys: dict[int, KeyHistory] = {}
    for entry in entries:
        # A damaged entry is reported by the chain check; its payload cannot be replayed.
        try:
            _replay(entry, versions, counted, reports)
            if entry.action == "protocol.submitted":
                positions[(entry.payload["station"], entry.payload["version"])] = entry.sequence
            elif entry.action == ROWS_RECORDED and entry.payload["table"] == "station_key":
                _key_events(entry, keys)
        except (KeyError, TypeError):
            continue
    problems: list[str] = []
    _key_history_problems(session, positions, keys, problems)
    _version_problems(session, versions, problems)
    _result_problems(session, counted, problems)
    _report_problems(session, reports, problems)
    _observer_station_problems(session, problems)
    return problems


def _version_problems(
    session: Session, versions: dict[tuple[str, int], dict[str, Any]], problems: list[str]
) -> None:
    seen: set[tuple[str, int]] = set()
    for code, row in session.execute(
        select(PollingStationRow.code, ProtocolVersionRow).join(
            PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id
        )
    ).tuples():
        key = (code, row.version)
        seen.add(key)
        logged = versions.get(key)
        place = f"table protocol_version, key station {code} version {row.version}"
        if logged is None:
            continue  # reported by audit_verification as "not in the audit log"
        actual = {
            "body_sha256": row.body_sha256,
            "signature": row.signature,
            "status": row.status,
            "reasons": [reason["code"] for reason in json.loads(row.reasons)],
            "amendment_reason": row.amendment_reason,
            "decision_reason": row.decision_reason,
            "submitted_at": _iso(row.submitted_at),
        }
        _compare(problems, place, actual, logged)
    problems.extend(
        f"table protocol_version, key station {code} version {version}: row deleted "
        "(the audit log records it)"
        for code, version in sorted(set(versions) - seen)
    )


def _result_problems(session: Session, counted: dict[str, int | None], problems: list[str]) -> None:
    stored = dict(
        session.execute(
            select(PollingStationRow.code, ProtocolVersionRow.version)
            .join(StationResultRow, StationResultRow.station_id == PollingStationRow.id)
            .join(
                ProtocolVersionRow,
                ProtocolVersionRow.id == StationResultRow.protocol_version_id,
            )
        )
        .tuples()
        .all()
    )
    for code in sorted(set(stored) | {code for code, version in counted.items() if version}):
        want, have = counted.get(code), stored.get(code)
        if want != have:
            problems.append(
                f"table station_result, key station {code}, column protocol_version_id: counts "
                f"version {have}, the audit log's decisions count version {want}"
            )


def _report_problems(
    session: Session, reports: dict[tuple[str, str], dict[str, Any]], problems: list[str]
) -> None:
    seen: set[tuple[str, str]] = set()
    for code, row in session.execute(
        select(PollingStationRow.code, TurnoutReportRow).join(
            PollingStationRow, PollingStationRow.id == TurnoutReportRow.station_id
        )
    ).tuples():
        key = (code, row.as_of)
        seen.add(key)
        place = f"table turnout_report, key station {code} as of {row.as_of}"
        logged = reports.get(key)
        if logged is None:
            problems.append(f"{place}: row not in the audit log (added behind its back)")
            continue
        actual = {
            "voters": row.voters,
            "status": row.status,
            "reasons": [reason["code"] for reason in json.loads(row.reasons)],
            "received_at": _iso(row.received_at),
            "signature": row.signature,
        }
        if "signature" not in logged and row.signature is not None:
            problems.append(f"{place}, column signature: is set, the audit log has none")
        _compare(problems, place, actual, logged)
    problems.extend(
        f"table turnout_report, key station {code} as of {as_of}: row deleted "
        "(the audit log records it)"
        for code, as_of in sorted(set(reports) - seen)
    )


def _observer_station_problems(session: Session, problems: list[str]) -> None:
    codes = dict(
        session.execute(select(PollingStationRow.code, PollingStationRow.id)).tuples().all()
    )
    expected = {
        (observer_id, codes[code])
        for observer_id, stations in session.execute(
            select(ObserverRow.id, ObserverRow.stations)
        ).tuples()
        for code in stations.split(";")
        if code in codes
    }
    stored = set(
        session.execute(select(ObserverStationRow.observer_id, ObserverStationRow.station_id))
        .tuples()
        .all()
    )
    problems.extend(
        f"table observer_station, key {observer}, {station}: not in the observer's accreditation"
        for observer, station in sorted(stored - expected)
    )
    problems.extend(
        f"table observer_station, key {observer}, {station}: accredited, row missing"
        for observer, station in sorted(expected - stored)
    )


def _replay(
    entry: AuditEntry,
    versions: dict[tuple[str, int], dict[str, Any]],
    counted: dict[str, int | None],
    reports: dict[tuple[str, str], dict[str, Any]],
) -> None:
    payload = entry.payload
    if entry.action == "protocol.submitted":
        logged = {
            "body_sha256": payload["body_sha256"],
            "signature": payload["signature"],
            "status": payload["status"],
            "reasons": payload["reasons"],
            "amendment_reason": payload["amendment_reason"],
            "decision_reason": None,
        }
        if "submitted_at" in payload:
            logged["submitted_at"] = payload["submitted_at"]
        versions[(payload["station"], payload["version"])] = logged
        if payload["status"] == "accepted":
            counted[payload["station"]] = payload["version"]
    elif entry.action in ("protocol.accepted", "protocol.rejected"):
        logged = versions.setdefault((payload["station"], payload["version"]), {})
        logged["status"] = entry.action.removeprefix("protocol.")
        logged["decision_reason"] = payload["reason"]
        if entry.action == "protocol.accepted":
            counted[payload["station"]] = payload["version"]
    elif entry.action == "station.annulled":
        counted[payload["station"]] = None
    elif entry.action == "turnout.reported":
        logged = {
            "voters": payload["voters"],
            "status": payload["status"],
            "reasons": payload["reasons"],
        }
        if "received_at" in payload:
            logged["received_at"] = payload["received_at"]
        if "signature" in payload:
            logged["signature"] = payload["signature"]
        reports[(payload["station"], payload["as_of"])] = logged


def _key_events(entry: AuditEntry, keys: dict[int, KeyHistory]) -> None:
    for item in entry.payload["rows"]:
        key_id = int(item["key"][0])
        known = keys.get(key_id, KeyHistory(enrolled_at=entry.sequence))
        if item["row"].get("revoked_at") is not None and known.revoked_at is None:
            known = KeyHistory(known.enrolled_at, entry.sequence)
        keys[key_id] = known


def _key_history_problems(
    session: Session,
    positions: dict[tuple[str, int], int],
    keys: dict[int, KeyHistory],
    problems: list[str],
) -> None:
    for code, version, key_id, key_station, station_id, reasons in session.execute(
        select(
            PollingStationRow.code,
            ProtocolVersionRow.version,
            ProtocolVersionRow.station_key_id,
            StationKeyRow.station_id,
            ProtocolVersionRow.station_id,
            ProtocolVersionRow.reasons,
        )
        .join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
        .outerjoin(StationKeyRow, StationKeyRow.id == ProtocolVersionRow.station_key_id)
    ).tuples():
        place = f"table protocol_version, key station {code} version {version}"
        if key_station != station_id:
            problems.append(f"{place}, column station_key_id: not a key of station {code}")
            continue
        position = positions.get((code, version))
        if position is None:
            continue  # not in the log at all: reported as such
        history = keys.get(key_id, KeyHistory(None))
        if SIGNED_WITH_REVOKED_KEY in reasons and history.revoked_at is not None:
            # Flagged as signed with a revoked key when it arrived: only the enrolment must
            # come before it (a key cannot have signed before it existed).
            history = KeyHistory(history.enrolled_at)
        refusal = key_refusal(history, position)
        if refusal is not None:
            problems.append(f"{place}, column station_key_id: refused, {refusal}")
