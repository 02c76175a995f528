"""The election's headline figures, counted from the database by queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from tallyroom.domain.candidate import CandidateStatus, Nomination
from tallyroom.domain.observer import ObserverKind
from tallyroom.service.definition.elections import election_row
from tallyroom.store.schema import (
    CandidateRow,
    ConstituencyRow,
    ExitPollSampleRow,
    ObserverRow,
    OrganisationRow,
    PollingStationRow,
)

#: Organisation codes the figures name separately, as the commission's press releases do.
OSCE_ODIHR = "osce-odihr"
OSCE_PA = "osce-pa"


def election_figures(session: Session, code: str | None = None) -> dict[str, Any]:
    election = election_row(session, code)
    eid = election.id

    def count(*criteria: Any, of: Any = PollingStationRow.id) -> int:
        return int(session.scalar(select(func.count(of)).where(*criteria)) or 0)

    def total(column: Any, *criteria: Any) -> int:
        return int(session.scalar(select(func.coalesce(func.sum(column), 0)).where(*criteria)) or 0)

    station = PollingStationRow.election_id == eid
    standing = (
        CandidateRow.election_id == eid,
        CandidateRow.status == CandidateStatus.REGISTERED.value,
    )
    observers = ObserverRow.election_id == eid
    local = ObserverRow.kind != ObserverKind.INTERNATIONAL.value
    international = ObserverRow.kind == ObserverKind.INTERNATIONAL.value
    international_organisation = (
        select(ObserverRow.id)
        .join(OrganisationRow, OrganisationRow.id == ObserverRow.organisation_id)
        .where(observers, international)
    )

    def observers_of(organisation_code: str) -> int:
        return int(
            session.scalar(
                select(func.count()).select_from(
                    international_organisation.where(
                        OrganisationRow.code == organisation_code
                    ).subquery()
                )
            )
            or 0
        )

    exit_poll = (
        select(ExitPollSampleRow.station_id, ExitPollSampleRow.organisation_id)
        .join(PollingStationRow, PollingStationRow.id == ExitPollSampleRow.station_id)
        .where(station)
        .subquery()
    )
    return {
        "election": election.code,
        "seats": election.seats,
        "constituencies": count(ConstituencyRow.election_id == eid, of=ConstituencyRow.id),
        "idp_constituencies": count(
            ConstituencyRow.election_id == eid, ConstituencyRow.kind == "idp", of=ConstituencyRow.id
        ),
        "stations": count(station),
        "stations_permanent": count(station, PollingStationRow.kind == "permanent"),
        "stations_temporary": count(station, PollingStationRow.kind == "temporary"),
        "stations_special_territory": count(station, PollingStationRow.special_territory),
        "stations_abroad": count(station, PollingStationRow.abroad),
        "idp_stations": count(station, PollingStationRow.idp),
        "idp_registered_voters": total(
            PollingStationRow.registered_voters, station, PollingStationRow.idp
        ),
        "registered_voters": total(PollingStationRow.registered_voters, station),
        "registered_turning_18_on_polling_day": total(PollingStationRow.turning_18, station),
        "stations_with_webcam": count(station, PollingStationRow.webcam),
        "stations_with_exit_poll": int(
            session.scalar(select(func.count(distinct(exit_poll.c.station_id)))) or 0
        ),
        "exit_poll_organisations": int(
            session.scalar(select(func.count(distinct(exit_poll.c.organisation_id)))) or 0
        ),
        "candidates": count(*standing, of=CandidateRow.id),
        "candidates_party_nominated": count(
            *standing, CandidateRow.nomination == Nomination.PARTY.value, of=CandidateRow.id
        ),
        "nominating_parties": count(
            *standing,
            CandidateRow.nomination == Nomination.PARTY.value,
            of=distinct(CandidateRow.party_id),
        ),
        "candidates_self_nominated_party_members": count(
            *standing, CandidateRow.nomination == Nomination.PARTY_MEMBER.value, of=CandidateRow.id
        ),
        "candidates_non_party": count(
            *standing, CandidateRow.nomination == Nomination.NON_PARTY.value, of=CandidateRow.id
        ),
        "observers_local": count(observers, local, of=ObserverRow.id),
        "observers_local_party_representatives": count(
            observers,
            ObserverRow.kind == ObserverKind.PARTY_REPRESENTATIVE.value,
            of=ObserverRow.id,
        ),
        "observers_international": count(observers, international, of=ObserverRow.id),
        "international_observer_organisations": count(
            observers, international, of=distinct(ObserverRow.organisation_id)
        ),
        "international_observer_countries": count(
            observers, international, of=distinct(ObserverRow.country)
        ),
        "observers_osce_odihr": observers_of(OSCE_ODIHR),
        "observers_osce_pa": observers_of(OSCE_PA),
    }
