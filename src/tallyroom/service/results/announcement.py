"""The figures of the commission's announcement, read from the running totals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.announcement import AnnouncementFigures
from tallyroom.service.audit import audit_tree
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.protocols.turnout import turnout_by_hour
from tallyroom.service.results.election_figures import election_figures
from tallyroom.service.results.results import build_national_results
from tallyroom.store.schema import PartyRow


def announcement_figures(session: Session, election: str | None = None) -> AnnouncementFigures:
    record = election_row(session, election)
    results = build_national_results(session, record.code)
    figures = election_figures(session, record.code)
    reported_hours = [
        point for point in turnout_by_hour(session, election_id=record.id) if point.voters
    ]
    # The last hour any station reported: what the commission announces at the close.
    last = reported_hours[-1] if reported_hours else None
    return AnnouncementFigures(
        election_name=record.name,
        polling_day=record.polling_day,
        status=results.status,
        seats_total=results.seats_total,
        seats=results.seats,
        party_names={
            row.short_name: row.name
            for row in session.scalars(select(PartyRow).where(PartyRow.election_id == record.id))
        },
        stations_total=results.stations_total,
        stations_reporting=results.stations_reporting,
        registered_voters=results.registered_voters,
        turnout_as_of=last.as_of if last else None,
        turnout_voters=last.voters if last else 0,
        stations_permanent=figures["stations_permanent"],
        stations_temporary=figures["stations_temporary"],
        stations_special_territory=figures["stations_special_territory"],
        idp_stations=figures["idp_stations"],
        idp_registered_voters=figures["idp_registered_voters"],
        stations_annulled=results.stations_annulled,
        too_close_to_call=tuple(
            (c.number, c.name, c.margin_votes)
            for c in results.constituencies
            if c.too_close_to_call
        ),
        election_names=dict(election_of(record).names),
        drill=record.drill,
        tree_head_keys=tuple(audit_tree.tree_head_keys(session)),
    )
