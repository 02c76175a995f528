"""`tallyroom exit-polls`: the scenario's estimates stored as the organisations submit them,
a pollster's credential, and the published report (refused before the polls close)."""

from __future__ import annotations

from collections import defaultdict

import typer
from sqlalchemy import select

from tallyroom.cli.output import console, fail, print_json
from tallyroom.cli.store_access import sessions
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.errors import ServiceError
from tallyroom.service.watchers.exit_polls import (
    Estimate,
    PollsterPrincipal,
    exit_poll_report,
    submit_estimates,
)
from tallyroom.store.database import transaction
from tallyroom.store.schema import OrganisationRow

exit_polls = typer.Typer(
    help="Exit polls: estimates and their accuracy.", no_args_is_help=True, add_completion=False
)


@exit_polls.command("scenario")
def scenario(seed: int = typer.Option(2024, "--seed", help="The scenario's seed.")) -> None:
    """Store the az-2024 scenario's exit-poll estimates, as each organisation submits them."""
    from tallyroom.scenarios.az_2024 import build_definition
    from tallyroom.scenarios.exit_poll_estimates import scenario_estimates
    from tallyroom.scenarios.polling_day import build_polling_day_plan

    plan = build_polling_day_plan(build_definition(seed), seed)
    by_organisation: dict[str, list[Estimate]] = defaultdict(list)
    for organisation, station, turnout, shares in scenario_estimates(plan, seed):
        by_organisation[organisation].append(Estimate(station, turnout, shares))
    stored = 0
    try:
        with transaction(sessions()) as session:
            election = election_row(session, None)
            ids = dict(
                session.execute(
                    select(OrganisationRow.code, OrganisationRow.id).where(
                        OrganisationRow.election_id == election.id
                    )
                )
                .tuples()
                .all()
            )
            for organisation, estimates in sorted(by_organisation.items()):
                # the console acts for the organisation: the scenario has no pollster's phone
                pollster = PollsterPrincipal(ids[organisation], election.id, organisation)
                for start in range(0, len(estimates), 1000):
                    stored += submit_estimates(
                        session, pollster=pollster, estimates=estimates[start : start + 1000]
                    )
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    console.print(
        f"stored {stored:,} exit-poll estimates from {len(by_organisation)} organisations"
    )


@exit_polls.command("report")
def report(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    at_close: bool = typer.Option(
        False, "--at-close", help="Judge by a drill clock standing at the close."
    ),
) -> None:
    """Each organisation's accuracy scorecard (refused before the polls close)."""
    clock = ElectionClock.drill(speed=0) if at_close else ElectionClock.real()
    try:
        with transaction(sessions()) as session:
            election = election_of(election_row(session, None))
            found = exit_poll_report(session, now=clock.now(election))
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    cards = [
        {
            "organisation": c.organisation,
            "partner": c.partner,
            "stations_sampled": c.stations_sampled,
            "stations_reported": c.stations_reported,
            "station_mae": c.station_mae,
            "turnout_mae": c.turnout_mae,
            "national_mae": c.national_mae,
        }
        for c in found.scorecards
    ]
    if as_json:
        print_json(cards)
        return
    for card in cards:
        console.print(card)
