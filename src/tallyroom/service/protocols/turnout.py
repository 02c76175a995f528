"""Hourly turnout reports from stations, and turnout by hour nationally or per constituency."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.election import Election
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.domain.protocol_document import MAXIMUM_FIGURE
from tallyroom.domain.results import TurnoutPoint
from tallyroom.domain.signature import signature_is_valid
from tallyroom.service.audit import audit_log
from tallyroom.service.definition.credentials import Principal, current_station_key
from tallyroom.service.definition.elections import election_of
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from tallyroom.service.results.certified_contests import certified_constituencies, contest_certified
from tallyroom.service.results.tally import bump_revision
from tallyroom.store.schema import (
    ConstituencyRow,
    ElectionRow,
    PollingStationRow,
    RunoffTurnoutReportRow,
    TurnoutReportRow,
    TurnoutTotalRow,
)

#: a constituency commission relays at most this many stations' reports in one request
MAXIMUM_REPORTS = 1000
#: a reporting hour as the definition writes it: no seconds, no zone (the election's own)
_HOUR_LABEL = re.compile(r"[0-2][0-9]:[0-5][0-9]")
#: the clock's refusals: a report before its hour, or on another day than polling day
_CLOCK_MESSAGES = {
    "before_its_hour": "it is {now:%H:%M} by the election clock; the {label} report comes "
    "at {label} or later",
    "outside_polling_day": "it is {now:%Y-%m-%d %H:%M} by the election clock; turnout is "
    "reported on polling day ({day})",
}


@dataclass(frozen=True, slots=True)
class TurnoutOutcome:
    station: str
    as_of: str
    voters: int
    status: str
    reasons: list[dict[str, Any]]
    already_stored: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "as_of": self.as_of,
            "voters": self.voters,
            "status": self.status,
            "reasons": self.reasons,
            "already_stored": self.already_stored,
        }


@dataclass(frozen=True, slots=True)
class TurnoutReport:
    """One station's figure at one reporting hour, as received (not yet validated)."""

    station: Any
    as_of: Any
    voters: Any
    #: the station key's signature over `turnout_document` (the station app signs; a
    #: relaying constituency commission and older clients send none)
    signature: Any = None


def turnout_document(
    election: str, station: str, as_of: str, voters: int, contest: str | None = None
) -> dict[str, Any]:
    """What a station signs when it reports turnout (RFC 8785 canonical JSON, Ed25519); a
    round-2 report names its contest, so a round-1 signature never passes for round 2."""
    document: dict[str, Any] = {
        "election": election,
        "station": station,
        "as_of": as_of,
        "voters": voters,
    }
    return document if contest is None else document | {"contest": contest}


def report_turnout(
    session: Session,
    *,
    principal: Principal,
    station_code: str,
    as_of: Any,
    voters: Any,
    clock: ElectionClock,
    signature: Any = None,
) -> TurnoutOutcome:
    return report_turnout_many(
        session,
        principal=principal,
        reports=[TurnoutReport(station_code, as_of, voters, signature)],
        clock=clock,
    )[0]


def report_turnout_many(
    session: Session,
    *,
    principal: Principal,
    reports: Sequence[TurnoutReport],
    clock: ElectionClock,
) -> list[TurnoutOutcome]:
    """Store reports in one step (a constituency commission relaying its stations' figures).
    All or nothing: one bad report refuses the batch, with every problem listed, each named
    by its index and station. Times are judged by `clock`."""
    election_record = session.get_one(ElectionRow, principal.election_id)
    election = election_of(election_record)
    if not reports:
        raise InvalidInput("no_reports", "send at least one turnout report")
    if len(reports) > MAXIMUM_REPORTS:
        raise InvalidInput("too_many_reports", f"send at most {MAXIMUM_REPORTS} reports at once")
    hours = [f"{moment:%H:%M}" for moment in election.turnout_report_times]
    problems: list[tuple[type[ServiceError], str, str, int]] = []
    labels: list[str] = []
    for index, report in enumerate(reports):
        try:
            labels.append(valid_report_hour(report, election, hours, clock))
        except ServiceError as error:
            problems.append((type(error), error.code, error.message, index))
            labels.append("")
    if problems:
        kind, code, message, index = problems[0]
        raise kind(
            code,
            report_naming(reports, index) + message,
            problems=[
                {
                    "report": number + 1,
                    "index": number,
                    "station": report_station_label(reports[number]),
                    "code": problem_code,
                    "message": text,
                }
                for _, problem_code, text, number in problems
            ],
        )
    codes = sorted({str(report.station) for report in reports})
    stations = {
        station.code: station
        for station in session.scalars(
            select(PollingStationRow).where(
                PollingStationRow.election_id == election_record.id,
                PollingStationRow.code.in_(codes),
            )
        )
    }
    seen: set[tuple[str, str]] = set()
    for index, (report, label) in enumerate(zip(reports, labels, strict=True)):
        code = str(report.station)
        named = {"report": index + 1, "index": index, "station": code}
        if code not in stations:
            raise NotFound(
                "unknown_station",
                report_naming(reports, index) + f"there is no polling station {code!r}",
                **named,
            )
        if not principal.may_act_for_station(stations[code]):
            raise Forbidden(
                "out_of_scope",
                report_naming(reports, index) + f"this token may not report for station {code}",
                **named,
            )
        if (code, label) in seen:
            raise InvalidInput(
                "duplicate_report",
                report_naming(reports, index) + f"station {code}'s {label} report appears twice",
                **named,
            )
        seen.add((code, label))
    station_ids = [station.id for station in stations.values()]
    # Certified means frozen, turnout too: read for share, as protocols are (a repeat of a
    # stored report is still answered as stored).
    frozen = certified_constituencies(
        session, {station.constituency_id for station in stations.values()}
    )
    earlier_reports: dict[int, list[TurnoutReportRow]] = {}
    for row in session.scalars(
        select(TurnoutReportRow)
        .where(TurnoutReportRow.station_id.in_(station_ids))
        .order_by(TurnoutReportRow.as_of)
    ):
        earlier_reports.setdefault(row.station_id, []).append(row)
    moment = clock.wall_clock()
    outcomes: list[TurnoutOutcome] = []
    new_rows: list[TurnoutReportRow] = []
    added: dict[tuple[int, str], tuple[int, int]] = {}
    audit: list[tuple[str, str, dict[str, Any]]] = []
    for index, (report, label) in enumerate(zip(reports, labels, strict=True)):
        station = stations[str(report.station)]
        voters = int(report.voters)
        history = earlier_reports.get(station.id, [])
        existing = next((row for row in history if row.as_of == label), None)
        if existing is not None:
            if existing.voters != voters:
                raise Conflict(
                    "already_reported",
                    report_naming(reports, index) + f"station {station.code} already reported "
                    f"{existing.voters} voters at {label}",
                    report=index + 1,
                    index=index,
                    station=station.code,
                )
            outcomes.append(turnout_outcome(station, existing, already_stored=True))
            continue
        if station.constituency_id in frozen:
            raise contest_certified(session, station.constituency_id, station.code)
        judged = judge_turnout(session, election_record.code, station, history, label, report)
        row = TurnoutReportRow(**judged.row_values(station.id, label, voters, moment))
        new_rows.append(row)
        history.append(row)
        history.sort(key=lambda item: item.as_of)
        earlier_reports[station.id] = history
        if judged.status == "accepted":
            group = (station.constituency_id, label)
            voters_so_far, stations_so_far = added.get(group, (0, 0))
            added[group] = (voters_so_far + voters, stations_so_far + 1)
        audit.append(
            (
                principal.actor,
                "turnout.reported",
                judged.audit_payload(station.code, label, voters, moment)
                # logged only when signed, so the entries of unsigned reports stay as they were
                | ({"signature": judged.signature} if judged.signature else {}),
            )
        )
        outcomes.append(turnout_outcome(station, row, already_stored=False))
    if new_rows:
        session.add_all(new_rows)
        for (constituency_id, label), (voters, count) in sorted(added.items()):
            _add_to_total(session, constituency_id, label, voters, count)
        bump_revision(session, election_record.id)
        audit_log.record_many(session, audit)
    return outcomes


class StoredTurnout(Protocol):
    """A stored report, round 1's or round 2's."""

    @property
    def as_of(self) -> str: ...
    @property
    def voters(self) -> int: ...


@dataclass(frozen=True, slots=True)
class JudgedTurnout:
    """A report judged against the station's earlier ones (round 1's or round 2's): its
    flags, flagged or accepted, and its verified signature."""

    reasons: list[dict[str, Any]]
    status: str
    signature: str | None

    def row_values(
        self, station_id: int, label: str, voters: int, moment: datetime
    ) -> dict[str, Any]:
        """The stored report's columns (round 1's table and round 2's share them)."""
        return {
            "station_id": station_id,
            "as_of": label,
            "voters": voters,
            "status": self.status,
            "reasons": json.dumps(self.reasons, ensure_ascii=False),
            "received_at": moment,
            "signature": self.signature,
        }

    def audit_payload(
        self, station: str, label: str, voters: int, moment: datetime
    ) -> dict[str, Any]:
        return {
            "station": station,
            "as_of": label,
            "voters": voters,
            "status": self.status,
            "reasons": [reason["code"] for reason in self.reasons],
            "received_at": moment.astimezone(UTC).isoformat(timespec="microseconds"),
        }


def judge_turnout(
    session: Session,
    election_code: str,
    station: PollingStationRow,
    history: Sequence[StoredTurnout],
    label: str,
    report: TurnoutReport,
    contest: str | None = None,
) -> JudgedTurnout:
    """Judge `report` at `label` given the station's earlier reports in hour order; a
    signature that does not verify refuses it."""
    reasons = turnout_reasons(
        [(row.as_of, row.voters) for row in history],
        label,
        int(report.voters),
        station.registered_voters,
    )
    signature = verified_turnout_signature(session, election_code, station, label, report, contest)
    return JudgedTurnout(reasons, "flagged" if reasons else "accepted", signature)


def turnout_reasons(
    history: Sequence[tuple[str, int]], label: str, voters: int, registered: int
) -> list[dict[str, Any]]:
    """What flags a station's report of `voters` at `label`, given its earlier reports
    (hour, voters) in hour order: a series that falls, or more voters than registered."""
    reasons: list[dict[str, Any]] = []
    earlier = [(hour, count) for hour, count in history if hour < label]
    if earlier and earlier[-1][1] > voters:
        reasons.append(
            {
                "code": "lower_than_previous",
                "message": f"{voters} voters at {label}, fewer than {earlier[-1][1]} "
                f"at {earlier[-1][0]}",
            }
        )
    # Reported out of order, a series falls just the same: a later hour already lower.
    later = [(hour, count) for hour, count in history if hour > label]
    if later and later[0][1] < voters:
        reasons.append(
            {
                "code": "higher_than_later",
                "message": f"{voters} voters at {label}, more than {later[0][1]} at {later[0][0]}",
            }
        )
    if voters > registered:
        reasons.append(
            {"code": "above_registered", "message": f"{voters} voters but {registered} registered"}
        )
    return reasons


def verified_turnout_signature(
    session: Session,
    election_code: str,
    station: PollingStationRow,
    label: str,
    report: TurnoutReport,
    contest: str | None = None,
) -> str | None:
    """The report's signature once it verifies with the station's current key (over the
    round-2 contest too when `contest` names one); None for an unsigned report. A signature
    that does not verify refuses the report."""
    if report.signature is None:
        return None
    key = current_station_key(session, station.id)
    body = canonical_json(
        turnout_document(election_code, station.code, label, int(report.voters), contest)
    )
    if (
        not isinstance(report.signature, str)
        or key is None
        or not signature_is_valid(body, report.signature, key.public_key)
    ):
        raise InvalidInput(
            "signature_invalid",
            f"the turnout report's signature does not verify with station {station.code}'s key",
        )
    return report.signature


def valid_report_hour(
    report: TurnoutReport, election: Election, hours: list[str], clock: ElectionClock
) -> str:
    """The report's hour label; raises the first thing wrong with it."""
    voting_hours = election.voting_hours
    hour = _hour(report.as_of)
    if not voting_hours.contains(hour):
        raise InvalidInput(
            "outside_voting_hours",
            f"{hour:%H:%M} is outside voting hours "
            f"({voting_hours.opens:%H:%M}–{voting_hours.closes:%H:%M})",
        )
    label = f"{hour:%H:%M}"
    if label not in hours:
        raise InvalidInput(
            "not_a_reporting_hour", f"{label} is not a reporting hour; they are {', '.join(hours)}"
        )
    voters = report.voters
    if isinstance(voters, bool) or not isinstance(voters, int):
        raise InvalidInput("not_a_whole_number", "voters must be a whole number")
    if voters < 0 or voters > MAXIMUM_FIGURE:
        raise InvalidInput("out_of_range", f"voters must be from 0 to {MAXIMUM_FIGURE:,}")
    if not isinstance(report.station, str) or not report.station:
        raise InvalidInput("station_required", "name the station")
    problem = clock.reporting_hour_problem(election, hour)
    if problem is not None:
        raise InvalidInput(
            problem,
            _CLOCK_MESSAGES[problem].format(
                now=clock.now(election), label=label, day=election.polling_day
            ),
        )
    return label


def _hour(value: Any) -> time:
    """A reporting hour written exactly HH:MM (in the election's time zone, never another)."""
    if isinstance(value, str) and _HOUR_LABEL.fullmatch(value):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput("not_a_time", f"{str(value)[:40]!r} is not a reporting hour like 10:00")


def report_station_label(report: TurnoutReport) -> str | None:
    return report.station if isinstance(report.station, str) else None


def report_naming(reports: Sequence[TurnoutReport], index: int) -> str:
    """How a message names the report it is about, when there is more than one."""
    if len(reports) == 1:
        return ""
    station = report_station_label(reports[index])
    return f"report {index + 1}" + (f" (station {station})" if station else "") + ": "


def _add_to_total(
    session: Session, constituency_id: int, label: str, voters: int, stations: int
) -> None:
    # The rows exist from the election's setup: relative updates never race on an insert.
    session.execute(
        update(TurnoutTotalRow)
        .where(
            TurnoutTotalRow.constituency_id == constituency_id,
            TurnoutTotalRow.as_of == label,
        )
        .values(
            voters=TurnoutTotalRow.voters + voters,
            stations_reporting=TurnoutTotalRow.stations_reporting + stations,
        )
    )


def turnout_outcome(
    station: PollingStationRow,
    report: TurnoutReportRow | RunoffTurnoutReportRow,
    *,
    already_stored: bool,
) -> TurnoutOutcome:
    return TurnoutOutcome(
        station=station.code,
        as_of=report.as_of,
        voters=report.voters,
        status=report.status,
        reasons=json.loads(report.reasons),
        already_stored=already_stored,
    )


def turnout_by_hour(
    session: Session, *, election_id: int, constituency_number: int | None = None
) -> list[TurnoutPoint]:
    """Voters by each reporting hour, from the running totals of accepted reports."""
    election = election_of(session.get_one(ElectionRow, election_id))
    registered_query = select(
        func.coalesce(func.sum(PollingStationRow.registered_voters), 0)
    ).where(PollingStationRow.election_id == election_id)
    totals_query = (
        select(
            TurnoutTotalRow.as_of,
            func.sum(TurnoutTotalRow.voters),
            func.sum(TurnoutTotalRow.stations_reporting),
        )
        .join(ConstituencyRow, ConstituencyRow.id == TurnoutTotalRow.constituency_id)
        .where(ConstituencyRow.election_id == election_id)
        .group_by(TurnoutTotalRow.as_of)
    )
    if constituency_number is not None:
        constituency_id = (
            select(ConstituencyRow.id)
            .where(
                ConstituencyRow.election_id == election_id,
                ConstituencyRow.number == constituency_number,
            )
            .scalar_subquery()
        )
        registered_query = registered_query.where(
            PollingStationRow.constituency_id == constituency_id
        )
        totals_query = totals_query.where(TurnoutTotalRow.constituency_id == constituency_id)
    registered = int(session.scalar(registered_query) or 0)
    totals = {
        as_of: (int(voters), int(stations))
        for as_of, voters, stations in session.execute(totals_query).tuples()
    }
    return [
        TurnoutPoint(
            as_of=f"{moment:%H:%M}",
            voters=totals.get(f"{moment:%H:%M}", (0, 0))[0],
            stations_reporting=totals.get(f"{moment:%H:%M}", (0, 0))[1],
            registered_voters=registered,
        )
        for moment in election.turnout_report_times
    ]
