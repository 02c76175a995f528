"""Accreditation as the commission runs it: organisations apply and are accredited or
refused; observers are accredited singly or in bulk with a badge number and a personal
credential (random, stored as its SHA-256 only), assigned to stations, and revoked."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from tallyroom.domain.observer import ObserverKind
from tallyroom.domain.observer_accreditation import (
    AccreditationRequest,
    ApplicationStatus,
    OrganisationKind,
    RowProblem,
    badge_number,
)
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import Conflict, InvalidInput, NotFound, Unauthorised
from tallyroom.store.schema import (
    CandidateRow,
    ConstituencyRow,
    ObserverAccreditationRow,
    ObserverRow,
    ObserverStationRow,
    OrganisationApplicationRow,
    OrganisationRow,
    PartyRow,
    PollingStationRow,
)

#: rows written and logged per round of a bulk accreditation (the progress bar's step)
BULK_CHUNK = 5_000
CREDENTIAL_PREFIX = "obs_"


def credential_hash(credential: str) -> str:
    # SHA-256, not a password hash: the credential is 256 random bits, nothing to guess, and
    # 112,749 Argon2 hashes would take hours.
    return hashlib.sha256(credential.encode()).hexdigest()


def new_credential() -> str:
    return f"{CREDENTIAL_PREFIX}{secrets.token_urlsafe(32)}"


# ---------------------------------------------------------------------------- organisations


@dataclass(frozen=True, slots=True)
class Application:
    code: str
    name: str
    kind: OrganisationKind
    country: str
    represents: str | None = None
    partner_name: str | None = None
    partner_country: str | None = None


def apply_organisation(
    session: Session,
    application: Application,
    *,
    election_code: str | None = None,
    now: datetime | None = None,
) -> OrganisationApplicationRow:
    """Store an organisation's application (anyone may apply; the commission decides)."""
    election = election_row(session, election_code)
    kind = application.kind
    if kind.needs_partner and not (application.partner_name and application.partner_country):
        raise InvalidInput(
            "partner_required", "an exit-poll organisation names its partner and its country"
        )
    if kind.needs_represented and not application.represents:
        raise InvalidInput("represents_required", f"a {kind.value} names whom it represents")
    if kind is OrganisationKind.PARTY and not session.scalar(
        select(PartyRow.id).where(
            PartyRow.election_id == election.id, PartyRow.short_name == application.represents
        )
    ):
        raise InvalidInput("unknown_party", f"no party {application.represents!r}")
    if kind is OrganisationKind.CANDIDATE and not session.scalar(
        select(CandidateRow.id).where(
            CandidateRow.election_id == election.id, CandidateRow.code == application.represents
        )
    ):
        raise InvalidInput("unknown_candidate", f"no candidate {application.represents!r}")
    taken = session.scalar(
        select(OrganisationApplicationRow.id).where(
            OrganisationApplicationRow.election_id == election.id,
            OrganisationApplicationRow.code == application.code,
        )
    ) or session.scalar(
        select(OrganisationRow.id).where(
            OrganisationRow.election_id == election.id, OrganisationRow.code == application.code
        )
    )
    if taken:
        raise Conflict("organisation_exists", f"an organisation {application.code!r} exists")
    row = OrganisationApplicationRow(
        election_id=election.id,
        code=application.code,
        name=application.name,
        kind=kind.value,
        country=application.country,
        represents=application.represents,
        partner_name=application.partner_name,
        partner_country=application.partner_country,
        status=ApplicationStatus.APPLIED.value,
        applied_at=now or datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    actor = f"applicant:{application.code}"
    audit_log.record(
        session,
        actor=actor,
        action="organisation.applied",
        payload={"code": application.code, "kind": kind.value},
    )
    row_ledger.record_rows(session, actor=actor, table="organisation_application", keys=[[row.id]])
    return row


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    """An application as the commission's console lists it."""

    code: str
    name: str
    kind: str
    country: str
    represents: str | None
    partner_name: str | None
    partner_country: str | None
    status: str
    applied_at: datetime
    decided_at: datetime | None
    decision_reason: str | None


def organisation_applications(session: Session, *, principal: Principal) -> list[ApplicationRecord]:
    """Every application to this election, waiting ones first (the commission's only)."""
    principal.require_commission()
    rows = session.scalars(
        select(OrganisationApplicationRow)
        .where(OrganisationApplicationRow.election_id == principal.election_id)
        .order_by(
            (OrganisationApplicationRow.status != ApplicationStatus.APPLIED.value),
            OrganisationApplicationRow.id,
        )
    )
    return [
        ApplicationRecord(
            r.code,
            r.name,
            r.kind,
            r.country,
            r.represents,
            r.partner_name,
            r.partner_country,
            r.status,
            r.applied_at,
            r.decided_at,
            r.decision_reason,
        )
        for r in rows
    ]


def decide_application(
    session: Session,
    *,
    principal: Principal,
    code: str,
    accredit: bool,
    reason: str,
    now: datetime | None = None,
) -> OrganisationApplicationRow:
    """Accredit (the organisation joins the election's organisations, an exit-poll firm with
    its foreign partner) or refuse an application; decided once."""
    principal.require_commission()
    if not reason.strip():
        raise InvalidInput("reason_required", "a decision says why")
    row = session.scalar(
        select(OrganisationApplicationRow)
        .where(
            OrganisationApplicationRow.election_id == principal.election_id,
            OrganisationApplicationRow.code == code,
        )
        .with_for_update()
    )
    if row is None:
        raise NotFound("unknown_application", f"no application from {code!r}")
    if row.status != ApplicationStatus.APPLIED.value:
        raise Conflict("already_decided", f"the application of {code!r} is {row.status}")
    row.status = (ApplicationStatus.ACCREDITED if accredit else ApplicationStatus.REFUSED).value
    row.decided_at = now or datetime.now(UTC)
    row.decision_reason = reason
    organisation_keys: list[list[int]] = []
    if accredit:
        kind = OrganisationKind(row.kind)
        partner_code = None
        if kind.needs_partner:
            partner_code = f"{row.code}-partner"
            partner = OrganisationRow(
                election_id=row.election_id,
                code=partner_code,
                name=row.partner_name or "",
                country=row.partner_country or "",
                observer_role=False,
                exit_poll_role=False,
                partner_code=None,
            )
            session.add(partner)
            session.flush()
            organisation_keys.append([partner.id])
        organisation = OrganisationRow(
            election_id=row.election_id,
            code=row.code,
            name=row.name,
            country=row.country,
            observer_role=kind is not OrganisationKind.EXIT_POLL,
            exit_poll_role=kind is OrganisationKind.EXIT_POLL,
            partner_code=partner_code,
        )
        session.add(organisation)
        session.flush()
        organisation_keys.append([organisation.id])
        row.organisation_id = organisation.id
    audit_log.record(
        session,
        actor=principal.actor,
        action="organisation.accredited" if accredit else "organisation.refused",
        payload={"code": code, "reason": reason},
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="organisation", keys=organisation_keys
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="organisation_application", keys=[[row.id]]
    )
    return row


# -------------------------------------------------------------------------------- observers


@dataclass(frozen=True, slots=True)
class IssuedObserverCredential:
    """Handed out once, on the badge; only the hash stays."""

    code: str
    full_name: str
    badge_number: str
    kind: str
    organisation: str | None
    credential: str


class AccreditationRefused(InvalidInput):
    """A bulk accreditation with bad rows: nothing was stored; every bad row is named."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__(
            "accreditation_refused",
            f"{len(problems)} rows refused; nothing was accredited",
            problems=[{"line": p.line, "column": p.column, "message": p.message} for p in problems],
        )
        self.problems = list(problems)


def accredit_observers(
    session: Session,
    *,
    principal: Principal,
    requests: Sequence[AccreditationRequest],
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> list[IssuedObserverCredential]:
    """Accredit every request or none: each gets a badge number and a credential. An observer
    already in the definition (same code) is accredited as defined; kind, organisation and
    country must agree with it."""
    principal.require_commission()
    moment = now or datetime.now(UTC)
    eid = principal.election_id
    organisations = dict(
        session.execute(
            select(OrganisationRow.code, OrganisationRow.id).where(
                OrganisationRow.election_id == eid
            )
        )
        .tuples()
        .all()
    )
    parties = set(session.scalars(select(PartyRow.short_name).where(PartyRow.election_id == eid)))
    candidates = set(
        session.scalars(select(CandidateRow.code).where(CandidateRow.election_id == eid))
    )
    stations = {
        code: (sid, cid)
        for code, sid, cid in session.execute(
            select(
                PollingStationRow.code, PollingStationRow.id, PollingStationRow.constituency_id
            ).where(PollingStationRow.election_id == eid)
        )
        .tuples()
        .all()
    }
    constituencies = dict(
        session.execute(
            select(ConstituencyRow.number, ConstituencyRow.id).where(
                ConstituencyRow.election_id == eid
            )
        )
        .tuples()
        .all()
    )
    defined = {
        code: (oid, kind, organisation_id, country)
        for code, oid, kind, organisation_id, country in session.execute(
            select(
                ObserverRow.code,
                ObserverRow.id,
                ObserverRow.kind,
                ObserverRow.organisation_id,
                ObserverRow.country,
            ).where(ObserverRow.election_id == eid)
        )
        .tuples()
        .all()
    }
    accredited = set(
        session.scalars(
            select(ObserverAccreditationRow.observer_id).where(
                ObserverAccreditationRow.election_id == eid
            )
        )
    )
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for request in requests:
        problem = _request_problem(
            request,
            organisations,
            parties,
            candidates,
            stations,
            constituencies,
            defined,
            accredited,
        )
        if problem is None and request.code in seen:
            problem = RowProblem(
                request.line, "code", f"code {request.code!r} also on line {seen[request.code]}"
            )
        if problem is not None:
            problems.append(problem)
        seen.setdefault(request.code, request.line)
    if problems:
        raise AccreditationRefused(problems)
    serials = _next_serials(session, eid)
    issued: list[IssuedObserverCredential] = []
    organisation_names = dict(
        session.execute(
            select(OrganisationRow.code, OrganisationRow.name).where(
                OrganisationRow.election_id == eid
            )
        )
        .tuples()
        .all()
    )
    done = 0
    for start in range(0, len(requests), BULK_CHUNK):
        chunk = requests[start : start + BULK_CHUNK]
        new = [r for r in chunk if r.code not in defined]
        if new:
            session.execute(
                insert(ObserverRow),
                [
                    {
                        "election_id": eid,
                        "code": r.code,
                        "full_name": r.full_name,
                        "kind": r.kind.value,
                        "organisation_id": organisations[r.organisation]
                        if r.organisation
                        else None,
                        "country": r.country,
                        "represents": r.represents,
                        "stations": ";".join(r.stations),
                    }
                    for r in new
                ],
            )
            ids = dict(
                session.execute(
                    select(ObserverRow.code, ObserverRow.id).where(
                        ObserverRow.election_id == eid, ObserverRow.code.in_([r.code for r in new])
                    )
                )
                .tuples()
                .all()
            )
            for r in new:
                defined[r.code] = (ids[r.code], r.kind.value, None, r.country)
            links = [
                {"observer_id": ids[r.code], "station_id": stations[s][0]}
                for r in new
                for s in dict.fromkeys(r.stations)
            ]
            if links:
                session.execute(insert(ObserverStationRow), links)
            row_ledger.record_rows(
                session, actor=principal.actor, table="observer", keys=[[ids[r.code]] for r in new]
            )
        accreditation_rows = []
        for r in chunk:
            serials[r.kind.is_local] += 1
            badge = badge_number(r.kind, serials[r.kind.is_local])
            credential = new_credential()
            accreditation_rows.append(
                {
                    "election_id": eid,
                    "observer_id": defined[r.code][0],
                    "badge_number": badge,
                    "credential_hash": credential_hash(credential),
                    "constituency_id": constituencies[r.constituency] if r.constituency else None,
                    "accredited_at": moment,
                }
            )
            issued.append(
                IssuedObserverCredential(
                    r.code,
                    r.full_name,
                    badge,
                    r.kind.value,
                    organisation_names.get(r.organisation) if r.organisation else None,
                    credential,
                )
            )
        session.execute(insert(ObserverAccreditationRow), accreditation_rows)
        keys = [
            [key]
            for key in session.scalars(
                select(ObserverAccreditationRow.id).where(
                    ObserverAccreditationRow.election_id == eid,
                    ObserverAccreditationRow.observer_id.in_(
                        [row["observer_id"] for row in accreditation_rows]
                    ),
                )
            )
        ]
        row_ledger.record_rows(
            session, actor=principal.actor, table="observer_accreditation", keys=keys
        )
        done += len(chunk)
        if progress is not None:
            progress(done)
    audit_log.record(
        session,
        actor=principal.actor,
        action="observers.accredited",
        payload={
            "observers": len(requests),
            "new": sum(1 for r in requests if r.code not in defined),
        },
    )
    return issued


def _request_problem(
    request: AccreditationRequest,
    organisations: dict[str, int],
    parties: set[str],
    candidates: set[str],
    stations: dict[str, tuple[int, int]],
    constituencies: dict[int, int],
    defined: dict[str, tuple[int, str, int | None, str]],
    accredited: set[int],
) -> RowProblem | None:
    line = request.line
    if request.organisation is not None and request.organisation not in organisations:
        return RowProblem(line, "organisation", f"unknown organisation {request.organisation!r}")
    if request.kind is ObserverKind.PARTY_REPRESENTATIVE and request.represents not in parties:
        return RowProblem(line, "represents", f"unknown party {request.represents!r}")
    if (
        request.kind is ObserverKind.CANDIDATE_REPRESENTATIVE
        and request.represents not in candidates
    ):
        return RowProblem(line, "represents", f"unknown candidate {request.represents!r}")
    for station in request.stations:
        if station not in stations:
            return RowProblem(line, "stations", f"unknown station {station!r}")
    if request.constituency is not None:
        if request.constituency not in constituencies:
            return RowProblem(line, "constituency", f"unknown constituency {request.constituency}")
        outside = [
            s for s in request.stations if stations[s][1] != constituencies[request.constituency]
        ]
        if outside:
            return RowProblem(line, "stations", f"station {outside[0]} is outside the constituency")
    existing = defined.get(request.code)
    if existing is not None:
        observer_id, kind, organisation_id, country = existing
        if observer_id in accredited:
            return RowProblem(line, "code", f"observer {request.code} is accredited already")
        wanted_organisation = organisations.get(request.organisation or "")
        if (
            kind != request.kind.value
            or organisation_id != wanted_organisation
            or country != request.country
        ):
            return RowProblem(
                line,
                "code",
                f"observer {request.code} is defined with another kind, organisation or country",
            )
    return None


def _next_serials(session: Session, election_id: int) -> dict[bool, int]:
    """The last badge serial of each series (local: True, international: False)."""
    serials = {True: 0, False: 0}
    for badge in session.scalars(
        select(func.max(ObserverAccreditationRow.badge_number))
        .where(ObserverAccreditationRow.election_id == election_id)
        .group_by(func.substr(ObserverAccreditationRow.badge_number, 1, 1))
    ):
        serials[badge.startswith("L")] = int(badge.split("-", 1)[1])
    return serials


@dataclass(frozen=True, slots=True)
class ObserverPrincipal:
    """An accredited observer, as their credential says."""

    accreditation_id: int
    observer_id: int
    election_id: int
    code: str
    badge_number: str
    kind: str
    organisation_id: int | None
    constituency_id: int | None
    #: station ids the observer is assigned to; empty: any station (of the constituency)
    station_ids: frozenset[int]

    @property
    def actor(self) -> str:
        return f"observer:{self.badge_number}"

    def may_observe(self, station: PollingStationRow) -> bool:
        if station.election_id != self.election_id:
            return False
        if self.station_ids:
            return station.id in self.station_ids
        return self.constituency_id is None or station.constituency_id == self.constituency_id


def observer_principal(session: Session, election_id: int, code: str) -> ObserverPrincipal:
    """The accredited observer with this code, as their credential would make them (for the
    commission's console acting on an observer's behalf: the scenario's demo)."""
    found = session.execute(
        select(ObserverAccreditationRow.credential_hash)
        .join(ObserverRow, ObserverRow.id == ObserverAccreditationRow.observer_id)
        .where(ObserverRow.election_id == election_id, ObserverRow.code == code)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("unknown_accreditation", f"observer {code} is not accredited")
    return _principal_of_hash(session, found)


def authenticate_observer(session: Session, credential: str | None) -> ObserverPrincipal:
    """The observer whose current accreditation carries this credential."""
    if not credential:
        raise Unauthorised("credential_required", "sign in with the credential on your badge")
    return _principal_of_hash(session, credential_hash(credential))


def _principal_of_hash(session: Session, digest: str) -> ObserverPrincipal:
    found = session.execute(
        select(ObserverAccreditationRow, ObserverRow)
        .join(ObserverRow, ObserverRow.id == ObserverAccreditationRow.observer_id)
        .where(ObserverAccreditationRow.credential_hash == digest)
    ).one_or_none()
    if found is None:
        raise Unauthorised("unknown_credential", "this credential is not known")
    accreditation, observer = found
    if accreditation.revoked_at is not None:
        raise Unauthorised("accreditation_revoked", "this accreditation was revoked")
    stations = frozenset(
        session.scalars(
            select(ObserverStationRow.station_id).where(
                ObserverStationRow.observer_id == observer.id
            )
        )
    )
    return ObserverPrincipal(
        accreditation_id=accreditation.id,
        observer_id=observer.id,
        election_id=accreditation.election_id,
        code=observer.code,
        badge_number=accreditation.badge_number,
        kind=observer.kind,
        organisation_id=observer.organisation_id,
        constituency_id=accreditation.constituency_id,
        station_ids=stations,
    )


def _accreditation_of(
    session: Session, election_id: int, code: str
) -> tuple[ObserverAccreditationRow, ObserverRow]:
    found = session.execute(
        select(ObserverAccreditationRow, ObserverRow)
        .join(ObserverRow, ObserverRow.id == ObserverAccreditationRow.observer_id)
        .where(ObserverRow.election_id == election_id, ObserverRow.code == code)
        .with_for_update()
    ).one_or_none()
    if found is None:
        raise NotFound("unknown_accreditation", f"observer {code} is not accredited")
    return found[0], found[1]


def assign_observer(
    session: Session,
    *,
    principal: Principal,
    code: str,
    stations: Sequence[str],
    constituency: int | None,
) -> None:
    """Assign an accredited observer to stations (all of one constituency when it is named)."""
    principal.require_commission()
    accreditation, observer = _accreditation_of(session, principal.election_id, code)
    if accreditation.revoked_at is not None:
        raise Conflict("accreditation_revoked", f"observer {code}'s accreditation is revoked")
    found = dict(
        session.execute(
            select(PollingStationRow.code, PollingStationRow).where(
                PollingStationRow.election_id == principal.election_id,
                PollingStationRow.code.in_(list(stations)),
            )
        )
        .tuples()
        .all()
    )
    unknown = [s for s in stations if s not in found]
    if unknown:
        raise InvalidInput("unknown_station", f"unknown station {unknown[0]!r}")
    constituency_id = None
    if constituency is not None:
        constituency_id = session.scalar(
            select(ConstituencyRow.id).where(
                ConstituencyRow.election_id == principal.election_id,
                ConstituencyRow.number == constituency,
            )
        )
        if constituency_id is None:
            raise InvalidInput("unknown_constituency", f"unknown constituency {constituency}")
        outside = [s for s in stations if found[s].constituency_id != constituency_id]
        if outside:
            raise InvalidInput(
                "station_outside", f"station {outside[0]} is outside the constituency"
            )
    unique = list(dict.fromkeys(stations))
    observer.stations = ";".join(unique)
    accreditation.constituency_id = constituency_id
    session.query(ObserverStationRow).filter(ObserverStationRow.observer_id == observer.id).delete()
    session.add_all(
        ObserverStationRow(observer_id=observer.id, station_id=found[s].id) for s in unique
    )
    audit_log.record(
        session,
        actor=principal.actor,
        action="observer.assigned",
        payload={"observer": code, "stations": unique, "constituency": constituency},
    )
    row_ledger.record_rows(session, actor=principal.actor, table="observer", keys=[[observer.id]])
    row_ledger.record_rows(
        session, actor=principal.actor, table="observer_accreditation", keys=[[accreditation.id]]
    )


def revoke_accreditation(
    session: Session, *, principal: Principal, code: str, reason: str, now: datetime | None = None
) -> None:
    """Revoke: the credential stops working at once; the record stays."""
    principal.require_commission()
    if not reason.strip():
        raise InvalidInput("reason_required", "a revocation says why")
    accreditation, _observer = _accreditation_of(session, principal.election_id, code)
    if accreditation.revoked_at is not None:
        raise Conflict("already_revoked", f"observer {code}'s accreditation is already revoked")
    accreditation.revoked_at = now or datetime.now(UTC)
    accreditation.revocation_reason = reason
    audit_log.record(
        session,
        actor=principal.actor,
        action="observer.revoked",
        payload={"observer": code, "reason": reason},
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="observer_accreditation", keys=[[accreditation.id]]
    )


def reissue_credential(
    session: Session, *, principal: Principal, code: str
) -> IssuedObserverCredential:
    """A new credential for a lost badge; the old one stops working."""
    principal.require_commission()
    accreditation, observer = _accreditation_of(session, principal.election_id, code)
    if accreditation.revoked_at is not None:
        raise Conflict("accreditation_revoked", f"observer {code}'s accreditation is revoked")
    credential = new_credential()
    session.execute(
        update(ObserverAccreditationRow)
        .where(ObserverAccreditationRow.id == accreditation.id)
        .values(credential_hash=credential_hash(credential))
    )
    audit_log.record(
        session,
        actor=principal.actor,
        action="observer.credential_reissued",
        payload={"observer": code},
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="observer_accreditation", keys=[[accreditation.id]]
    )
    organisation = (
        session.get(OrganisationRow, observer.organisation_id) if observer.organisation_id else None
    )
    return IssuedObserverCredential(
        observer.code,
        observer.full_name,
        accreditation.badge_number,
        observer.kind,
        organisation.name if organisation else None,
        credential,
    )


@dataclass(frozen=True, slots=True)
class AccreditedObserver:
    """What the commission (only) sees of an accredited observer."""

    code: str
    full_name: str
    kind: str
    organisation: str | None
    country: str
    badge_number: str
    stations: str
    revoked: bool


def accredited_observers(
    session: Session, *, principal: Principal, limit: int = 100, offset: int = 0
) -> list[AccreditedObserver]:
    """Names are personal data: only the commission lists them."""
    principal.require_commission()
    rows = (
        session.execute(
            select(ObserverRow, ObserverAccreditationRow, OrganisationRow.code)
            .join(ObserverAccreditationRow, ObserverAccreditationRow.observer_id == ObserverRow.id)
            .outerjoin(OrganisationRow, OrganisationRow.id == ObserverRow.organisation_id)
            .where(ObserverRow.election_id == principal.election_id)
            .order_by(ObserverAccreditationRow.badge_number)
            .limit(limit)
            .offset(offset)
        )
        .tuples()
        .all()
    )
    return [
        AccreditedObserver(
            observer.code,
            observer.full_name,
            observer.kind,
            organisation,
            observer.country,
            accreditation.badge_number,
            observer.stations,
            accreditation.revoked_at is not None,
        )
        for observer, accreditation, organisation in rows
    ]
