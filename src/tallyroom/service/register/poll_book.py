"""The poll book: a station's desks look voters up and check them in (one at a time online,
in batches of up to 500 from a desk that was offline); a voter checked in at two places
becomes a double-vote incident. Privacy: full records only to the voter's own station and the
commission; every look-up is audited with the voter's id as a salted hash."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from tallyroom.domain.contest import contest_code
from tallyroom.domain.runoff import runoff_contest_code
from tallyroom.domain.voter import AdditionReason, IdentityMatch, VoterStatus
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal, Role
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from tallyroom.service.register.check_in_reexamination import reexamine_after_check_ins
from tallyroom.service.watchers.complaints import DoubleVoteReport, file_double_vote_complaints
from tallyroom.store.schema import (
    AbsenteeCertificateRow,
    CheckInRow,
    ConstituencyRow,
    ContestRow,
    DoubleVoteIncidentRow,
    ElectionRow,
    PollingStationRow,
    RunoffRow,
    VoterAdditionRow,
    VoterRow,
)

#: check-ins per batch from a poll book (a few seconds of a busy station, or an hour offline)
MAXIMUM_BATCH = 500
LOOKED_UP = "pollbook.looked_up"
UNKNOWN_VOTER = NotFound("unknown_voter", "no voter with this id on the register")
REFUSED = "pollbook.refused"
#: an incident the poll-book monitor filed as a complaint
FILED = "filed"


@dataclass(frozen=True, slots=True)
class CheckInRequest:
    """One check-in as a desk records it."""

    voter: str
    client_reference: str
    identity_match: IdentityMatch = IdentityMatch.NOT_SCANNED
    portable: bool = False
    certificate: str | None = None
    checked_in_at: datetime | None = None
    #: the contest the ballot is for: None or the constituency's contest for round 1, its
    #: round-2 contest ("constituency-5/round-2") once round 2 is defined
    contest: str | None = None


@dataclass(frozen=True, slots=True)
class CheckInOutcome:
    client_reference: str
    #: "recorded", "already_recorded", "double_vote" (recorded, an incident opened) or "refused"
    status: str
    check_in: int | None = None
    code: str | None = None
    message: str | None = None
    #: where the voter had already voted, when that is why
    station: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            key: value
            for key, value in (
                ("client_reference", self.client_reference),
                ("status", self.status),
                ("check_in", self.check_in),
                ("code", self.code),
                ("message", self.message),
                ("station", self.station),
            )
            if value is not None
        }


def personal_hash(session: Session, value: str) -> str:
    digest = hmac.new(row_ledger.salt(session), value.encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256:{digest}"


def desk_station(principal: Principal) -> int:
    """The station of a desk's principal (Forbidden for any other caller)."""
    # the station's own device, or one of its poll-book desks (poll_book_devices.py)
    if principal.role not in (Role.STATION, Role.POLL_BOOK) or principal.station_id is None:
        raise Forbidden("station_only", "only a station's poll book may do this")
    return principal.station_id


def _station_codes(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        iter(session.connection().execute(_STATION_CODES, {"stations": sorted(ids)}).tuples())
    )


class _StationCodes:
    """The codes of these stations, read on first use: a batch of plain check-ins at the
    voters' own station names none, and skips the query."""

    def __init__(self, session: Session, ids: set[int]) -> None:
        self._session = session
        self._ids = ids
        self._codes: dict[int, str] | None = None

    def __getitem__(self, station_id: int) -> str:
        if self._codes is None:
            self._codes = _station_codes(self._session, self._ids)
        return self._codes[station_id]


def look_up(
    session: Session, *, principal: Principal, voter: str, certificate: str | None = None
) -> dict[str, Any] | None:
    """A voter by id (or by absentee certificate number): the full record to their own
    station's desk and to the commission; to any other station only whether they may vote
    there and their home station; None for no such voter. Audited either way (so the caller
    reports a miss after the transaction commits: `UNKNOWN_VOTER`)."""
    commission = principal.role is Role.COMMISSION
    station_id = None if commission else desk_station(principal)
    row = session.scalars(
        select(VoterRow).where(
            VoterRow.election_id == principal.election_id, VoterRow.voter_number == voter
        )
    ).first()
    if row is None and certificate:
        row = session.scalars(
            select(VoterRow)
            .join(AbsenteeCertificateRow, AbsenteeCertificateRow.voter_id == VoterRow.id)
            .where(
                AbsenteeCertificateRow.election_id == principal.election_id,
                AbsenteeCertificateRow.number == certificate,
            )
        ).first()
    audit_log.record(
        session,
        actor=principal.actor,
        action=LOOKED_UP,
        payload={
            "voter": personal_hash(session, voter),
            "found": row is not None,
            "full_record": row is not None and (commission or row.station_id == station_id),
        },
    )
    if row is None:
        return None
    certificate_row = session.scalars(
        select(AbsenteeCertificateRow).where(AbsenteeCertificateRow.voter_id == row.id)
    ).first()
    voted_at = session.scalar(
        select(CheckInRow.station_id)
        .where(CheckInRow.voter_id == row.id, CheckInRow.round == 1)
        .limit(1)
    )
    codes = _station_codes(session, {row.station_id, *([voted_at] if voted_at else [])})
    active = row.status == VoterStatus.ACTIVE.value and voted_at is None
    if commission or row.station_id == station_id:
        return {
            "voter_id": row.voter_number,
            "surname": row.surname,
            "given_name": row.given_name,
            "patronymic": row.patronymic,
            "sex": row.sex,
            "birth_date": row.birth_date.isoformat() if row.birth_date else None,
            "address": row.address,
            "home_station": codes[row.station_id],
            "status": row.status,
            "removal_reason": row.removal_reason,
            "absentee_certificate": _certificate_state(certificate_row),
            "checked_in_at_station": codes.get(voted_at) if voted_at else None,
            "may_vote_here": active and certificate_row is None,
        }
    usable = certificate_row is not None and certificate_row.used_at is None
    return {"home_station": codes[row.station_id], "may_vote_here": active and usable}


def _certificate_state(certificate: AbsenteeCertificateRow | None) -> str:
    if certificate is None:
        return "none"
    return "used" if certificate.used_at is not None else "issued"


def check_in(
    session: Session, *, principal: Principal, request: CheckInRequest, now: datetime | None = None
) -> CheckInOutcome:
    """One online check-in, answered at once: a conflict is refused, not recorded (the
    refusal is audited, so the caller raises `refusal_error` after the commit)."""
    return record_check_ins(session, principal=principal, requests=[request], online=True, now=now)[
        0
    ]


def refusal_error(outcome: CheckInOutcome) -> ServiceError:
    """The error a refused online check-in is answered with (naming the station where the
    voter already voted, when that is why)."""
    details = {"station": outcome.station} if outcome.station else {}
    kind = NotFound if outcome.code == "unknown_voter" else Conflict
    return kind(outcome.code or "refused", outcome.message or "refused", **details)


def record_check_ins(
    session: Session,
    *,
    principal: Principal,
    requests: Sequence[CheckInRequest],
    online: bool,
    now: datetime | None = None,
) -> list[CheckInOutcome]:
    """Check-ins in order, in the caller's transaction. Online, a conflict is refused; from a
    desk that was offline the ballot was already handed over, so a voter already checked in
    elsewhere is recorded and becomes a double-vote incident. A re-sent check-in (same
    client reference at this station) is answered as already recorded."""
    return record_desk_batches(session, batches=[DeskBatch(principal, requests, online)], now=now)[
        0
    ]


@dataclass(frozen=True, slots=True)
class DeskBatch:
    """What one desk sends at once: its check-ins, and whether it was online."""

    principal: Principal
    requests: Sequence[CheckInRequest]
    online: bool


@dataclass(slots=True)
class _Logged:
    """What a group of desk batches leaves for the audit log, written once for the group."""

    check_ins: dict[str, list[list[int]]] = field(default_factory=dict)
    certificates: dict[str, list[list[int]]] = field(default_factory=dict)
    refusals: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    stations: set[int] = field(default_factory=set)


def record_desk_batches(
    session: Session, *, batches: Sequence[DeskBatch], now: datetime | None = None
) -> list[list[CheckInOutcome]]:
    """Several desks' batches in order, in the caller's transaction (what the desks send at
    one moment, committed together), each judged as `record_check_ins` judges it, with the
    fixed cost paid once: the check-ins' and certificates' row images read back by one
    statement each and appended with the refusals in one audit append (an entry per desk
    and table), and the stations' protocols re-examined once."""
    for batch in batches:
        desk_station(batch.principal)
        if len(batch.requests) > MAXIMUM_BATCH:
            raise InvalidInput("batch_too_large", f"at most {MAXIMUM_BATCH} check-ins a request")
    moment = now or datetime.now(UTC)
    # Core statements on the connection below do not flush the session: flush it once here
    session.flush()
    logged = _Logged()
    outcomes = [_record_batch(session, batch, moment, logged) for batch in batches]
    entries = row_ledger.row_entries(session, logged.certificates, table="absentee_certificate")
    entries += row_ledger.row_entries(session, logged.check_ins, table="check_in")
    if logged.stations:
        # check-ins after the protocol was judged: judge it again (never a person's decision)
        for actor in dict.fromkeys(batch.principal.actor for batch in batches):
            stations = {
                batch.principal.station_id
                for batch in batches
                if batch.principal.actor == actor and batch.principal.station_id in logged.stations
            }
            reexamine_after_check_ins(
                session,
                station_ids=[station for station in stations if station is not None],
                actor=actor,
                now=moment,
            )
    audit_log.record_many(session, [*entries, *logged.refusals], returning=False)
    return outcomes


def _record_batch(
    session: Session, batch: DeskBatch, moment: datetime, logged: _Logged
) -> list[CheckInOutcome]:
    principal, requests, online = batch.principal, batch.requests, batch.online
    station_id = desk_station(principal)
    connection = session.connection()
    numbers = sorted({request.voter for request in requests})
    # Rows locked on PostgreSQL so two desks cannot check one voter in at the same moment
    # (SQLite has one writer at a time already).
    voters = {
        number: (voter_id, home, status)
        for voter_id, number, home, status in connection.execute(
            _VOTERS, {"election": principal.election_id, "numbers": numbers}
        ).tuples()
    }
    voter_ids = [voter[0] for voter in voters.values()]
    rounds = _rounds(session, station_id, requests)
    # a voter's first check-in in each round: voting in round 1 does not stop round 2
    earlier: dict[tuple[int, int], tuple[int, int]] = {}
    for check_in_id, voter_id, at_station, in_round in connection.execute(
        _EARLIER, {"voters": voter_ids}
    ).tuples():
        if voter_id is not None:
            earlier.setdefault((voter_id, in_round), (check_in_id, at_station))
    references = sorted({request.client_reference for request in requests})
    replayed = dict(
        iter(
            connection.execute(
                _REPLAYED, {"station": station_id, "references": references}
            ).tuples()
        )
    )
    certificates = {
        voter_id: (certificate_id, number, used)
        for certificate_id, voter_id, number, used in connection.execute(
            _CERTIFICATES, {"voters": voter_ids}
        ).tuples()
    }
    codes = _StationCodes(
        session,
        {station_id, *(home for _, home, _ in voters.values()), *(s for _, s in earlier.values())},
    )
    outcomes: list[CheckInOutcome] = []
    new_rows: list[dict[str, Any]] = []
    conflicts: list[tuple[int, int]] = []  # (index into new_rows, first check-in id)
    used_certificates: list[int] = []
    refusals: list[dict[str, Any]] = []
    for request, ballot_round in zip(requests, rounds, strict=True):
        reference = request.client_reference
        if reference in replayed:
            outcomes.append(CheckInOutcome(reference, "already_recorded", replayed[reference]))
            continue
        found = voters.get(request.voter)
        if found is None:
            outcomes.append(_refused(reference, "unknown_voter", "no voter with this id"))
            continue
        voter_id, home, status = found
        if status != VoterStatus.ACTIVE.value:
            outcomes.append(_refused(reference, "voter_removed", "removed from the register"))
            continue
        # An absentee certificate is for round 1's ballot: in round 2 the voter votes at home.
        certificate = certificates.get(voter_id) if ballot_round == 1 else None
        certificate_id = None
        if home != station_id:
            if certificate is None or request.certificate != certificate[1]:
                outcomes.append(
                    _refused(
                        reference,
                        "not_on_this_station",
                        f"the voter votes at station {codes[home]} (or with an absentee "
                        "certificate)",
                        station=codes[home],
                    )
                )
                continue
            certificate_id = certificate[0]
        elif certificate is not None and online:
            # Offline, the ballot was already handed over: it is recorded, and if the
            # certificate was used elsewhere too, the two check-ins make an incident.
            outcomes.append(
                _refused(
                    reference,
                    "absentee_certificate_issued",
                    "the voter was issued an absentee certificate and votes with it",
                )
            )
            continue
        first = earlier.get((voter_id, ballot_round))
        if first is not None and online:
            voted_at = codes[first[1]]
            outcomes.append(
                _refused(
                    reference,
                    "already_checked_in",
                    f"the voter already voted at station {voted_at}",
                    station=voted_at,
                )
            )
            refusals.append({"voter": personal_hash(session, request.voter), "station": voted_at})
            continue
        certificate_used = certificate is not None and certificate[2] is not None
        if certificate_id is not None and certificate_used and (first is None or online):
            outcomes.append(
                _refused(reference, "certificate_used", "the certificate was used already")
            )
            continue
        if first is not None:
            conflicts.append((len(new_rows), first[0]))
        elif certificate_id is not None:
            used_certificates.append(certificate_id)
        new_rows.append(
            {
                "election_id": principal.election_id,
                "station_id": station_id,
                "voter_id": voter_id,
                "addition_id": None,
                "absentee_certificate_id": certificate_id,
                "identity_match": request.identity_match.value,
                "portable": request.portable,
                "client_reference": reference,
                "device": principal.label,
                "checked_in_at": (request.checked_in_at or moment).astimezone(UTC),
                "received_at": moment,
                "offline": not online,
                "round": ballot_round,
            }
        )
        outcomes.append(
            CheckInOutcome(
                reference,
                "double_vote" if first is not None else "recorded",
                station=codes[first[1]] if first is not None else None,
            )
        )
        # a second check-in of one voter in the same batch conflicts with the first
        earlier.setdefault((voter_id, ballot_round), (-len(new_rows), station_id))
        replayed[reference] = -len(new_rows)
    ids = _insert_check_ins(session, new_rows)
    by_reference = {row["client_reference"]: key for row, key in zip(new_rows, ids, strict=True)}
    outcomes = [
        _with_id(outcome, by_reference)
        if outcome.status in ("recorded", "double_vote", "already_recorded")
        else outcome
        for outcome in outcomes
    ]
    incidents = []
    for index, first_id in conflicts:
        incidents.append(
            {
                "election_id": principal.election_id,
                "voter_id": new_rows[index]["voter_id"],
                "first_check_in_id": first_id if first_id > 0 else ids[-first_id - 1],
                "second_check_in_id": ids[index],
                "detected_at": moment,
                "status": "open",
            }
        )
    if incidents:
        session.execute(insert(DoubleVoteIncidentRow), incidents)
        incident_ids = _file_incidents(session, principal, incidents, new_rows, ids, codes, moment)
        row_ledger.record_rows(
            session,
            actor=principal.actor,
            table="double_vote_incident",
            keys=[[i] for i in incident_ids],
        )
    if used_certificates:
        session.execute(
            update(AbsenteeCertificateRow)
            .where(AbsenteeCertificateRow.id.in_(used_certificates))
            .values(used_at=moment, used_station_id=station_id)
        )
        logged.certificates.setdefault(principal.actor, []).extend(
            [key] for key in used_certificates
        )
    if ids:
        logged.check_ins.setdefault(principal.actor, []).extend([key] for key in ids)
        logged.stations.add(station_id)
    logged.refusals.extend(
        (principal.actor, REFUSED, {"reason": "already_checked_in", **refusal})
        for refusal in refusals
    )
    return outcomes


def _rounds(session: Session, station_id: int, requests: Sequence[CheckInRequest]) -> list[int]:
    """The round each check-in's ballot is for: 1 unless it names the round-2 contest of the
    desk's constituency, which must be defined (else refused whole: `wrong_contest`,
    `no_runoff`)."""
    named = {request.contest for request in requests} - {None}
    if not named:
        return [1] * len(requests)
    number, constituency_id = session.execute(
        select(ConstituencyRow.number, ConstituencyRow.id)
        .join(PollingStationRow, PollingStationRow.constituency_id == ConstituencyRow.id)
        .where(PollingStationRow.id == station_id)
    ).one()
    rounds: dict[str | None, int] = {None: 1, contest_code(number): 1}
    runoff = runoff_contest_code(number)
    if runoff in named:
        defined = session.scalar(
            select(RunoffRow.id)
            .join(ContestRow, ContestRow.id == RunoffRow.contest_id)
            .where(ContestRow.constituency_id == constituency_id)
        )
        if defined is None:
            raise NotFound("no_runoff", f"round 2 of constituency {number} is not defined")
        rounds[runoff] = 2
    strangers = sorted(str(contest) for contest in named if contest not in rounds)
    if strangers:
        raise InvalidInput(
            "wrong_contest",
            f"this desk votes in constituency {number}'s contests, not {', '.join(strangers)}",
        )
    return [rounds[request.contest] for request in requests]


def _file_incidents(
    session: Session,
    principal: Principal,
    incidents: list[dict[str, Any]],
    new_rows: list[dict[str, Any]],
    ids: list[int],
    codes: _StationCodes,
    moment: datetime,
) -> list[int]:
    """The new incidents' ids, each filed as a complaint by the poll-book monitor (the
    complaints workflow takes them up from there) and marked filed."""
    by_second = dict(
        iter(
            session.execute(
                select(DoubleVoteIncidentRow.second_check_in_id, DoubleVoteIncidentRow.id).where(
                    DoubleVoteIncidentRow.second_check_in_id.in_(
                        [i["second_check_in_id"] for i in incidents]
                    )
                )
            ).tuples()
        )
    )
    firsts = {
        check_in_id: (station_id, at)
        for check_in_id, station_id, at in session.execute(
            select(CheckInRow.id, CheckInRow.station_id, CheckInRow.checked_in_at).where(
                CheckInRow.id.in_([i["first_check_in_id"] for i in incidents])
            )
        ).tuples()
    }
    row_of = dict(zip(ids, new_rows, strict=True))
    reports = []
    for incident in incidents:
        second = row_of[incident["second_check_in_id"]]
        first_station, first_at = firsts[incident["first_check_in_id"]]
        reports.append(
            DoubleVoteReport(
                incident=by_second[incident["second_check_in_id"]],
                station_id=second["station_id"],
                station=codes[second["station_id"]],
                first_station=codes[first_station],
                first_checked_in_at=first_at,
                second_checked_in_at=second["checked_in_at"],
                offline=second["offline"],
            )
        )
    election = session.get_one(ElectionRow, principal.election_id)
    complaint_ids = file_double_vote_complaints(
        session, election_id=election.id, election_code=election.code, reports=reports, now=moment
    )
    for report, complaint_id in zip(reports, complaint_ids, strict=True):
        session.execute(
            update(DoubleVoteIncidentRow)
            .where(DoubleVoteIncidentRow.id == report.incident)
            .values(status=FILED, complaint_id=complaint_id)
        )
    return [report.incident for report in reports]


def _with_id(outcome: CheckInOutcome, by_reference: dict[str, int]) -> CheckInOutcome:
    if outcome.check_in is not None and outcome.check_in > 0:
        return outcome
    return CheckInOutcome(
        outcome.client_reference,
        outcome.status,
        by_reference.get(outcome.client_reference),
        outcome.code,
        outcome.message,
        outcome.station,
    )


def _refused(
    reference: str, code: str, message: str, *, station: str | None = None
) -> CheckInOutcome:
    return CheckInOutcome(reference, "refused", code=code, message=message, station=station)


def _insert_check_ins(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert and return the new ids in order (one statement, ids by RETURNING)."""
    if not rows:
        return []
    return list(session.connection().scalars(_INSERTED, rows))


#: Core statements built once (a single online check-in runs each of them; building one
#: costs more than running it)
_VOTERS = (
    select(VoterRow.id, VoterRow.voter_number, VoterRow.station_id, VoterRow.status)
    .where(
        VoterRow.election_id == bindparam("election"),
        VoterRow.voter_number.in_(bindparam("numbers", expanding=True)),
    )
    .with_for_update()
)
_EARLIER = (
    select(CheckInRow.id, CheckInRow.voter_id, CheckInRow.station_id, CheckInRow.round)
    .where(CheckInRow.voter_id.in_(bindparam("voters", expanding=True)))
    .order_by(CheckInRow.id)
)
_REPLAYED = select(CheckInRow.client_reference, CheckInRow.id).where(
    CheckInRow.station_id == bindparam("station"),
    CheckInRow.client_reference.in_(bindparam("references", expanding=True)),
)
_CERTIFICATES = select(
    AbsenteeCertificateRow.id,
    AbsenteeCertificateRow.voter_id,
    AbsenteeCertificateRow.number,
    AbsenteeCertificateRow.used_at,
).where(AbsenteeCertificateRow.voter_id.in_(bindparam("voters", expanding=True)))
_STATION_CODES = select(PollingStationRow.id, PollingStationRow.code).where(
    PollingStationRow.id.in_(bindparam("stations", expanding=True))
)
#: Core, built once: the ORM's bulk path costs more than the rows' insert itself
_INSERTED = insert(CheckInRow.__table__).returning(  # type: ignore[arg-type]
    CheckInRow.__table__.c.id, sort_by_parameter_order=True
)


def add_voter(
    session: Session,
    *,
    principal: Principal,
    voter: str,
    full_name: str,
    birth_date: date,
    legal_reason: AdditionReason,
    client_reference: str,
    identity_match: IdentityMatch = IdentityMatch.NOT_SCANNED,
    portable: bool = False,
    now: datetime | None = None,
) -> int:
    """A voter added to this station's list on polling day, checked against the whole
    register and every addition, and checked in; returns the check-in id."""
    station_id = desk_station(principal)
    moment = now or datetime.now(UTC)
    home = session.scalar(
        select(VoterRow.station_id).where(
            VoterRow.election_id == principal.election_id, VoterRow.voter_number == voter
        )
    )
    if home is not None:
        code = _station_codes(session, {home})[home]
        raise Conflict(
            "on_register",
            f"the voter is on the register at station {code}: check them in there, or with an "
            "absentee certificate",
            station=code,
        )
    added_at = session.scalar(
        select(VoterAdditionRow.station_id).where(
            VoterAdditionRow.election_id == principal.election_id,
            VoterAdditionRow.voter_number == voter,
        )
    )
    if added_at is not None:
        code = _station_codes(session, {added_at})[added_at]
        raise Conflict(
            "already_checked_in", f"the voter already voted at station {code}", station=code
        )
    addition = VoterAdditionRow(
        election_id=principal.election_id,
        station_id=station_id,
        voter_number=voter,
        full_name=full_name,
        birth_date=birth_date,
        legal_reason=legal_reason.value,
        added_at=moment,
    )
    session.add(addition)
    session.flush()
    row = CheckInRow(
        election_id=principal.election_id,
        station_id=station_id,
        voter_id=None,
        addition_id=addition.id,
        absentee_certificate_id=None,
        identity_match=identity_match.value,
        portable=portable,
        client_reference=client_reference,
        device=principal.label,
        checked_in_at=moment,
        received_at=moment,
        offline=False,
    )
    session.add(row)
    session.flush()
    row_ledger.record_rows(
        session, actor=principal.actor, table="voter_addition", keys=[[addition.id]]
    )
    row_ledger.record_rows(session, actor=principal.actor, table="check_in", keys=[[row.id]])
    return row.id


def issue_absentee_certificate(
    session: Session, *, principal: Principal, voter: str, number: str, now: datetime | None = None
) -> None:
    """The commission issues a voter an absentee certificate: they may then vote once at any
    station with it, and no longer at their own without it."""
    principal.require_commission()
    row = session.scalars(
        select(VoterRow).where(
            VoterRow.election_id == principal.election_id, VoterRow.voter_number == voter
        )
    ).first()
    if row is None:
        raise NotFound("unknown_voter", "no voter with this id on the register")
    if session.scalar(select(func.count()).where(AbsenteeCertificateRow.voter_id == row.id)):
        raise Conflict("certificate_issued", "the voter already has an absentee certificate")
    if session.scalar(select(func.count()).where(CheckInRow.voter_id == row.id)):
        raise Conflict("already_checked_in", "the voter has voted already")
    certificate = AbsenteeCertificateRow(
        election_id=principal.election_id,
        number=number,
        voter_id=row.id,
        issued_at=now or datetime.now(UTC),
    )
    session.add(certificate)
    session.flush()
    row_ledger.record_rows(
        session, actor=principal.actor, table="absentee_certificate", keys=[[certificate.id]]
    )
