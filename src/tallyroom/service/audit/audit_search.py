"""The audit log as people read it: entries found by station, constituency, person, action
and time, newest first, each with links to what it changed. A constituency member reads
only the entries about her constituency."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from tallyroom.service.audit.row_ledger import ROWS_RECORDED
from tallyroom.service.definition.credentials import PERSON_ACTOR_MARK, Principal, Role
from tallyroom.service.errors import Forbidden, InvalidInput
from tallyroom.service.people.people import PersonRole
from tallyroom.store.schema import (
    AuditEntryRow,
    ConstituencyRow,
    PersonRow,
    PollingStationRow,
)

PAGE_SIZE = 50
#: a payload shown longer than this is cut (the full entry is in `tallyroom audit` output)
SHOWN_PAYLOAD = 400
#: actions that name people in their payload ("person": id)
_LONGEST_FILTER = 64


@dataclass(frozen=True, slots=True)
class AuditQuery:
    station: str | None = None
    constituency: int | None = None
    person: int | None = None
    #: an action ("protocol.accepted") or its family ("protocol")
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    #: entries before this sequence number (the next page)
    before: int | None = None


@dataclass(frozen=True, slots=True)
class AuditLink:
    #: station, protocol (a version of a station's protocol), constituency, person or rules
    kind: str
    label: str
    path: str
    #: the person's id, for a link to a person
    person: int | None = None
    #: the protocol's version, for a link to a protocol version
    version: int | None = None


@dataclass(frozen=True, slots=True)
class AuditLine:
    sequence: int
    recorded_at: datetime
    actor: str
    person: int | None
    action: str
    payload: str
    links: tuple[AuditLink, ...]
    entry_hash: str


@dataclass(frozen=True, slots=True)
class AuditPage:
    lines: tuple[AuditLine, ...]
    #: the `before` of the next (older) page, if there is one
    next_before: int | None


def parse_moment(text: str | None, field: str) -> datetime | None:
    """A time from a search form (`2026-12-02T12:30` or a date), read as UTC."""
    if not text or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip()[:40])
    except ValueError:
        raise InvalidInput(
            "invalid_search",
            "the search is not valid",
            problems=[{"field": field, "message": "a date and time: 2026-12-02T12:30"}],
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _mentions(key: str, value: str | int) -> ColumnElement[bool]:
    """A canonical-JSON payload (sorted keys, no spaces) holding `"key":value`."""
    encoded = json.dumps(value, ensure_ascii=False)
    pattern = f'"{key}":{encoded}'
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if isinstance(value, str):
        return AuditEntryRow.payload.like(f"%{escaped}%", escape="\\")
    return or_(
        AuditEntryRow.payload.like(f"%{escaped},%", escape="\\"),
        AuditEntryRow.payload.like(f"%{escaped}}}%", escape="\\"),
    )


def _about_constituency(session: Session, election_id: int, number: int) -> ColumnElement[bool]:
    found = session.scalar(
        select(ConstituencyRow.id).where(
            ConstituencyRow.election_id == election_id, ConstituencyRow.number == number
        )
    )
    if found is None:
        return false()
    codes = session.scalars(
        select(PollingStationRow.code).where(PollingStationRow.constituency_id == found)
    ).all()
    return or_(_mentions("constituency", number), *(_mentions("station", code) for code in codes))


def search_audit(
    session: Session, *, principal: Principal, query: AuditQuery, page_size: int = PAGE_SIZE
) -> AuditPage:
    if principal.role not in (Role.COMMISSION, Role.COMMISSION_STAFF, Role.CONSTITUENCY_COMMISSION):
        raise Forbidden("commission_only", "the audit log is read by the commission's people")
    problems = [
        {"field": name, "message": f"at most {_LONGEST_FILTER} characters"}
        for name, value in (("station", query.station), ("action", query.action))
        if value and len(value) > _LONGEST_FILTER
    ]
    if problems:
        raise InvalidInput("invalid_search", "the search is not valid", problems=problems)
    conditions: list[ColumnElement[bool]] = []
    if principal.role is Role.CONSTITUENCY_COMMISSION:
        own = session.scalar(
            select(ConstituencyRow.number).where(ConstituencyRow.id == principal.constituency_id)
        )
        if own is None or (query.constituency is not None and query.constituency != own):
            raise Forbidden(
                "outside_constituency", "a constituency member reads her constituency only"
            )
        conditions.append(_about_constituency(session, principal.election_id, own))
    if query.constituency is not None:
        conditions.append(_about_constituency(session, principal.election_id, query.constituency))
    if query.station:
        conditions.append(_mentions("station", query.station.strip()))
    if query.person is not None:
        person = session.get(PersonRow, query.person)
        person_actor = (
            f"{PersonRole(person.role).principal_role.value}{PERSON_ACTOR_MARK}{person.id}"
            if person is not None
            else "-"
        )
        # By her, about her, or her account's row image.
        conditions.append(
            or_(
                AuditEntryRow.actor == person_actor,
                _mentions("person", query.person),
                and_(
                    AuditEntryRow.action == ROWS_RECORDED,
                    AuditEntryRow.payload.like('%"table":"person"%'),
                    AuditEntryRow.payload.like(f'%"key":[{query.person}]%'),
                ),
            )
        )
    if query.action:
        action = query.action.strip()
        conditions.append(
            AuditEntryRow.action == action
            if "." in action
            else AuditEntryRow.action.like(
                action.replace("%", "").replace("_", "\\_") + ".%", escape="\\"
            )
        )
    if query.since is not None:
        conditions.append(AuditEntryRow.recorded_at >= query.since)
    if query.until is not None:
        conditions.append(AuditEntryRow.recorded_at <= query.until)
    if query.before is not None:
        conditions.append(AuditEntryRow.sequence < query.before)
    rows = session.scalars(
        select(AuditEntryRow)
        .where(*conditions)
        .order_by(AuditEntryRow.sequence.desc())
        .limit(page_size + 1)
    ).all()
    lines = tuple(_line(row) for row in rows[:page_size])
    more = len(rows) > page_size
    return AuditPage(lines, lines[-1].sequence if more and lines else None)


def _line(row: AuditEntryRow) -> AuditLine:
    try:
        payload: Any = json.loads(row.payload)
    except json.JSONDecodeError:
        payload = {}
    links: list[AuditLink] = []
    person = _actor_person(row.actor)
    if person is not None:
        links.append(
            AuditLink("person", f"person {person}", f"/console/people#person-{person}", person)
        )
    if isinstance(payload, dict):
        station = payload.get("station")
        if isinstance(station, str):
            links.append(AuditLink("station", station, f"/stations/{station}"))
            version = payload.get("version")
            if isinstance(version, int) and not isinstance(version, bool):
                # the station page lists every version, each row anchored by its number
                links.append(
                    AuditLink(
                        "protocol",
                        station,
                        f"/stations/{station}#version-{version}",
                        version=version,
                    )
                )
        constituency = payload.get("constituency")
        if isinstance(constituency, int) and not isinstance(constituency, bool):
            links.append(
                AuditLink("constituency", str(constituency), f"/constituencies/{constituency}")
            )
        named = payload.get("person")
        if isinstance(named, int) and not isinstance(named, bool) and named != person:
            links.append(
                AuditLink("person", f"person {named}", f"/console/people#person-{named}", named)
            )
        if row.action == ROWS_RECORDED and payload.get("table") == "person":
            links.extend(_people_recorded(payload.get("rows"), person))
        if row.action.startswith("rules.") and isinstance(payload.get("version"), str):
            links.append(AuditLink("rules", payload["version"][:12], "/console/rules"))
    shown = row.payload if len(row.payload) <= SHOWN_PAYLOAD else row.payload[:SHOWN_PAYLOAD] + "…"
    moment = row.recorded_at if row.recorded_at.tzinfo else row.recorded_at.replace(tzinfo=UTC)
    return AuditLine(
        sequence=row.sequence,
        recorded_at=moment,
        actor=row.actor,
        person=person,
        action=row.action,
        payload=shown,
        links=tuple(links),
        entry_hash=row.entry_hash,
    )


#: the people an account's row images link to, at most (an initial load logs many)
LINKED_PEOPLE = 10


def _people_recorded(rows: Any, actor: int | None) -> list[AuditLink]:
    """Links to the accounts whose row images an entry holds."""
    if not isinstance(rows, list):
        return []
    found: list[AuditLink] = []
    for item in rows[:LINKED_PEOPLE]:
        key = item.get("key") if isinstance(item, dict) else None
        if not (isinstance(key, list) and len(key) == 1 and type(key[0]) is int):
            continue
        if key[0] != actor:
            found.append(
                AuditLink("person", f"person {key[0]}", f"/console/people#person-{key[0]}", key[0])
            )
    return found


def _actor_person(actor: str) -> int | None:
    _, mark, rest = actor.partition(PERSON_ACTOR_MARK)
    return int(rest) if mark and rest.isdigit() else None
