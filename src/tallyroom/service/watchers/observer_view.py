"""Observers as the public sees them: local by kind, international by organisation and by
country (the figures the commission announces)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tallyroom.domain.observer import ObserverKind
from tallyroom.service.definition.elections import election_row
from tallyroom.store.schema import ObserverAccreditationRow, ObserverRow, OrganisationRow


@dataclass(frozen=True, slots=True)
class ObserverCount:
    """A count of observers under one heading (a kind, an organisation or a country)."""

    key: str
    name: str
    country: str | None
    observers: int


@dataclass(frozen=True, slots=True)
class ObserverSummary:
    local: int
    international: int
    #: local observers by kind (party representatives, candidate representatives, NGOs)
    local_by_kind: tuple[ObserverCount, ...]
    #: local observers by organisation, for those that belong to one
    local_by_organisation: tuple[ObserverCount, ...]
    international_by_organisation: tuple[ObserverCount, ...]
    international_by_country: tuple[ObserverCount, ...]

    @property
    def international_organisations(self) -> int:
        return len(self.international_by_organisation)

    @property
    def international_countries(self) -> int:
        return len(self.international_by_country)


def observer_summary(
    session: Session, *, election_code: str | None = None, accredited_only: bool | None = None
) -> ObserverSummary:
    """Every observer of the definition, or (`accredited_only`) those whose accreditation
    stands (service/watchers/observer_accreditation.py); by default the accredited ones once the
    commission has accredited anyone, so that the public figures follow the accreditation."""
    election = election_row(session, election_code)
    if accredited_only is None:
        accredited_only = (
            session.scalar(
                select(ObserverAccreditationRow.id)
                .where(ObserverAccreditationRow.election_id == election.id)
                .limit(1)
            )
            is not None
        )
    international = ObserverRow.kind == ObserverKind.INTERNATIONAL.value
    of_election: Any = ObserverRow.election_id == election.id
    if accredited_only:
        of_election = of_election & ObserverRow.id.in_(
            select(ObserverAccreditationRow.observer_id).where(
                ObserverAccreditationRow.election_id == election.id,
                ObserverAccreditationRow.revoked_at.is_(None),
            )
        )
    by_kind = tuple(
        ObserverCount(kind, kind, None, int(count))
        for kind, count in session.execute(
            select(ObserverRow.kind, func.count(ObserverRow.id))
            .where(of_election, ~international)
            .group_by(ObserverRow.kind)
            .order_by(func.count(ObserverRow.id).desc(), ObserverRow.kind)
        ).tuples()
    )

    def by_organisation(*criteria: object) -> tuple[ObserverCount, ...]:
        return tuple(
            ObserverCount(code, name, country, int(count))
            for code, name, country, count in session.execute(
                select(
                    OrganisationRow.code,
                    OrganisationRow.name,
                    OrganisationRow.country,
                    func.count(ObserverRow.id),
                )
                .join(OrganisationRow, OrganisationRow.id == ObserverRow.organisation_id)
                .where(of_election, *criteria)  # type: ignore[arg-type]
                .group_by(OrganisationRow.code, OrganisationRow.name, OrganisationRow.country)
                .order_by(func.count(ObserverRow.id).desc(), OrganisationRow.name)
            ).tuples()
        )

    by_country = tuple(
        ObserverCount(country, country, country, int(count))
        for country, count in session.execute(
            select(ObserverRow.country, func.count(ObserverRow.id))
            .where(of_election, international)
            .group_by(ObserverRow.country)
            .order_by(func.count(ObserverRow.id).desc(), ObserverRow.country)
        ).tuples()
    )
    return ObserverSummary(
        local=sum(count.observers for count in by_kind),
        international=sum(count.observers for count in by_country),
        local_by_kind=by_kind,
        local_by_organisation=by_organisation(~international),
        international_by_organisation=by_organisation(international),
        international_by_country=by_country,
    )
