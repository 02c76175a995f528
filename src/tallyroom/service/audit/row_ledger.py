"""Rows in the audit log: commands that write definition, key, token, decision and contest
rows log each row's image (personal data only as salted hashes), and `audit verify` compares
every such table with the images, both ways, naming table, key and column."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Date, DateTime, LargeBinary, Select, Table, Time, bindparam, select, tuple_
from sqlalchemy.orm import Session

from tallyroom.domain.audit_chain import AuditEntry
from tallyroom.service.audit import audit_log
from tallyroom.store.schema import Base, PersonalDataSaltRow

#: the audit action carrying row images
ROWS_RECORDED = "rows.recorded"
#: the tables an election's definition fills
DEFINITION_TABLES = (
    "election",
    "constituency",
    "contest",
    "polling_station",
    "party",
    "candidate",
    "organisation",
    "observer",
    "exit_poll_sample",
)
#: tables whose every row the log must explain by an image (the protocol and turnout tables
#: are explained by their own entries instead: service/audit/audit_replay.py)
LEDGER_TABLES = (
    *DEFINITION_TABLES,
    "station_key",
    "station_enrolment",
    "poll_book_device",
    "access_token",
    "station_decision",
    "proposed_decision",
    "certification",
    # runoffs: a two-round contest's round 2 as the commission defined it
    "runoff",
    "runoff_candidate",
    "drawn_lot",
    "runoff_protocol",
    "runoff_turnout_report",
    "tree_head_key",
    "signed_tree_head",
    "person",
    # the poll book's tables (the voter table itself is logged by chunk hashes instead:
    # service/register/voter_register.py)
    "absentee_certificate",
    "voter_addition",
    "check_in",
    "double_vote_incident",
    "organisation_application",
    "observer_accreditation",
    "stored_file",
    "observer_protocol_copy",
    "complaint",
    "complaint_step",
    "complaint_attachment",
    "organisation_credential",
    "exit_poll_estimate",
    "webcam",
    "webcam_outage",
)
#: actions whose payload is one row image ({"key", "row"}) of a table
SINGLE_ROW_ACTIONS = {"tree_head.signed": "signed_tree_head"}
#: columns holding personal data: logged as a salted hash, so the log can be published whole
PERSONAL_COLUMNS: Mapping[str, frozenset[str]] = {
    "candidate": frozenset({"full_name", "birth_date"}),
    "observer": frozenset({"full_name"}),
    "polling_station": frozenset({"contact"}),
    # the password hash and second-factor secrets too: a published log must not let anyone
    # guess passwords offline or copy an authenticator
    "person": frozenset(
        {
            "login",
            "full_name",
            "email",
            "password_hash",
            "totp_secret",
            "webauthn_credential_id",
            "webauthn_public_key",
            "enrolment_code_hash",
        }
    ),
    "voter_addition": frozenset({"voter_number", "full_name", "birth_date"}),
    "absentee_certificate": frozenset({"number"}),
    # an enrolment code has about 45 bits: its bare SHA-256 in a published log could be
    # searched for while it is still valid
    "station_enrolment": frozenset({"code_hash"}),
    # what a reporter writes may name people; the register shows only the redacted text
    "complaint": frozenset({"reporter_name", "reporter_contact", "description"}),
}
#: rows per audit entry, so a million stations make entries of a bearable size
ROWS_PER_ENTRY = 5_000


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


#: built once: every check-in's row image asks for the salt (the ORM's `get` cost more than
#: the rest of a single check-in's ledger work)
_SALT = select(PersonalDataSaltRow.salt).where(PersonalDataSaltRow.id == 1)


def salt(session: Session) -> bytes:
    """The installation's salt for personal data, made on first use."""
    session.flush()
    stored = session.connection().execute(_SALT).scalar()
    if stored is None:
        row = PersonalDataSaltRow(id=1, salt=secrets.token_hex(32))
        session.add(row)
        session.flush()
        stored = row.salt
    return bytes.fromhex(stored)


def _value(value: Any) -> Any:
    if isinstance(value, bytes):
        # a stored file is logged by its digest: the log stays small and the bytes checkable
        return f"sha256:{hashlib.sha256(value).hexdigest()}"
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def row_image(table: str, row: Mapping[Any, Any], personal_salt: bytes) -> dict[str, Any]:
    personal = PERSONAL_COLUMNS.get(table, frozenset())
    image: dict[str, Any] = {}
    for column, value in row.items():
        if column in personal and value is not None:
            digest = hmac.new(personal_salt, str(value).encode(), hashlib.sha256).hexdigest()
            image[column] = f"hmac-sha256:{digest}"
        else:
            image[column] = _value(value)
    return image


def record_rows(
    session: Session, *, actor: str, table: str, keys: Sequence[Sequence[Any]] | None = None
) -> None:
    """Log the current image of the rows of `table` with these primary keys (every row when
    `keys` is None), in the caller's transaction."""
    if keys is not None and not keys:
        return
    audit_log.record_many(
        session, row_entries(session, {actor: keys}, table=table), returning=False
    )


def row_entries(
    session: Session,
    keys_by_actor: Mapping[str, Sequence[Sequence[Any]] | None],
    *,
    table: str,
) -> list[tuple[str, str, dict[str, Any]]]:
    """The audit entries (actor, action, payload) logging the current image of the rows of
    `table` that each actor wrote (every row when its keys are None), read back with one
    statement for all actors; the caller appends them with the rest of its entries (a poll
    book's tick: every desk's check-ins in one read and one append)."""
    session.flush()
    stored = _table(table)
    key_columns = list(stored.primary_key.columns)
    wanted = [key for keys in keys_by_actor.values() if keys for key in keys]
    if not any(keys is None for keys in keys_by_actor.values()) and not wanted:
        return []
    query, parameters = _read_back(table, key_columns, wanted, whole=None in keys_by_actor.values())
    personal_salt = salt(session)
    columns = [column.name for column in stored.columns]
    positions = [columns.index(column.name) for column in key_columns]
    image_of = _image_maker(table, columns, personal_salt)
    images = {
        tuple(values[position] for position in positions): image_of(values)
        for values in session.connection().execute(query, parameters).tuples()
    }
    entries: list[tuple[str, str, dict[str, Any]]] = []
    for actor, keys in keys_by_actor.items():
        # each actor's own keys looked up (a tick's thousands of desks share one read-back)
        chosen = (
            sorted(images)
            if keys is None
            else [key for key in sorted({tuple(key) for key in keys}) if key in images]
        )
        rows = [{"key": list(key), "row": images[key]} for key in chosen]
        entries.extend(
            (actor, ROWS_RECORDED, {"table": table, "rows": rows[start : start + ROWS_PER_ENTRY]})
            for start in range(0, len(rows), ROWS_PER_ENTRY)
        )
    return entries


#: read-back statements built once per table (the poll book logs every check-in it takes)
_RANGES: dict[str, Select[Any]] = {}


def _read_back(
    table: str, key_columns: list[Any], keys: Sequence[Sequence[Any]], *, whole: bool
) -> tuple[Any, dict[str, Any]]:
    """The statement reading the rows with these keys: a range for a run of consecutive
    whole-number ids (a batch just inserted), else the keys themselves; every row when
    `whole`."""
    stored = _table(table)
    query = select(stored).order_by(*key_columns)
    if whole:
        return query, {}
    if len(key_columns) == 1:
        (column,) = key_columns
        single = [key[0] for key in keys]
        if all(isinstance(value, int) and not isinstance(value, bool) for value in single):
            low, high = min(single), max(single)
            if high - low + 1 == len(set(single)) == len(single):
                ranged = _RANGES.get(table)
                if ranged is None:
                    ranged = _RANGES[table] = query.where(
                        column.between(bindparam("low"), bindparam("high"))
                    )
                return ranged, {"low": low, "high": high}
        return query.where(column.in_(single)), {}
    return query.where(tuple_(*key_columns).in_([tuple(key) for key in keys])), {}


def ledger_problems(session: Session, entries: Iterable[AuditEntry]) -> list[str]:
    """Every row of a ledger table that differs from its last logged image, is missing from
    the log, or was logged and is gone."""
    logged: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {name: {} for name in LEDGER_TABLES}
    for entry in entries:
        if entry.action in SINGLE_ROW_ACTIONS:
            single = entry.payload
            if isinstance(single.get("key"), list) and isinstance(single.get("row"), dict):
                logged[SINGLE_ROW_ACTIONS[entry.action]][tuple(single["key"])] = single["row"]
        if entry.action == ROWS_RECORDED and entry.payload.get("table") in logged:
            images = logged[entry.payload["table"]]
            try:
                for item in entry.payload["rows"]:
                    images[tuple(item["key"])] = item["row"]
            except (KeyError, TypeError):
                continue  # a damaged entry: the chain check reports it
    personal_salt = salt(session)
    problems: list[str] = []
    for name in LEDGER_TABLES:
        stored = _table(name)
        expected = logged[name]
        seen: set[tuple[Any, ...]] = set()
        columns = [column.name for column in stored.columns]
        key_positions = [columns.index(column.name) for column in stored.primary_key.columns]
        image_of = _image_maker(name, columns, personal_salt)
        added_later = _values_before_added(name)
        for values in session.execute(
            select(stored).order_by(*stored.primary_key.columns)
        ).tuples():
            key = tuple(values[position] for position in key_positions)
            seen.add(key)
            image = expected.get(key)
            if image is None:
                problems.append(
                    f"table {name}, key {_shown_key(key)}: row not in the audit log "
                    "(added behind its back)"
                )
                continue
            actual = image_of(values)
            if actual == image:
                continue
            place = f"table {name}, key {_shown_key(key)}"
            for column in sorted(set(actual) | set(image)):
                if column not in image and actual.get(column) == added_later.get(column):
                    # logged before a migration added the column: the row holds the value
                    # the migration gave every existing row, so nothing changed behind the log
                    continue
                if actual.get(column) != image.get(column):
                    problems.append(
                        f"{place}, column {column}: is {actual.get(column)!r}, "
                        f"the audit log says {image.get(column)!r}"
                    )
        problems.extend(
            f"table {name}, key {_shown_key(key)}: row deleted (the audit log records it)"
            for key in sorted(set(expected) - seen, key=repr)
        )
    return problems


def _values_before_added(table: str) -> dict[str, Any]:
    """Column → the value a migration that adds the column gives the rows already there: its
    scalar default (server-side or not), else none."""
    values: dict[str, Any] = {}
    for column in _table(table).columns:
        server_default = getattr(column.server_default, "arg", None)
        if isinstance(server_default, str):
            values[column.name] = server_default
        elif column.default is not None and column.default.is_scalar:
            values[column.name] = column.default.arg  # type: ignore[attr-defined]
        else:
            values[column.name] = None
    return values


def _image_maker(
    table: str, columns: Sequence[str], personal_salt: bytes
) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """`row_image` for rows as value tuples in `columns` order, with the conversion of each
    column chosen once per table, not once per value (a million stations, keys and tokens
    are compared on every `audit verify`)."""
    personal = PERSONAL_COLUMNS.get(table, frozenset())
    # moments and stored bytes are logged converted (an ISO text, a digest)
    timed = {
        column.name
        for column in _table(table).columns
        if isinstance(column.type, DateTime | Date | Time | LargeBinary)
    }
    if not personal and not timed:
        return lambda values: dict(zip(columns, values, strict=True))

    def image(values: Sequence[Any]) -> dict[str, Any]:
        made = dict(zip(columns, values, strict=True))
        for column in timed:
            if made[column] is not None:
                made[column] = _value(made[column])
        for column in personal:
            if made[column] is not None:
                made[column] = row_image(table, {column: made[column]}, personal_salt)[column]
        return made

    return image


def _shown_key(key: tuple[Any, ...]) -> str:
    return ",".join(str(part) for part in key)
