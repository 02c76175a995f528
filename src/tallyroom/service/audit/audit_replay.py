"""Replaying the audit log's own entries against the protocol, turnout and result tables:
every version, status, decision and report the log records must be stored exactly so, and
every stored one must be in the log (table, key and column named)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tallyroom.domain.audit_chain import AuditEntry
from tallyroom.domain.key_history import KeyHistory, key_refusal
from tallyroom.service.audit.row_ledger import ROWS_RECORDED
from tallyroom.service.protocols.protocols import SIGNED_WITH_REVOKED_KEY
from tallyroom.store.schema import (
    ContestRow,
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


@dataclass(frozen=True, slots=True)
class _ReplayedTable:
    """A per-station table the log explains entry by entry: which column keys a row within
    its station, and how each logged column reads from the row."""

    name: str
    row: type[ProtocolVersionRow] | type[TurnoutReportRow]
    #: the column that, with the station, keys a row; and how a problem names it
    key: InstrumentedAttribute[Any]
    key_words: str
    #: logged name → (the row's column, how its value is logged)
    columns: Mapping[str, tuple[InstrumentedAttribute[Any], Callable[[Any], Any]]]
    #: a stored row the log does not record: named here, or by audit_verification
    names_unlogged_rows: bool


def _same(value: Any) -> Any:
    return value


def _reason_codes(reasons: str) -> list[str]:
    return [reason["code"] for reason in json.loads(reasons)]


_PROTOCOL_VERSIONS = _ReplayedTable(
    name="protocol_version",
    row=ProtocolVersionRow,
    key=ProtocolVersionRow.version,
    key_words="version",
    columns={
        "body_sha256": (ProtocolVersionRow.body_sha256, _same),
        "signature": (ProtocolVersionRow.signature, _same),
        "status": (ProtocolVersionRow.status, _same),
        "reasons": (ProtocolVersionRow.reasons, _reason_codes),
        "amendment_reason": (ProtocolVersionRow.amendment_reason, _same),
        "decision_reason": (ProtocolVersionRow.decision_reason, _same),
        "submitted_at": (ProtocolVersionRow.submitted_at, _iso),
        "decided_at": (ProtocolVersionRow.decided_at, _iso),
    },
    # audit_verification reads every version's body and says "not in the audit log"
    names_unlogged_rows=False,
)
_TURNOUT_REPORTS = _ReplayedTable(
    name="turnout_report",
    row=TurnoutReportRow,
    key=TurnoutReportRow.as_of,
    key_words="as of",
    columns={
        "voters": (TurnoutReportRow.voters, _same),
        "status": (TurnoutReportRow.status, _same),
        "reasons": (TurnoutReportRow.reasons, _reason_codes),
        "received_at": (TurnoutReportRow.received_at, _iso),
        "signature": (TurnoutReportRow.signature, _same),
    },
    names_unlogged_rows=True,
)


def replay_problems(session: Session, entries: Iterable[AuditEntry]) -> list[str]:
    versions: dict[tuple[str, Any], dict[str, Any]] = {}
    counted: dict[str, int | None] = {}
    reports: dict[tuple[str, Any], dict[str, Any]] = {}
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
    _table_problems(session, _PROTOCOL_VERSIONS, versions, problems)
    _contest_problems(session, problems)
    _result_problems(session, counted, problems)
    _table_problems(session, _TURNOUT_REPORTS, reports, problems)
    _observer_station_problems(session, problems)
    return problems


def _table_problems(
    session: Session,
    table: _ReplayedTable,
    logged_rows: dict[tuple[str, Any], dict[str, Any]],
    problems: list[str],
) -> None:
    """Every row of `table` as the log has it (each logged column), and no logged row gone."""
    seen: set[tuple[str, Any]] = set()
    names = list(table.columns)
    readers = [reader for _, reader in table.columns.values()]
    # Columns, not ORM objects: this reads every protocol (or report) of the night.
    for code, row_key, *values in session.execute(
        select(
            PollingStationRow.code, table.key, *(column for column, _ in table.columns.values())
        ).join(PollingStationRow, PollingStationRow.id == table.row.station_id)
    ).tuples():
        key = (code, row_key)
        seen.add(key)
        place = f"table {table.name}, key station {code} {table.key_words} {row_key}"
        logged = logged_rows.get(key)
        if logged is None:
            if table.names_unlogged_rows:
                problems.append(f"{place}: row not in the audit log (added behind its back)")
            continue
        actual = {
            name: reader(value) for name, reader, value in zip(names, readers, values, strict=True)
        }
        _compare(problems, place, actual, logged)
    problems.extend(
        f"table {table.name}, key station {code} {table.key_words} {row_key}: row deleted "
        "(the audit log records it)"
        for code, row_key in sorted(set(logged_rows) - seen)
    )


def _contest_problems(session: Session, problems: list[str]) -> None:
    """A version belongs to the contest of its station's constituency (the log names the
    station, so the contest follows from the logged definition)."""
    for code, version in session.execute(
        select(PollingStationRow.code, ProtocolVersionRow.version)
        .join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
        .outerjoin(ContestRow, ContestRow.id == ProtocolVersionRow.contest_id)
        .where(
            (ContestRow.id.is_(None))
            | (ContestRow.constituency_id != PollingStationRow.constituency_id)
        )
    ).tuples():
        problems.append(
            f"table protocol_version, key station {code} version {version}, column contest_id:"
            " not the contest of the station's constituency"
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
    versions: dict[tuple[str, Any], dict[str, Any]],
    counted: dict[str, int | None],
    reports: dict[tuple[str, Any], dict[str, Any]],
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
            # Every writer logs the moment; an entry without it vouches for no moment.
            "submitted_at": payload.get("submitted_at"),
            "decided_at": None,
        }
        versions[(payload["station"], payload["version"])] = logged
        if payload["status"] == "accepted":
            counted[payload["station"]] = payload["version"]
    elif entry.action in ("protocol.accepted", "protocol.rejected"):
        logged = versions.setdefault((payload["station"], payload["version"]), {})
        logged["status"] = entry.action.removeprefix("protocol.")
        logged["decision_reason"] = payload["reason"]
        logged["decided_at"] = payload.get("decided_at")
        if entry.action == "protocol.accepted":
            counted[payload["station"]] = payload["version"]
    elif entry.action == "protocol.reexamined":
        # judged again: under a new rule set (protocols/rule_changes.py), or because check-ins
        # synced after the protocol was judged; no person decided it
        logged = versions.setdefault((payload["station"], payload["version"]), {})
        logged["status"] = payload["status"]
        logged["reasons"] = payload["reasons"]
        if payload["status"] == "accepted":
            counted[payload["station"]] = payload["version"]
        elif counted.get(payload["station"]) == payload["version"]:
            counted[payload["station"]] = None
    elif entry.action == "station.annulled":
        counted[payload["station"]] = None
    elif entry.action == "turnout.reported":
        logged = {
            "voters": payload["voters"],
            "status": payload["status"],
            "reasons": payload["reasons"],
            "received_at": payload.get("received_at"),
            # a signed report's signature (unsigned reports log none)
            "signature": payload.get("signature"),
        }
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
