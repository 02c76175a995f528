"""Defining an election: the whole definition stored in the caller's one transaction."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.decision_policy import stored_policy
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.organisation import OrganisationRole
from tallyroom.domain.polling_station import StationTag
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.errors import Conflict
from tallyroom.service.protocols.election_rules import stored_rule_set
from tallyroom.store.schema import (
    CandidateRow,
    CandidateTotalRow,
    ConstituencyRow,
    ConstituencyTotalRow,
    ContestRow,
    ElectionRow,
    ExitPollSampleRow,
    ObserverRow,
    ObserverStationRow,
    OrganisationRow,
    PartyRow,
    PollingStationRow,
    ResultsRevisionRow,
    TurnoutTotalRow,
)

#: Called as progress(part, rows_done, rows_in_part) while loading.
Progress = Callable[[str, int, int], None]
BATCH = 10_000


def define_election(
    session: Session,
    *,
    definition: ElectionDefinition,
    digest: str,
    actor: str,
    progress: Progress | None = None,
) -> int:
    """Store a validated definition; returns the election's id. Audited as `election.defined`."""
    report = progress or (lambda part, done, total: None)
    election = definition.election
    if session.scalar(select(ElectionRow.id).where(ElectionRow.code == election.code)):
        raise Conflict(
            "election_exists", f"election {election.code!r} is already loaded in this database"
        )
    row = ElectionRow(
        code=election.code,
        name=election.name,
        names=json.dumps(dict(election.names), ensure_ascii=False),
        country=election.country,
        polling_day=election.polling_day,
        timezone=election.timezone,
        opens=f"{election.voting_hours.opens:%H:%M}",
        closes=f"{election.voting_hours.closes:%H:%M}",
        turnout_report_times=";".join(f"{t:%H:%M}" for t in election.turnout_report_times),
        seats=election.seats,
        contest_kind=election.contest_kind.value,
        seats_per_constituency=election.seats_per_constituency,
        too_close_margin_percent=election.too_close_margin_percent,
        four_eyes_decisions=stored_policy(election.four_eyes_decisions),
        complaint_deadlines=json.dumps(
            {category.value: days for category, days in election.complaint_deadline_days}
        )
        if election.complaint_deadline_days
        else None,
        two_clerk_entry=election.two_clerk_entry,
        tie_rule=election.tie_rule.value,
        definition_digest=digest,
        loaded_at=datetime.now(UTC),
        rule_set=stored_rule_set(definition.rule_set),
        list_contest=canonical_json(election.list_contest.as_json()).decode()
        if election.list_contest is not None
        else None,
        leveling=canonical_json(election.leveling.as_json()).decode()
        if election.leveling is not None
        else None,
    )
    session.add(row)
    session.flush()
    election_id = row.id

    with _collector_paused():
        _store_rows(session, definition, election_id, report)
    session.add(
        ResultsRevisionRow(election_id=election_id, revision=1, changed_at=datetime.now(UTC))
    )
    audit_log.record(
        session,
        actor=actor,
        action="election.defined",
        payload={
            "election": election.code,
            "definition_sha256": digest,
            "constituencies": len(definition.constituencies),
            "stations": len(definition.stations),
            "candidates": len(definition.candidates),
            "observers": len(definition.observers),
            "rule_set_version": definition.rule_set.version,
        },
    )
    for table in row_ledger.DEFINITION_TABLES:
        row_ledger.record_rows(session, actor=actor, table=table)
    return election_id


def _store_rows(
    session: Session, definition: ElectionDefinition, election_id: int, report: Progress
) -> None:
    """Every row of the definition below the election's own."""
    election = definition.election
    rows = _RowWriter(session, report)
    constituencies = definition.constituencies
    rows.insert(
        "constituencies",
        ConstituencyRow,
        ("election_id", "number", "name", "kind"),
        ((election_id, c.number, c.name, c.kind.value) for c in constituencies),
        len(constituencies),
    )
    constituency_ids = rows.ids(ConstituencyRow, "number", election_id)
    defined = {contest.constituency: contest for contest in definition.contests}
    default_kind = election.contest_kind
    default_seats = election.seats_per_constituency
    rows.insert(
        "contests",
        ContestRow,
        (
            "election_id",
            "constituency_id",
            "kind",
            "seats",
            "threshold_percent",
            "threshold_counts_blank",
            "first_divisor",
        ),
        (
            (
                election_id,
                constituency_ids[c.number],
                contest.kind.value if contest else default_kind.value,
                contest.seats if contest else default_seats,
                str(contest.threshold_percent) if contest and contest.kind.is_list else None,
                bool(contest and contest.threshold_counts_blank),
                str(contest.first_divisor) if contest and contest.first_divisor else None,
            )
            for c in constituencies
            for contest in (defined.get(c.number),)
        ),
        len(constituencies),
    )
    idp, special, abroad = StationTag.IDP, StationTag.SPECIAL_TERRITORY, StationTag.ABROAD
    rows.insert(
        "stations",
        PollingStationRow,
        (
            "election_id",
            "constituency_id",
            "code",
            "name",
            "kind",
            "idp",
            "special_territory",
            "abroad",
            "webcam",
            "registered_voters",
            "turning_18",
            "contact",
        ),
        (
            (
                election_id,
                constituency_ids[s.constituency],
                s.code,
                s.name,
                s.kind.value,
                idp in s.tags,
                special in s.tags,
                abroad in s.tags,
                s.webcam,
                s.registered_voters,
                s.turning_18,
                s.contact,
            )
            for s in definition.stations
        ),
        len(definition.stations),
    )
    station_ids = rows.ids(PollingStationRow, "code", election_id)
    rows.insert(
        "parties",
        PartyRow,
        ("election_id", "short_name", "name", "colour"),
        ((election_id, p.short_name, p.name, p.colour) for p in definition.parties),
        len(definition.parties),
    )
    party_ids = rows.ids(PartyRow, "short_name", election_id)
    rows.insert(
        "candidates",
        CandidateRow,
        (
            "election_id",
            "constituency_id",
            "code",
            "full_name",
            "nomination",
            "party_id",
            "status",
            "ballot_position",
            "birth_date",
        ),
        (
            (
                election_id,
                constituency_ids[c.constituency],
                c.code,
                c.full_name,
                c.nomination.value,
                party_ids[c.party] if c.party else None,
                c.status.value,
                c.ballot_position,
                c.birth_date,
            )
            for c in definition.candidates
        ),
        len(definition.candidates),
    )
    rows.insert(
        "organisations",
        OrganisationRow,
        (
            "election_id",
            "code",
            "name",
            "country",
            "observer_role",
            "exit_poll_role",
            "partner_code",
        ),
        (
            (
                election_id,
                o.code,
                o.name,
                o.country,
                OrganisationRole.OBSERVER in o.roles,
                OrganisationRole.EXIT_POLL in o.roles,
                o.partner,
            )
            for o in definition.organisations
        ),
        len(definition.organisations),
    )
    organisation_ids = rows.ids(OrganisationRow, "code", election_id)
    rows.insert(
        "observers",
        ObserverRow,
        (
            "election_id",
            "code",
            "full_name",
            "kind",
            "organisation_id",
            "country",
            "represents",
            "stations",
        ),
        (
            (
                election_id,
                o.code,
                o.full_name,
                o.kind.value,
                organisation_ids[o.organisation] if o.organisation else None,
                o.country,
                o.represents,
                ";".join(o.stations),
            )
            for o in definition.observers
        ),
        len(definition.observers),
    )
    observer_ids = rows.ids(ObserverRow, "code", election_id)
    accreditations = _unique_pairs(
        (observer_ids[o.code], station_ids[code])
        for o in definition.observers
        for code in o.stations
    )
    del observer_ids
    rows.insert(
        "observer accreditations",
        ObserverStationRow,
        ("observer_id", "station_id"),
        accreditations,
        len(accreditations),
    )
    del accreditations
    rows.insert(
        "exit-poll samples",
        ExitPollSampleRow,
        ("organisation_id", "station_id"),
        (
            (organisation_ids[s.organisation], station_ids[s.station])
            for s in definition.exit_poll_samples
        ),
        len(definition.exit_poll_samples),
    )
    del station_ids
    # Running totals start at zero for every constituency and candidate.
    rows.insert(
        "totals",
        ConstituencyTotalRow,
        (
            "constituency_id",
            "stations_reporting",
            "registered_voters",
            "voters_added",
            "ballots_cast",
            "invalid_ballots",
            "blank_votes",
        ),
        ((constituency_id, 0, 0, 0, 0, 0, 0) for constituency_id in constituency_ids.values()),
        len(constituency_ids),
    )
    candidate_ids = rows.ids(CandidateRow, "code", election_id)
    rows.insert(
        "totals",
        CandidateTotalRow,
        ("candidate_id", "votes"),
        ((candidate_id, 0) for candidate_id in candidate_ids.values()),
        len(candidate_ids),
    )
    # Turnout totals too, so reports only ever update rows and never race to insert them.
    moments = [f"{moment:%H:%M}" for moment in election.turnout_report_times]
    rows.insert(
        "totals",
        TurnoutTotalRow,
        ("constituency_id", "as_of", "voters", "stations_reporting"),
        (
            (constituency_id, moment, 0, 0)
            for constituency_id in constituency_ids.values()
            for moment in moments
        ),
        len(constituency_ids) * len(moments),
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the rows are made: they hold no cycles, and at a
    million rows the collector's passes over them cost more than making them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unique_pairs(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The pairs without repeats, in their first order."""
    return list(dict.fromkeys(pairs))


class _RowWriter:
    """Inserts many rows on the session's connection, inside its transaction, by the
    fastest path of the database: executemany of a prepared INSERT on SQLite, COPY on
    PostgreSQL (psycopg 3), Core executemany elsewhere. The rows are plain tuples made
    batch by batch from the definition, so a million stations never exist twice in memory."""

    def __init__(self, session: Session, report: Progress) -> None:
        self.connection = session.connection()
        self.dialect = self.connection.dialect.name
        self.quote = self.connection.dialect.identifier_preparer.quote
        self.report = report

    def insert(
        self,
        part: str,
        table: Any,
        columns: Sequence[str],
        rows: Iterable[tuple[Any, ...]],
        total: int,
    ) -> None:
        name = self.quote(table.__tablename__)
        names = ", ".join(self.quote(column) for column in columns)
        done = 0
        if self.dialect == "postgresql":
            cursor: Any = self.connection.connection.cursor()  # a psycopg 3 cursor
            with cursor, cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                for batch in _batches(rows):
                    for row in batch:
                        copy.write_row(row)
                    done += len(batch)
                    self.report(part, done, total)
        elif self.dialect == "sqlite":
            placeholders = ", ".join("?" for _ in columns)
            cursor = self.connection.connection.cursor()
            try:
                for batch in _batches(rows):
                    cursor.executemany(
                        f"INSERT INTO {name} ({names}) VALUES ({placeholders})", batch
                    )
                    done += len(batch)
                    self.report(part, done, total)
            finally:
                cursor.close()
        else:
            for batch in _batches(rows):
                self.connection.execute(
                    insert(table.__table__),
                    [dict(zip(columns, row, strict=True)) for row in batch],
                )
                done += len(batch)
                self.report(part, done, total)
        if not done:
            self.report(part, 0, 0)

    def ids(self, table: Any, key: str, election_id: int) -> dict[Any, int]:
        """The id of each of the election's rows in the table, by its key column."""
        if self.dialect not in ("sqlite", "postgresql"):
            return dict(
                self.connection.execute(
                    select(getattr(table, key), table.id).where(table.election_id == election_id)
                )
                .tuples()
                .all()
            )
        placeholder = "?" if self.dialect == "sqlite" else "%s"
        cursor = self.connection.connection.cursor()
        try:
            cursor.execute(
                f"SELECT {self.quote(key)}, id FROM {self.quote(table.__tablename__)} "
                f"WHERE election_id = {placeholder}",
                (election_id,),
            )
            return dict(cursor.fetchall())
        finally:
            cursor.close()


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch
