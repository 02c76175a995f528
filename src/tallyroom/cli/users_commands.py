"""`tallyroom users`: console accounts made, listed, deactivated and reset by whoever holds
the database (the first commission member is made this way); every change is audited."""

from __future__ import annotations

import json

import segno
import typer
from rich.table import Table

from tallyroom.cli.output import console, fail
from tallyroom.cli.store_access import sessions
from tallyroom.service.errors import ServiceError
from tallyroom.service.people import people
from tallyroom.service.people.people import IssuedSecret, PersonRole, SecondFactor
from tallyroom.store.database import transaction

users = typer.Typer(
    help="Console accounts: commission members, staff, constituency members.",
    no_args_is_help=True,
    add_completion=False,
)
#: how the audit log names a change made from the command line
DATABASE_HOLDER = "cli:users"


def _show_secret(login: str, secret: IssuedSecret) -> None:
    """Secrets are printed once; nothing keeps them."""
    if secret.password:
        console.print(
            f"temporary password for {login}: [bold]{secret.password}[/]", highlight=False
        )
    if secret.totp_secret and secret.totp_uri:
        console.print(f"authenticator app secret: [bold]{secret.totp_secret}[/]", highlight=False)
        console.print(secret.totp_uri, highlight=False, soft_wrap=True)
        if console.is_terminal:
            segno.make(secret.totp_uri, error="m").terminal(compact=True)
    if secret.enrolment_code:
        console.print(
            f"security key enrolment code (at first sign-in): [bold]{secret.enrolment_code}[/]",
            highlight=False,
        )


def _run_failing(error: ServiceError) -> None:
    problems = error.details.get("problems") or []
    detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    fail(f"{error.code}: {error.message}" + (f" ({detail})" if detail else ""), code=1)


@users.command("create")
def create(
    login: str = typer.Argument(..., help="The sign-in name: lower-case letters, digits, . _ -"),
    full_name: str = typer.Option(..., "--name", help="The person's full name."),
    role: PersonRole = typer.Option(..., "--role", help="What the person may do."),
    email: str | None = typer.Option(None, "--email", help="The person's e-mail address."),
    constituency: int | None = typer.Option(
        None, "--constituency", help="The constituency of a constituency member."
    ),
    second_factor: SecondFactor | None = typer.Option(
        None,
        "--second-factor",
        help="totp (an authenticator app) or webauthn (a security key, enrolled at first "
        "sign-in); commission members need one. Default: totp for commission members.",
    ),
    ask_password: bool = typer.Option(
        False, "--ask-password", help="Type the password instead of getting a temporary one."
    ),
    election: str | None = typer.Option(None, "--election", help="The election's code."),
) -> None:
    """Create an account (the first commission member too); secrets are printed once."""
    factor = second_factor or (
        SecondFactor.TOTP if role is PersonRole.COMMISSION_MEMBER else SecondFactor.NONE
    )
    password = (
        typer.prompt("password", hide_input=True, confirmation_prompt=True)
        if ask_password
        else None
    )
    try:
        with transaction(sessions()) as session:
            view, secret = people.create_person(
                session,
                principal=None,
                login=login,
                full_name=full_name,
                email=email,
                role=role,
                constituency=constituency,
                password=password,
                second_factor=factor,
                election=election,
                database_holder=DATABASE_HOLDER,
            )
    except ServiceError as error:
        _run_failing(error)
        return
    console.print(f"created {view.login} ({view.role.value}), person {view.id}", highlight=False)
    _show_secret(view.login, secret)


@users.command("list")
def list_users(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Every account, deactivated ones included."""
    with transaction(sessions()) as session:
        listed = people.list_people(session)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "id": p.id,
                        "login": p.login,
                        "full_name": p.full_name,
                        "role": p.role.value,
                        "constituency": p.constituency,
                        "second_factor": p.second_factor,
                        "active": p.active,
                        "delayed_until": p.delayed_until.isoformat() if p.delayed_until else None,
                    }
                    for p in listed
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table("id", "login", "name", "role", "constituency", "second factor", "state")
    for p in listed:
        state = "deactivated" if not p.active else ("delayed" if p.delayed_until else "active")
        table.add_row(
            str(p.id),
            p.login,
            p.full_name,
            p.role.value,
            str(p.constituency or ""),
            p.second_factor,
            state,
        )
    console.print(table)


@users.command("deactivate")
def deactivate(login: str = typer.Argument(..., help="The account to deactivate.")) -> None:
    """Deactivate an account (never deleted); its sessions end."""
    try:
        with transaction(sessions()) as session:
            people.deactivate_person(
                session, principal=None, login=login, database_holder=DATABASE_HOLDER
            )
    except ServiceError as error:
        _run_failing(error)
    console.print(f"deactivated {login}", highlight=False)


@users.command("reset-password")
def reset_password(login: str = typer.Argument(..., help="The account.")) -> None:
    """A new temporary password, printed once; the account's sessions end."""
    try:
        with transaction(sessions()) as session:
            secret = people.reset_password(
                session, principal=None, login=login, database_holder=DATABASE_HOLDER
            )
    except ServiceError as error:
        _run_failing(error)
        return
    _show_secret(login, secret)


@users.command("reset-second-factor")
def reset_second_factor(
    login: str = typer.Argument(..., help="The account."),
    second_factor: SecondFactor = typer.Option(
        SecondFactor.TOTP, "--second-factor", help="The new second factor."
    ),
) -> None:
    """A new TOTP secret or security key enrolment code; the old factor stops working."""
    try:
        with transaction(sessions()) as session:
            secret = people.reset_second_factor(
                session,
                principal=None,
                login=login,
                second_factor=second_factor,
                database_holder=DATABASE_HOLDER,
            )
    except ServiceError as error:
        _run_failing(error)
        return
    _show_secret(login, secret)


@users.command("lift-delay")
def lift_delay(login: str = typer.Argument(..., help="The account.")) -> None:
    """Lift the growing sign-in delay of an account after failed sign-ins."""
    try:
        with transaction(sessions()) as session:
            lifted = people.lift_delay(
                session, principal=None, login=login, database_holder=DATABASE_HOLDER
            )
    except ServiceError as error:
        _run_failing(error)
        return
    console.print(f"{'lifted the delay of' if lifted else 'no delay on'} {login}", highlight=False)
