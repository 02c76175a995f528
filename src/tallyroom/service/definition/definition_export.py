"""Reading a stored election back as the ElectionDefinition it was loaded from, with the
commission's tree-head public keys (so an exported definition announces them)."""

from __future__ import annotations

from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from tallyroom.domain.candidate import Candidate, CandidateStatus, Nomination
from tallyroom.domain.constituency import Constituency, ConstituencyKind
from tallyroom.domain.contest import Contest
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import ContestKind
from tallyroom.domain.observer import Observer, ObserverKind
from tallyroom.domain.organisation import ExitPollSample, Organisation, OrganisationRole
from tallyroom.domain.party import Party
from tallyroom.domain.polling_station import PollingStation, StationKind, StationTag
from tallyroom.service.audit import audit_tree
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.protocols.election_rules import rule_set_of_text
from tallyroom.store.schema import (
    CandidateRow,
    ConstituencyRow,
    ContestRow,
    ExitPollSampleRow,
    ObserverRow,
    OrganisationRow,
    PartyRow,
    PollingStationRow,
)


def stored_definition(session: Session, code: str | None = None) -> ElectionDefinition:
    """The stored election, in the order it was loaded."""
    election = election_row(session, code)
    eid = election.id
    constituency_numbers: dict[int, int] = {}
    constituencies = []
    for row in session.scalars(
        select(ConstituencyRow)
        .where(ConstituencyRow.election_id == eid)
        .order_by(ConstituencyRow.id)
    ):
        constituency_numbers[row.id] = row.number
        constituencies.append(Constituency(row.number, row.name, ConstituencyKind(row.kind)))
    stations = []
    station_codes: dict[int, str] = {}
    for station in session.scalars(
        select(PollingStationRow)
        .where(PollingStationRow.election_id == eid)
        .order_by(PollingStationRow.id)
    ):
        station_codes[station.id] = station.code
        tags = {
            tag
            for tag, present in (
                (StationTag.IDP, station.idp),
                (StationTag.SPECIAL_TERRITORY, station.special_territory),
                (StationTag.ABROAD, station.abroad),
            )
            if present
        }
        stations.append(
            PollingStation(
                code=station.code,
                constituency=constituency_numbers[station.constituency_id],
                name=station.name,
                kind=StationKind(station.kind),
                registered_voters=station.registered_voters,
                turning_18=station.turning_18,
                tags=frozenset(tags),
                webcam=station.webcam,
            )
        )
    party_names: dict[int, str] = {}
    parties = []
    for party in session.scalars(
        select(PartyRow).where(PartyRow.election_id == eid).order_by(PartyRow.id)
    ):
        party_names[party.id] = party.short_name
        parties.append(Party(party.short_name, party.name, party.colour))
    candidates = [
        Candidate(
            code=row.code,
            constituency=constituency_numbers[row.constituency_id],
            full_name=row.full_name,
            nomination=Nomination(row.nomination),
            party=party_names[row.party_id] if row.party_id is not None else None,
            status=CandidateStatus(row.status),
            ballot_position=row.ballot_position,
            birth_date=row.birth_date,
        )
        for row in session.scalars(
            select(CandidateRow).where(CandidateRow.election_id == eid).order_by(CandidateRow.id)
        )
    ]
    organisation_codes: dict[int, str] = {}
    organisations = []
    for organisation_row in session.scalars(
        select(OrganisationRow)
        .where(OrganisationRow.election_id == eid)
        .order_by(OrganisationRow.id)
    ):
        organisation_codes[organisation_row.id] = organisation_row.code
        roles = {
            role
            for role, present in (
                (OrganisationRole.OBSERVER, organisation_row.observer_role),
                (OrganisationRole.EXIT_POLL, organisation_row.exit_poll_role),
            )
            if present
        }
        organisations.append(
            Organisation(
                organisation_row.code,
                organisation_row.name,
                organisation_row.country,
                frozenset(roles),
                organisation_row.partner_code,
            )
        )
    observers = [
        Observer(
            code=row.code,
            full_name=row.full_name,
            kind=ObserverKind(row.kind),
            country=row.country,
            organisation=(organisation_codes[row.organisation_id] if row.organisation_id else None),
            represents=row.represents,
            stations=tuple(code for code in row.stations.split(";") if code),
        )
        for row in session.scalars(
            select(ObserverRow).where(ObserverRow.election_id == eid).order_by(ObserverRow.id)
        )
    ]
    organisation = aliased(OrganisationRow)
    samples = [
        ExitPollSample(organisation_codes[organisation_id], station_codes[station_id])
        for organisation_id, station_id in session.execute(
            select(ExitPollSampleRow.organisation_id, ExitPollSampleRow.station_id)
            .join(organisation, organisation.id == ExitPollSampleRow.organisation_id)
            .where(organisation.election_id == eid)
            .order_by(ExitPollSampleRow.id)
        ).tuples()
    ]
    default = (election.contest_kind, election.seats_per_constituency)
    # Only the contests that differ from the election's default were listed in contests.csv.
    contests = [
        Contest(
            constituency_numbers[constituency_id],
            ContestKind(kind),
            seats,
            threshold_percent=Fraction(threshold or 0),
            threshold_counts_blank=counts_blank,
            first_divisor=Fraction(first_divisor) if first_divisor else None,
        )
        for constituency_id, kind, seats, threshold, counts_blank, first_divisor in session.execute(
            select(
                ContestRow.constituency_id,
                ContestRow.kind,
                ContestRow.seats,
                ContestRow.threshold_percent,
                ContestRow.threshold_counts_blank,
                ContestRow.first_divisor,
            )
            .where(ContestRow.election_id == eid)
            .order_by(ContestRow.id)
        ).tuples()
        if (kind, seats) != default or threshold is not None
    ]
    return ElectionDefinition(
        election=election_of(election),
        contests=contests,
        constituencies=constituencies,
        stations=stations,
        parties=parties,
        candidates=candidates,
        organisations=organisations,
        observers=observers,
        exit_poll_samples=samples,
        rule_set=rule_set_of_text(election.rule_set),
        tree_head_keys=audit_tree.tree_head_keys(session),
    )
