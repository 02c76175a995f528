"""`tallyroom pollbook`: a poll book desk from the command line (enrol it, check a voter in)
and a commission's desk codes and revocations."""

from __future__ import annotations

import secrets
from pathlib import Path

import typer

from tallyroom.cli.output import console, fail
from tallyroom.cli.server_client import post_json, resolve_token
from tallyroom.cli.station_commands import write_secret
from tallyroom.domain.signature import new_private_key, private_key_pem, public_key_hex

pollbook = typer.Typer(help="The poll book at a station's desk.", no_args_is_help=True)


@pollbook.command("code")
def code(
    station: str = typer.Option(..., "--station", help="The station that gets one more desk."),
    server: str = typer.Option(..., "--server", help="The server's URL."),
    token: str | None = typer.Option(None, "--token", help="A commission's token."),
    token_file: Path | None = typer.Option(None, "--token-file", help="A file with the token."),
) -> None:
    """Issue a one-time code for one more poll-book desk at the station (the commission or
    its constituency commission); nothing is revoked. The code enrols a desk only."""
    answer = post_json(
        server,
        f"/api/v1/stations/{station}/poll-book-codes",
        {},
        resolve_token(token, token_file),
    )
    console.print(
        f"poll-book desk code for station {answer['station']}: [bold]{answer['code']}[/] "
        f"(once; expires {answer['expires_at']})"
    )


@pollbook.command("enrol")
def enrol(
    station: str = typer.Option(..., "--station", help="The desk's station, e.g. 001-0001."),
    enrolment_code: str = typer.Option(..., "--code", help="The desk's one-time code."),
    server: str = typer.Option(..., "--server", help="The server's URL."),
    out: Path = typer.Option(
        Path("."), "--out", help="Folder for the desk's key and token (mode 0600)."
    ),
) -> None:
    """Make the desk's key pair here, send only its public half with the code, and keep the
    poll-book token the server answers with beside the key (for `check-in --token-file`)."""
    private_key = new_private_key()
    answer = post_json(
        server,
        "/api/v1/pollbook/enrolments",
        {"station": station, "code": enrolment_code, "public_key": public_key_hex(private_key)},
        token="",
    )
    name = str(answer["device"]).replace("station-", "", 1).replace("/", "-")
    key_path, token_path = out / f"{name}.key", out / f"{name}.token"
    for path in (key_path, token_path):
        if path.exists():
            fail(f"{path}: exists already; enrol into another folder")
    out.mkdir(parents=True, exist_ok=True)
    write_secret(key_path, private_key_pem(private_key))
    write_secret(token_path, str(answer["token"]).encode() + b"\n")
    console.print(
        f"{answer['device']} enrolled; key fingerprint [bold]{answer['fingerprint']}[/]; "
        f"key in {key_path}, token in {token_path}"
    )


@pollbook.command("revoke")
def revoke(
    station: str = typer.Option(..., "--station", help="The desk's station."),
    desk: int = typer.Option(..., "--desk", min=1, help="The desk's number (pollbook-N)."),
    reason: str = typer.Option(..., "--reason", help="Why (published in the audit log)."),
    server: str = typer.Option(..., "--server", help="The server's URL."),
    token: str | None = typer.Option(None, "--token", help="A commission's token."),
    token_file: Path | None = typer.Option(None, "--token-file", help="A file with the token."),
) -> None:
    """Revoke one lost or replaced desk: its key and token stop now, the others keep working."""
    answer = post_json(
        server,
        f"/api/v1/stations/{station}/poll-book-desks/{desk}/revocation",
        {"reason": reason},
        resolve_token(token, token_file),
    )
    console.print(
        f"{answer['device']} revoked at {answer['revoked_at']} (key {answer['fingerprint']})",
        highlight=False,
    )


@pollbook.command("check-in")
def check_in(
    station: str = typer.Option(..., "--station", help="The station's code (as on its token)."),
    voter: str = typer.Option(..., "--voter", help="The voter's ID-card number."),
    server: str = typer.Option(..., "--server", help="The server's URL."),
    token: str | None = typer.Option(
        None, "--token", help="The desk's poll-book token (from `enrol`) or the station's."
    ),
    token_file: Path | None = typer.Option(None, "--token-file", help="A file with the token."),
    match: str = typer.Option(
        "not_scanned", "--match", help="Identity check at the desk: yes, no or not_scanned."
    ),
    portable: bool = typer.Option(False, "--portable", help="Checked in for the portable box."),
    certificate: str | None = typer.Option(
        None, "--certificate", help="The absentee certificate the voter presents."
    ),
    reference: str | None = typer.Option(
        None, "--reference", help="The desk's id for this check-in (re-sending it is safe)."
    ),
) -> None:
    """Check a voter in: exits 0 when recorded, 1 naming the station where the voter already
    voted when refused."""
    body: dict[str, object] = {
        "voter": voter,
        "client_reference": reference or f"cli-{station}-{secrets.token_hex(8)}",
        "identity_match": match,
        "portable": portable,
    }
    if certificate:
        body["certificate"] = certificate
    answer = post_json(server, "/api/v1/pollbook/check-ins", body, resolve_token(token, token_file))
    console.print(
        f"voter {voter} checked in at station {station} (check-in {answer.get('check_in')}, "
        f"{answer.get('status')})",
        highlight=False,
    )


@pollbook.command("figures")
def figures(
    station: str | None = typer.Option(None, "--station", help="One station's figures."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The poll book's public figures and check-ins by reporting hour beside the reported
    turnout, from the database."""
    from tallyroom.cli.output import print_json
    from tallyroom.cli.store_access import sessions
    from tallyroom.service.errors import ServiceError
    from tallyroom.service.register import poll_book_figures
    from tallyroom.store.database import transaction

    try:
        with transaction(sessions()) as session:
            totals = (
                poll_book_figures.station_figures(session, station)
                if station
                else poll_book_figures.national_figures(session)
            )
            hours = poll_book_figures.turnout_cross_check(session, station=station)
    except ServiceError as error:
        fail(error.message)
    if as_json:
        print_json({"figures": totals, "turnout_cross_check": hours})
        return
    for name, value in totals.items():
        console.print(f"{name.replace('_', ' ')}: {value}", highlight=False)
    for hour in hours:
        console.print(
            f"{hour['as_of']}: {hour['check_ins']:,} checked in; reported "
            f"{hour['reported_voters']:,} by {hour['stations_reporting']:,} stations, which "
            f"checked in {hour['check_ins_at_reporting_stations']:,} "
            f"(difference {hour['difference']:+,})",
            highlight=False,
        )
