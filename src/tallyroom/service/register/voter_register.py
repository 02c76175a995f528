"""The voter register: bulk load (COPY on PostgreSQL, executemany chunks on SQLite) logged as
one salted hash per chunk of rows, export, the published figures counted from it, its check
in `audit verify`, and the purge of personal data after certification."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tallyroom.domain.audit_chain import AuditEntry
from tallyroom.domain.voter import REGISTER_COLUMNS, Sex, VoterStatus, age_on
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import Conflict, InvalidInput
from tallyroom.store.schema import (
    ContestRow,
    ElectionRow,
    PollingStationRow,
    VoterAdditionRow,
    VoterRow,
)

#: rows per chunk: one audit entry and one salted hash each
CHUNK_ROWS = 5_000
#: chunks per audit append (one lock of the chain head for many entries)
CHUNKS_PER_APPEND = 20
CHUNK_LOADED = "register.chunk_loaded"
CHUNK_CHANGED = "register.chunk_changed"
#: the columns a chunk's hash covers, in order
_HASHED = (
    "id",
    "election_id",
    "voter_number",
    "surname",
    "given_name",
    "patronymic",
    "sex",
    "birth_date",
    "address",
    "station_id",
    "status",
    "removal_reason",
    "chunk",
)
#: the personal data the purge removes
_PURGED = ("voter_number", "surname", "given_name", "patronymic", "birth_date", "address")
_PREVIOUS_ELECTION_DEFAULT = date(2024, 2, 7)


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    voters: int
    chunks: int


def chunk_digest(salt: bytes, rows: Iterable[Sequence[Any]]) -> str:
    """HMAC-SHA256 of a chunk's rows (in id order, the `_HASHED` columns): what the log keeps
    instead of the rows, so it can be published whole."""
    mac = hmac.new(salt, digestmod=hashlib.sha256)
    for row in rows:
        mac.update("\x1f".join("\x00" if value is None else _text(value) for value in row).encode())
        mac.update(b"\x1e")
    return mac.hexdigest()


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _parsed_rows(
    lines: Iterable[Sequence[str]], stations: dict[str, int], line_offset: int
) -> Iterator[tuple[int, Sequence[str], date, int]]:
    for number, line in enumerate(lines, start=line_offset):
        if len(line) != len(REGISTER_COLUMNS):
            raise InvalidInput(
                "bad_register_row",
                f"line {number}: {len(line)} fields, the register has {len(REGISTER_COLUMNS)}",
            )
        voter_id, surname, given, _patronymic, sex, born, _address, station, status, _r = line
        if not voter_id or not surname or not given:
            raise InvalidInput("bad_register_row", f"line {number}: id and names are required")
        if sex not in ("F", "M"):
            raise InvalidInput("bad_register_row", f"line {number}: sex must be F or M")
        if status not in ("active", "removed"):
            raise InvalidInput("bad_register_row", f"line {number}: unknown status {status!r}")
        try:
            birth = date.fromisoformat(born)
        except ValueError:
            raise InvalidInput(
                "bad_register_row", f"line {number}: birth date {born!r} is not YYYY-MM-DD"
            ) from None
        station_id = stations.get(station)
        if station_id is None:
            raise InvalidInput("bad_register_row", f"line {number}: unknown station {station!r}")
        yield number, line, birth, station_id


def load_register(
    session: Session,
    *,
    actor: str,
    lines: Iterable[Sequence[str]],
    election: str | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> LoadOutcome:
    """Add the register rows (`REGISTER_COLUMNS`, header already read) in the caller's
    transaction: a bad row or a repeated voter id refuses the whole load."""
    record = election_row(session, election)
    stations: dict[str, int] = dict(
        iter(
            session.execute(
                select(PollingStationRow.code, PollingStationRow.id).where(
                    PollingStationRow.election_id == record.id
                )
            ).tuples()
        )
    )
    salt = row_ledger.salt(session)
    next_id = int(session.scalar(select(func.coalesce(func.max(VoterRow.id), 0))) or 0) + 1
    next_chunk = (
        int(
            session.scalar(
                select(func.coalesce(func.max(VoterRow.chunk), 0)).where(
                    VoterRow.election_id == record.id
                )
            )
            or 0
        )
        + 1
    )
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    pending_entries: list[tuple[str, str, dict[str, Any]]] = []
    voters = chunks = 0
    chunk: list[tuple[Any, ...]] = []

    def flush_chunk() -> None:
        nonlocal chunks, next_chunk
        if not chunk:
            return
        _insert(connection, chunk, postgres=postgres)
        pending_entries.append(
            (
                actor,
                CHUNK_LOADED,
                {
                    "election": record.code,
                    "chunk": next_chunk,
                    "first_id": chunk[0][0],
                    "last_id": chunk[-1][0],
                    "rows": len(chunk),
                    "hmac_sha256": chunk_digest(salt, chunk),
                },
            )
        )
        chunks += 1
        next_chunk += 1
        chunk.clear()
        if len(pending_entries) >= CHUNKS_PER_APPEND:
            audit_log.record_many(session, pending_entries, returning=False)
            pending_entries.clear()
        if progress is not None:
            progress(voters)

    for _number, line, birth, station_id in _parsed_rows(lines, stations, 2):
        chunk.append(
            (
                next_id,
                record.id,
                line[0],
                line[1],
                line[2],
                line[3] or None,
                line[4],
                birth,
                line[6] or None,
                station_id,
                line[8],
                line[9] or None,
                next_chunk,
            )
        )
        next_id += 1
        voters += 1
        if len(chunk) >= chunk_rows:
            flush_chunk()
    flush_chunk()
    pending_entries.append(
        (actor, "register.loaded", {"election": record.code, "voters": voters, "chunks": chunks})
    )
    audit_log.record_many(session, pending_entries, returning=False)
    return LoadOutcome(voters, chunks)


_INSERT_SQL = (
    "INSERT INTO voter (" + ", ".join(_HASHED) + ") VALUES (" + ", ".join("?" * len(_HASHED)) + ")"
)


def _insert(connection: Any, rows: list[tuple[Any, ...]], *, postgres: bool) -> None:
    try:
        _insert_raw(connection, rows, postgres=postgres)
    except connection.dialect.dbapi.IntegrityError:
        raise Conflict(
            "voter_twice",
            f"a voter id among ids {rows[0][0]}-{rows[-1][0]} of this load is on the register "
            "twice (or already loaded); nothing was loaded",
        ) from None


def _insert_raw(connection: Any, rows: list[tuple[Any, ...]], *, postgres: bool) -> None:
    raw = connection.connection.driver_connection
    if postgres:
        with (
            raw.cursor() as cursor,
            cursor.copy("COPY voter (" + ", ".join(_HASHED) + ") FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    cursor = raw.cursor()
    try:
        cursor.executemany(_INSERT_SQL, [_sqlite_row(row) for row in rows])
    finally:
        cursor.close()


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # SQLAlchemy stores dates on SQLite as ISO text; the raw driver must do the same.
    return (*row[:7], row[7].isoformat(), *row[8:])


def _chunk_rows(
    session: Session, election_id: int, chunks: Iterable[int] | None = None
) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """Every chunk's rows (or these chunks') as the hash reads them, chunk by chunk."""
    columns = [VoterRow.__table__.c[name] for name in _HASHED]
    query = select(*columns).where(VoterRow.election_id == election_id)
    if chunks is not None:
        query = query.where(VoterRow.chunk.in_(sorted(set(chunks))))
    result = session.execute(
        query.order_by(VoterRow.chunk, VoterRow.id).execution_options(yield_per=CHUNK_ROWS)
    )
    current: int | None = None
    rows: list[tuple[Any, ...]] = []
    for row in result.tuples():
        if row[-1] != current:
            if current is not None:
                yield current, rows
            current, rows = row[-1], []
        rows.append(tuple(row))
    if current is not None:
        yield current, rows


def register_problems(session: Session, entries: Iterable[AuditEntry]) -> list[str]:
    """Every chunk of the register that differs from its last logged hash, is missing from
    the log, or was logged and is gone (`audit verify`)."""
    logged: dict[tuple[str, int], str] = {}
    for entry in entries:
        if entry.action in (CHUNK_LOADED, CHUNK_CHANGED):
            try:
                key = (str(entry.payload["election"]), int(entry.payload["chunk"]))
                logged[key] = str(entry.payload["hmac_sha256"])
            except (KeyError, TypeError, ValueError):
                continue  # a damaged entry: the chain check reports it
    salt = row_ledger.salt(session)
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    names: dict[int, str] = dict(
        iter(session.execute(select(ElectionRow.id, ElectionRow.code)).tuples())
    )
    for election_id in sorted(names):
        code = names.get(election_id, str(election_id))
        for chunk, rows in _chunk_rows(session, election_id):
            key = (code, chunk)
            seen.add(key)
            expected = logged.get(key)
            if expected is None:
                problems.append(f"table voter, chunk {chunk}: rows not in the audit log")
            elif chunk_digest(salt, rows) != expected:
                problems.append(
                    f"table voter, chunk {chunk} (ids {rows[0][0]}-{rows[-1][0]}): rows differ "
                    "from the hash the audit log recorded"
                )
    problems.extend(
        f"table voter, chunk {chunk}: rows deleted (the audit log records them)"
        for (_code, chunk) in sorted(set(logged) - seen)
    )
    return problems


def relog_chunks(
    session: Session, *, actor: str, election_id: int, chunks: Iterable[int] | None = None
) -> int:
    """Log the current hash of these chunks (all when None) after a command changed them."""
    session.flush()
    code = election_row_code(session, election_id)
    salt = row_ledger.salt(session)
    entries: list[tuple[str, str, dict[str, Any]]] = []
    count = 0
    for chunk, rows in _chunk_rows(session, election_id, chunks):
        entries.append(
            (
                actor,
                CHUNK_CHANGED,
                {
                    "election": code,
                    "chunk": chunk,
                    "rows": len(rows),
                    "hmac_sha256": chunk_digest(salt, rows),
                },
            )
        )
        count += 1
        if len(entries) >= CHUNKS_PER_APPEND:
            audit_log.record_many(session, entries, returning=False)
            entries.clear()
    audit_log.record_many(session, entries, returning=False)
    return count


def election_row_code(session: Session, election_id: int) -> str:
    return str(session.scalar(select(ElectionRow.code).where(ElectionRow.id == election_id)))


def remove_voter(
    session: Session, *, actor: str, voter_number: str, reason: str, election: str | None = None
) -> None:
    """Mark a voter removed from the register, with the reason (death, moved, court)."""
    record = election_row(session, election)
    voter = session.scalars(
        select(VoterRow).where(
            VoterRow.election_id == record.id, VoterRow.voter_number == voter_number
        )
    ).first()
    if voter is None:
        raise InvalidInput("unknown_voter", "no such voter on the register")
    voter.status = VoterStatus.REMOVED.value
    voter.removal_reason = reason
    audit_log.record(
        session,
        actor=actor,
        action="register.voter_removed",
        payload={"voter": _personal_hash(session, voter_number), "reason": reason},
    )
    relog_chunks(session, actor=actor, election_id=record.id, chunks=[voter.chunk])


def _personal_hash(session: Session, value: str) -> str:
    digest = hmac.new(row_ledger.salt(session), value.encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256:{digest}"


def export_rows(session: Session, *, election: str | None = None) -> Iterator[list[str]]:
    """The register as `REGISTER_COLUMNS` rows, in id order (streamed)."""
    record = election_row(session, election)
    codes: dict[int, str] = dict(
        iter(
            session.execute(
                select(PollingStationRow.id, PollingStationRow.code).where(
                    PollingStationRow.election_id == record.id
                )
            ).tuples()
        )
    )
    result = session.execute(
        select(
            VoterRow.voter_number,
            VoterRow.surname,
            VoterRow.given_name,
            VoterRow.patronymic,
            VoterRow.sex,
            VoterRow.birth_date,
            VoterRow.address,
            VoterRow.station_id,
            VoterRow.status,
            VoterRow.removal_reason,
        )
        .where(VoterRow.election_id == record.id)
        .order_by(VoterRow.id)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    for (
        number,
        surname,
        given,
        patronymic,
        sex,
        born,
        address,
        station,
        status,
        reason,
    ) in result.tuples():
        yield [
            number or "",
            surname or "",
            given or "",
            patronymic or "",
            sex,
            born.isoformat() if born else "",
            address or "",
            codes[station],
            status,
            reason or "",
        ]


def extract_rows(session: Session, *, election: str | None = None) -> Iterator[list[str]]:
    """The published extract: no ID numbers and birth years only (`EXTRACT_COLUMNS`)."""
    for row in export_rows(session, election=election):
        if row[8] != VoterStatus.ACTIVE.value:
            continue
        yield [row[1], row[2], row[3], row[4], row[5][:4], row[6], row[7]]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 3, 1)


def register_statistics(
    session: Session,
    *,
    election: str | None = None,
    previous_election: date = _PREVIOUS_ELECTION_DEFAULT,
) -> dict[str, Any]:
    """The register's published figures, counted from its rows (active voters)."""
    record = election_row(session, election)
    polling_day = record.polling_day
    active = (VoterRow.election_id == record.id, VoterRow.status == VoterStatus.ACTIVE.value)
    voters = session.scalar(select(func.count()).select_from(VoterRow).where(*active)) or 0
    born_18_today = _years_before(polling_day, 18)
    turning = session.scalar(
        select(func.count()).where(*active, VoterRow.birth_date == born_18_today)
    )
    first_time = session.scalar(
        select(func.count()).where(
            *active,
            VoterRow.birth_date > _years_before(previous_election, 18),
            VoterRow.birth_date <= born_18_today,
        )
    )
    oldest: dict[str, int | None] = {}
    for sex in Sex:
        born = session.scalar(
            select(func.min(VoterRow.birth_date)).where(*active, VoterRow.sex == sex.value)
        )
        oldest[sex.value] = age_on(born, polling_day) if born else None
    per_station: dict[int, int] = dict(
        iter(
            session.execute(
                select(VoterRow.station_id, func.count())
                .where(*active)
                .group_by(VoterRow.station_id)
            ).tuples()
        )
    )
    differing = len(
        [
            station_id
            for station_id, registered in session.execute(
                select(PollingStationRow.id, PollingStationRow.registered_voters).where(
                    PollingStationRow.election_id == record.id
                )
            ).tuples()
            if per_station.get(station_id, 0) != registered
        ]
    )
    removed = session.scalar(
        select(func.count()).where(
            VoterRow.election_id == record.id, VoterRow.status == VoterStatus.REMOVED.value
        )
    )
    return {
        "election": record.code,
        "voters": int(voters),
        "turning_18_on_polling_day": int(turning or 0),
        "first_time_voters": int(first_time or 0),
        "oldest_female_age": oldest["F"],
        "oldest_male_age": oldest["M"],
        "removed": int(removed or 0),
        "stations_differing_from_definition": differing,
    }


#: the time personal data is kept after every contest is certified, unless told otherwise
PURGE_AFTER = timedelta(days=90)


def purge_register(
    session: Session,
    *,
    actor: str,
    election: str | None = None,
    now: datetime | None = None,
    kept_for: timedelta = PURGE_AFTER,
) -> int:
    """Remove the register's personal data (ids, names, birth dates, addresses) once every
    contest has been certified `kept_for` ago; audited, and the chunks' hashes re-logged so
    `audit verify` still explains every row. Returns the voters purged."""
    record = election_row(session, election)
    moment = now or datetime.now(UTC)
    certified = (
        session.execute(select(ContestRow.certified_at).where(ContestRow.election_id == record.id))
        .scalars()
        .all()
    )
    if not certified or any(at is None for at in certified):
        raise Conflict("not_certified", "the register is kept until every contest is certified")
    latest = max(_aware(at) for at in certified if at is not None)
    if moment < latest + kept_for:
        raise Conflict(
            "purge_too_early",
            f"personal data is kept until {(latest + kept_for).date().isoformat()}",
        )
    purged = session.scalar(
        select(func.count()).where(
            VoterRow.election_id == record.id, VoterRow.voter_number.is_not(None)
        )
    )
    session.execute(
        update(VoterRow)
        .where(VoterRow.election_id == record.id, VoterRow.voter_number.is_not(None))
        .values(dict.fromkeys(_PURGED))
    )
    session.execute(
        update(VoterAdditionRow)
        .where(VoterAdditionRow.election_id == record.id)
        .values(voter_number=None, full_name=None, birth_date=None)
    )
    addition_ids = session.scalars(
        select(VoterAdditionRow.id).where(VoterAdditionRow.election_id == record.id)
    ).all()
    additions = len(addition_ids)
    audit_log.record(
        session,
        actor=actor,
        action="register.purged",
        payload={"election": record.code, "voters": purged, "additions": additions},
    )
    relog_chunks(session, actor=actor, election_id=record.id)
    row_ledger.record_rows(
        session, actor=actor, table="voter_addition", keys=[[key] for key in addition_ids]
    )
    return int(purged or 0)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def active_voters_by_station(
    session: Session, *, election: str | None = None
) -> dict[str, list[str]]:
    """Station code → its active voters' ids in register order (the simulator's poll books
    check these in); empty when no register is loaded."""
    record = election_row(session, election)
    found: dict[str, list[str]] = {}
    for code, number in session.execute(
        select(PollingStationRow.code, VoterRow.voter_number)
        .join(PollingStationRow, PollingStationRow.id == VoterRow.station_id)
        .where(
            VoterRow.election_id == record.id,
            VoterRow.status == VoterStatus.ACTIVE.value,
            VoterRow.voter_number.is_not(None),
        )
        .order_by(VoterRow.id)
    ).tuples():
        found.setdefault(code, []).append(str(number))
    return found
