"""`tallyroom observers`: accredit observers from a file, print their badges, revoke, and
show the public statistics of accredited observers."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import select

from tallyroom.cli.output import console, errors, fail, print_json
from tallyroom.cli.store_access import sessions
from tallyroom.domain.observer_accreditation import read_accreditation_file
from tallyroom.domain.observer_badge import badge_svg
from tallyroom.service.definition.credentials import Principal, Role
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import ServiceError
from tallyroom.service.watchers.observer_accreditation import (
    AccreditationRefused,
    IssuedObserverCredential,
    accredit_observers,
    revoke_accreditation,
)
from tallyroom.service.watchers.observer_view import observer_summary
from tallyroom.store.database import transaction

observers = typer.Typer(
    help="Accreditation of observers: badges, credentials, revocation, statistics.",
    no_args_is_help=True,
    add_completion=False,
)

CREDENTIAL_COLUMNS = ("code", "full_name", "badge_number", "kind", "organisation", "credential")


def commission_at_the_console(election_id: int) -> Principal:
    """Whoever runs the command on the commission's own machine acts as the commission."""
    return Principal(
        token_id=0,
        role=Role.COMMISSION,
        election_id=election_id,
        constituency_id=None,
        station_id=None,
        label="console",
    )


@observers.command("accredit")
def accredit(
    file: Path = typer.Argument(
        ...,
        help="CSV: code,full_name,kind,organisation,country,represents,stations[,constituency].",
    ),
    credentials_file: Path = typer.Option(
        ..., "--credentials", help="New CSV file to write the badge numbers and credentials to."
    ),
    election: str | None = typer.Option(None, "--election", help="Election code."),
) -> None:
    """Accredit every observer in FILE, or none: one error line per bad row (file:line)."""
    if credentials_file.exists():
        fail(f"{credentials_file}: exists; credentials are written once, nothing was accredited")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{file}: cannot read it ({error})")
    requests, problems = read_accreditation_file(text)
    if problems:
        _report(file, [p.shown(str(file)) for p in problems])
    try:
        with transaction(sessions()) as session:
            principal = commission_at_the_console(election_row(session, election).id)
            with Progress(
                TextColumn("accrediting"),
                BarColumn(),
                MofNCompleteColumn(),
                console=errors,
                transient=not errors.is_terminal,
            ) as progress:
                task = progress.add_task("accrediting", total=len(requests))
                issued = accredit_observers(
                    session,
                    principal=principal,
                    requests=requests,
                    progress=lambda done: progress.update(task, completed=done),
                )
            # Written before the commit: credentials that cannot be handed out are not stored.
            _write_credentials(credentials_file, issued)
    except AccreditationRefused as refused:
        _report(file, [p.shown(str(file)) for p in refused.problems])
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    except OSError as error:
        credentials_file.unlink(missing_ok=True)
        fail(f"{credentials_file}: cannot write ({error.strerror}); nothing was accredited")
    console.print(
        f"accredited {len(issued):,} observers; badge numbers and credentials in "
        f"{credentials_file} (hand them out, then destroy the file)"
    )


def _report(file: Path, lines: list[str]) -> None:
    for line in lines:
        errors.print(line, highlight=False, soft_wrap=True, markup=False)
    fail(f"{file}: {len(lines)} bad rows; nothing was accredited")


def _write_credentials(path: Path, issued: list[IssuedObserverCredential]) -> None:
    with path.open("x", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CREDENTIAL_COLUMNS)
        for item in issued:
            writer.writerow(
                (
                    item.code,
                    item.full_name,
                    item.badge_number,
                    item.kind,
                    item.organisation or "",
                    item.credential,
                )
            )


@observers.command("badges")
def badges(
    credentials_file: Path = typer.Argument(..., help="The CSV `observers accredit` wrote."),
    folder: Path = typer.Argument(
        ..., help="Folder to write one printable SVG badge per observer."
    ),
    code: list[str] = typer.Option([], "--code", help="Only these observers (repeatable)."),
) -> None:
    """Printable badges with the credential as a QR code."""
    wanted = set(code)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    with credentials_file.open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            if wanted and row["code"] not in wanted:
                continue
            (folder / f"{row['badge_number']}.svg").write_text(
                badge_svg(
                    full_name=row["full_name"],
                    badge_number=row["badge_number"],
                    organisation=row["organisation"] or None,
                    kind=row["kind"],
                    credential=row["credential"],
                ),
                encoding="utf-8",
            )
            written += 1
    console.print(f"wrote {written:,} badges to {folder}")


@observers.command("revoke")
def revoke(
    code: str = typer.Argument(..., help="The observer's code."),
    reason: str = typer.Option(..., "--reason", help="Why."),
    election: str | None = typer.Option(None, "--election", help="Election code."),
) -> None:
    """Revoke an observer's accreditation: the credential stops working at once."""
    try:
        with transaction(sessions()) as session:
            principal = commission_at_the_console(election_row(session, election).id)
            revoke_accreditation(session, principal=principal, code=code, reason=reason)
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    console.print(f"revoked the accreditation of {code}")


@observers.command("stats")
def stats(
    election: str | None = typer.Option(None, "--election", help="Election code."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Accredited observers by kind, organisation and country (the published figures)."""
    with transaction(sessions()) as session:
        summary = observer_summary(session, election_code=election, accredited_only=True)
    if as_json:
        print_json(
            {
                "local": summary.local,
                "international": summary.international,
                "international_organisations": summary.international_organisations,
                "international_countries": summary.international_countries,
                "local_by_kind": {c.key: c.observers for c in summary.local_by_kind},
                "international_by_organisation": {
                    c.key: c.observers for c in summary.international_by_organisation
                },
            }
        )
        return
    table = Table(title="accredited observers")
    table.add_column("heading")
    table.add_column("observers", justify="right")
    table.add_row("local", f"{summary.local:,}")
    for count in summary.local_by_kind:
        table.add_row(f"  {count.name}", f"{count.observers:,}")
    table.add_row("international", f"{summary.international:,}")
    table.add_row("  organisations", f"{summary.international_organisations:,}")
    table.add_row("  countries", f"{summary.international_countries:,}")
    for count in summary.international_by_organisation[:5]:
        table.add_row(f"  {count.name}", f"{count.observers:,}")
    console.print(table)


@observers.command("scenario-activity")
def scenario_activity(
    seed: int = typer.Option(2024, "--seed", help="The scenario's seed."),
) -> None:
    """The az-2024 scenario's watchers at work: observers' copies of protocols (a handful
    differing), and complaints in each state (none changes a result)."""
    from tallyroom.scenarios.az_2024 import build_definition
    from tallyroom.scenarios.observer_activity import (
        REPORTER,
        SUBJECT,
        planned_complaints,
        planned_copies,
    )
    from tallyroom.scenarios.polling_day import build_polling_day_plan
    from tallyroom.service.watchers.complaints import (
        ComplaintFiling,
        begin_review,
        decide_complaint,
        file_complaint,
    )
    from tallyroom.service.watchers.observer_accreditation import observer_principal
    from tallyroom.service.watchers.observer_copies import submit_copy
    from tallyroom.store.schema import ObserverRow, ObserverStationRow, PollingStationRow

    plan = build_polling_day_plan(build_definition(seed), seed)
    try:
        with transaction(sessions()) as session:
            election = election_row(session, None)
            commission = commission_at_the_console(election.id)
            assignments = (
                session.execute(
                    select(ObserverRow.code, PollingStationRow.code)
                    .join(ObserverStationRow, ObserverStationRow.observer_id == ObserverRow.id)
                    .join(PollingStationRow, PollingStationRow.id == ObserverStationRow.station_id)
                    .where(ObserverRow.election_id == election.id)
                    .order_by(ObserverRow.code, PollingStationRow.code)
                    .limit(20_000)
                )
                .tuples()
                .all()
            )
            copies = planned_copies(plan, assignments, seed)
            for copy in copies:
                # the console acts for the observer: the scenario's observers have no phones
                observer = observer_principal(session, election.id, copy.observer)
                submit_copy(
                    session, observer=observer, station_code=copy.station, figures=copy.figures
                )
            complaints = planned_complaints([c.station for c in copies], seed)
            for planned in complaints:
                filing = ComplaintFiling(
                    planned.category, SUBJECT, planned.description, REPORTER, planned.station
                )
                tracking = file_complaint(session, filing).tracking_number
                if planned.ends != "received":
                    begin_review(
                        session, principal=commission, tracking=tracking, reason="witnesses heard"
                    )
                if planned.ends in ("upheld", "dismissed"):
                    decide_complaint(
                        session,
                        principal=commission,
                        tracking=tracking,
                        upheld=planned.ends == "upheld",
                        reason="established by the witnesses"
                        if planned.ends == "upheld"
                        else "not supported by the evidence",
                    )
    except ServiceError as error:
        fail(f"{error.code}: {error.message}")
    console.print(
        f"{len(copies)} observers' copies ({sum(c.differs for c in copies)} differing) and "
        f"{len(complaints)} complaints (received, under review, upheld, dismissed)"
    )
