"""`tallyroom station enrol`: what the station app does at `/station`, from a terminal. The
key pair is made here and its private half written only to the station's own folder."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from tallyroom.cli.output import console, fail
from tallyroom.cli.server_client import post_json
from tallyroom.domain.signature import new_private_key, private_key_pem, public_key_hex

station = typer.Typer(
    help="A polling station's own device: enrolment.", no_args_is_help=True, add_completion=False
)


def write_secret(path: Path, data: bytes) -> None:
    # Mode 0600 from the first byte; never over an existing key.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


@station.command("enrol")
def enrol(
    station_code: str = typer.Option(..., "--station", help="The station's code, e.g. 001-0001."),
    code: str = typer.Option(..., "--code", help="The one-time code from the sealed envelope."),
    server: str = typer.Option(..., "--server", help="The server, e.g. https://10.0.0.2:8443."),
    out: Path = typer.Option(
        Path("."), "--out", help="Folder for STATION.key and STATION.token (mode 0600)."
    ),
) -> None:
    """Make a key pair here, send only its public half with the enrolment code, and keep the
    station token the server answers with."""
    key_path = out / f"{station_code}.key"
    token_path = out / f"{station_code}.token"
    for path in (key_path, token_path):
        if path.exists():
            fail(f"{path}: exists already; enrol into another folder")
    out.mkdir(parents=True, exist_ok=True)
    private_key = new_private_key()
    answer = post_json(
        server,
        "/api/v1/enrolments",
        {"station": station_code, "code": code, "public_key": public_key_hex(private_key)},
        token="",
    )
    write_secret(key_path, private_key_pem(private_key))
    write_secret(token_path, str(answer["token"]).encode() + b"\n")
    console.print(
        f"station {answer['station']} enrolled; key fingerprint [bold]{answer['fingerprint']}"
        f"[/] (show it to the observers); key in {key_path}, token in {token_path}"
    )
