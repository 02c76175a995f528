"""Exit polls as organisations run them: a credential per registered organisation, its sample
declared before polling day, its per-station estimates; published (page and JSON) only once
the polls have closed, beside the official figures, with an accuracy scorecard."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.exit_poll import (
    MAXIMUM_PERCENT,
    Scorecard,
    StationComparison,
    mean,
    polling_day_has_begun,
    polls_have_closed,
)
from tallyroom.service.audit import audit_log, row_ledger
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorised
from tallyroom.store.schema import (
    CandidateRow,
    CandidateTotalRow,
    ConstituencyTotalRow,
    ElectionRow,
    ExitPollEstimateRow,
    ExitPollSampleRow,
    OrganisationCredentialRow,
    OrganisationRow,
    PartyRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationResultRow,
)

CREDENTIAL_PREFIX = "org_"
MAXIMUM_ESTIMATES = 1_000


@dataclass(frozen=True, slots=True)
class PollsterPrincipal:
    organisation_id: int
    election_id: int
    code: str

    @property
    def actor(self) -> str:
        return f"pollster:{self.code}"


def _hash(credential: str) -> str:
    return hashlib.sha256(credential.encode()).hexdigest()


def issue_pollster_credential(session: Session, *, principal: Principal, code: str) -> str:
    """A credential for a registered exit-poll organisation (a new one replaces the old)."""
    principal.require_commission()
    organisation = session.scalar(
        select(OrganisationRow).where(
            OrganisationRow.election_id == principal.election_id, OrganisationRow.code == code
        )
    )
    if organisation is None or not organisation.exit_poll_role:
        raise NotFound("unknown_pollster", f"{code!r} is not a registered exit-poll organisation")
    credential = f"{CREDENTIAL_PREFIX}{secrets.token_urlsafe(32)}"
    row = session.scalar(
        select(OrganisationCredentialRow).where(
            OrganisationCredentialRow.organisation_id == organisation.id
        )
    )
    if row is None:
        row = OrganisationCredentialRow(
            organisation_id=organisation.id, credential_hash="", issued_at=datetime.now(UTC)
        )
        session.add(row)
    row.credential_hash = _hash(credential)
    row.issued_at = datetime.now(UTC)
    session.flush()
    audit_log.record(
        session,
        actor=principal.actor,
        action="pollster.credential_issued",
        payload={"organisation": code},
    )
    row_ledger.record_rows(
        session, actor=principal.actor, table="organisation_credential", keys=[[row.id]]
    )
    return credential


def authenticate_pollster(session: Session, credential: str | None) -> PollsterPrincipal:
    if not credential:
        raise Unauthorised("credential_required", "send the organisation's credential")
    found = session.execute(
        select(OrganisationRow)
        .join(
            OrganisationCredentialRow,
            OrganisationCredentialRow.organisation_id == OrganisationRow.id,
        )
        .where(OrganisationCredentialRow.credential_hash == _hash(credential))
    ).scalar_one_or_none()
    if found is None:
        raise Unauthorised("unknown_credential", "this credential is not known")
    return PollsterPrincipal(found.id, found.election_id, found.code)


def pollster_counts(session: Session, *, pollster: PollsterPrincipal) -> tuple[int, int]:
    """How many stations the organisation declared, and for how many it sent estimates."""
    sampled = session.scalar(
        select(func.count(ExitPollSampleRow.id)).where(
            ExitPollSampleRow.organisation_id == pollster.organisation_id
        )
    )
    estimated = session.scalar(
        select(func.count(ExitPollEstimateRow.id)).where(
            ExitPollEstimateRow.organisation_id == pollster.organisation_id
        )
    )
    return int(sampled or 0), int(estimated or 0)


def declare_sample(
    session: Session, *, pollster: PollsterPrincipal, stations: Sequence[str], now: datetime
) -> int:
    """Add stations to the organisation's sample; only before polling day begins."""
    election = election_of(session.get_one(ElectionRow, pollster.election_id))
    if polling_day_has_begun(now, election):
        raise Conflict("sample_closed", "samples are declared before polling day")
    found = dict(
        session.execute(
            select(PollingStationRow.code, PollingStationRow.id).where(
                PollingStationRow.election_id == pollster.election_id,
                PollingStationRow.code.in_(list(stations)),
            )
        )
        .tuples()
        .all()
    )
    unknown = [s for s in stations if s not in found]
    if unknown:
        raise InvalidInput("unknown_station", f"no station {unknown[0]!r}")
    already = set(
        session.scalars(
            select(ExitPollSampleRow.station_id).where(
                ExitPollSampleRow.organisation_id == pollster.organisation_id
            )
        )
    )
    new = [found[s] for s in dict.fromkeys(stations) if found[s] not in already]
    session.add_all(
        ExitPollSampleRow(organisation_id=pollster.organisation_id, station_id=sid) for sid in new
    )
    session.flush()
    keys = [
        [key]
        for key in session.scalars(
            select(ExitPollSampleRow.id).where(
                ExitPollSampleRow.organisation_id == pollster.organisation_id,
                ExitPollSampleRow.station_id.in_(new),
            )
        )
    ]
    audit_log.record(
        session,
        actor=pollster.actor,
        action="exit_poll.sample_declared",
        payload={"stations": len(new)},
    )
    row_ledger.record_rows(session, actor=pollster.actor, table="exit_poll_sample", keys=keys)
    return len(new)


@dataclass(frozen=True, slots=True)
class Estimate:
    station: str
    turnout_percent: float
    #: candidate code → percent of voters
    shares: Mapping[str, float]


def submit_estimates(
    session: Session,
    *,
    pollster: PollsterPrincipal,
    estimates: Sequence[Estimate],
    now: datetime | None = None,
) -> int:
    """Store estimates for sampled stations, all or none (one per station; not replaced)."""
    if not estimates or len(estimates) > MAXIMUM_ESTIMATES:
        raise InvalidInput("estimates", f"1 to {MAXIMUM_ESTIMATES} estimates")
    sampled = {
        code: (sid, cid)
        for code, sid, cid in session.execute(
            select(PollingStationRow.code, PollingStationRow.id, PollingStationRow.constituency_id)
            .join(ExitPollSampleRow, ExitPollSampleRow.station_id == PollingStationRow.id)
            .where(ExitPollSampleRow.organisation_id == pollster.organisation_id)
        ).tuples()
    }
    standing: dict[int, set[str]] = defaultdict(set)
    for cid, code in session.execute(
        select(CandidateRow.constituency_id, CandidateRow.code).where(
            CandidateRow.election_id == pollster.election_id
        )
    ).tuples():
        standing[cid].add(code)
    done = set(
        session.scalars(
            select(ExitPollEstimateRow.station_id).where(
                ExitPollEstimateRow.organisation_id == pollster.organisation_id
            )
        )
    )
    rows = []
    seen: set[str] = set()
    for estimate in estimates:
        place = sampled.get(estimate.station)
        if place is None:
            raise InvalidInput(
                "not_sampled", f"station {estimate.station!r} is not in the declared sample"
            )
        if place[0] in done or estimate.station in seen:
            raise Conflict(
                "estimate_exists", f"an estimate for {estimate.station} is stored already"
            )
        seen.add(estimate.station)
        values = [estimate.turnout_percent, *estimate.shares.values()]
        if (
            not all(0.0 <= v <= MAXIMUM_PERCENT for v in values)
            or sum(estimate.shares.values()) > MAXIMUM_PERCENT + 0.5
        ):
            raise InvalidInput(
                "percent_out_of_range",
                f"{estimate.station}: percentages from 0 to 100, shares summing to at most 100",
            )
        strangers = sorted(set(estimate.shares) - standing[place[1]])
        if strangers:
            raise InvalidInput(
                "unknown_candidate", f"{estimate.station}: {strangers[0]} does not stand there"
            )
        rows.append(
            ExitPollEstimateRow(
                organisation_id=pollster.organisation_id,
                station_id=place[0],
                turnout_percent=round(estimate.turnout_percent, 2),
                shares=canonical_json(
                    {k: round(v, 2) for k, v in estimate.shares.items()}
                ).decode(),
                submitted_at=now or datetime.now(UTC),
            )
        )
    session.add_all(rows)
    session.flush()
    audit_log.record(
        session,
        actor=pollster.actor,
        action="exit_poll.estimates_submitted",
        payload={"stations": len(rows)},
    )
    row_ledger.record_rows(
        session, actor=pollster.actor, table="exit_poll_estimate", keys=[[r.id] for r in rows]
    )
    return len(rows)


# ------------------------------------------------------------------------------ publication


@dataclass(frozen=True, slots=True)
class ExitPollReport:
    scorecards: tuple[Scorecard, ...]
    #: organisation code → its stations beside the official figures
    stations: Mapping[str, tuple[StationComparison, ...]]
    #: party → official national share of ballots cast (percent)
    official_national: Mapping[str, float]


def exit_poll_report(
    session: Session, *, now: datetime, election_code: str | None = None
) -> ExitPollReport:
    """Everything published about the exit polls; refused before the polls close."""
    election_record = election_row(session, election_code)
    election = election_of(election_record)
    if not polls_have_closed(now, election):
        raise Forbidden("not_yet_published", "exit polls are published when the polls have closed")
    party_of = {
        code: short or "IND"
        for code, short in session.execute(
            select(CandidateRow.code, PartyRow.short_name)
            .outerjoin(PartyRow, PartyRow.id == CandidateRow.party_id)
            .where(CandidateRow.election_id == election_record.id)
        ).tuples()
    }
    ballots = int(
        session.scalar(
            select(func.sum(ConstituencyTotalRow.ballots_cast)).where(
                ConstituencyTotalRow.constituency_id.in_(
                    select(PollingStationRow.constituency_id).where(
                        PollingStationRow.election_id == election_record.id
                    )
                )
            )
        )
        or 0
    )
    national_votes: dict[str, int] = defaultdict(int)
    for code, votes in session.execute(
        select(CandidateRow.code, CandidateTotalRow.votes)
        .join(CandidateTotalRow, CandidateTotalRow.candidate_id == CandidateRow.id)
        .where(CandidateRow.election_id == election_record.id)
    ).tuples():
        national_votes[party_of.get(code, "IND")] += int(votes)
    official_national = (
        {party: 100.0 * v / ballots for party, v in national_votes.items()} if ballots else {}
    )
    organisations = (
        session.execute(
            select(OrganisationRow)
            .where(
                OrganisationRow.election_id == election_record.id, OrganisationRow.exit_poll_role
            )
            .order_by(OrganisationRow.code)
        )
        .scalars()
        .all()
    )
    partner_names = dict(
        session.execute(
            select(OrganisationRow.code, OrganisationRow.name).where(
                OrganisationRow.election_id == election_record.id
            )
        )
        .tuples()
        .all()
    )
    scorecards = []
    per_organisation: dict[str, tuple[StationComparison, ...]] = {}
    for organisation in organisations:
        sampled = int(
            session.scalar(
                select(func.count(ExitPollSampleRow.id)).where(
                    ExitPollSampleRow.organisation_id == organisation.id
                )
            )
            or 0
        )
        found = (
            session.execute(
                select(ExitPollEstimateRow, PollingStationRow, ProtocolVersionRow.body)
                .join(PollingStationRow, PollingStationRow.id == ExitPollEstimateRow.station_id)
                .outerjoin(StationResultRow, StationResultRow.station_id == PollingStationRow.id)
                .outerjoin(
                    ProtocolVersionRow,
                    ProtocolVersionRow.id == StationResultRow.protocol_version_id,
                )
                .where(ExitPollEstimateRow.organisation_id == organisation.id)
                .order_by(PollingStationRow.code)
            )
            .tuples()
            .all()
        )
        comparisons = []
        estimated_national: dict[str, list[float]] = defaultdict(list)
        for estimate, station, body in found:
            shares = json.loads(estimate.shares)
            figures = json.loads(body)["figures"] if body else None
            cast = figures["ballots_cast"] if figures else 0
            registered = (figures["registered_voters"] + figures["voters_added"]) if figures else 0
            comparisons.append(
                StationComparison(
                    station=station.code,
                    estimated_turnout=float(estimate.turnout_percent),
                    official_turnout=100.0 * cast / registered if registered else None,
                    shares={
                        code: (
                            float(share),
                            100.0 * figures["votes"].get(code, 0) / cast
                            if figures and cast
                            else None,
                        )
                        for code, share in sorted(shares.items())
                    },
                )
            )
            for code, share in shares.items():
                estimated_national[party_of.get(code, "IND")].append(float(share))
        compared = [c for c in comparisons if c.absolute_error is not None]
        national_errors = [
            abs(sum(values) / len(values) - official_national[party])
            for party, values in estimated_national.items()
            if party in official_national
        ]
        scorecards.append(
            Scorecard(
                organisation=organisation.code,
                name=organisation.name,
                partner=partner_names.get(organisation.partner_code or ""),
                stations_sampled=sampled,
                stations_reported=len(comparisons),
                stations_compared=len(compared),
                station_mae=mean(
                    [c.absolute_error for c in compared if c.absolute_error is not None]
                ),
                turnout_mae=mean(
                    [
                        abs(c.estimated_turnout - c.official_turnout)
                        for c in comparisons
                        if c.official_turnout is not None
                    ]
                ),
                national_mae=mean(national_errors),
            )
        )
        per_organisation[organisation.code] = tuple(comparisons)
    return ExitPollReport(tuple(scorecards), per_organisation, official_national)


def stored_leader_estimates(session: Session, election_id: int) -> dict[int, dict[str, float]]:
    """Station id → candidate code → mean estimated share (fraction of voters) over the
    organisations that polled it: the forensics' exit-poll test reads these."""
    gathered: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for station_id, shares in session.execute(
        select(ExitPollEstimateRow.station_id, ExitPollEstimateRow.shares)
        .join(PollingStationRow, PollingStationRow.id == ExitPollEstimateRow.station_id)
        .where(PollingStationRow.election_id == election_id)
    ).tuples():
        for code, share in json.loads(shares).items():
            gathered[station_id][code].append(float(share) / 100.0)
    return {sid: {code: sum(v) / len(v) for code, v in by.items()} for sid, by in gathered.items()}
