"""The simulated stations enrol as real devices do: each makes its Ed25519 key pair in this
process, sends only the public half with its one-time enrolment code and keeps the station
token the server answers with. The commission's folder then never held a private key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.signature import new_private_key, private_key_pem, public_key_hex
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.service.definition.elections import election_row
from tallyroom.service.definition.station_enrolment import enrol_stations
from tallyroom.store.database import transaction

ENROLMENT_TIMEOUT_SECONDS = 60.0


class EnrolmentRefused(RuntimeError):
    """A station's enrolment was refused: the message names the station and the reason."""


def enrol_devices_in_database(
    sessions: sessionmaker[Session], issued: IssuedCredentials, *, election: str
) -> IssuedCredentials:
    """The same enrolment for a server this process is about to start: keys made here, the
    public halves bound by the service's one rule in one transaction (thousands of HTTP
    round trips would hold up the start of the drill)."""
    waiting = sorted(
        (code, entry)
        for code, entry in issued.enrolment_codes.items()
        if code not in issued.stations
    )
    if not waiting:
        return issued
    keys = {code: new_private_key() for code, _ in waiting}
    with transaction(sessions) as session:
        enrolled = enrol_stations(
            session,
            requests=[(code, entry[1], public_key_hex(keys[code])) for code, entry in waiting],
            election_id=election_row(session, election).id,
        )
    tokens = {enrolment.station: enrolment.token for enrolment in enrolled}
    return replace(
        issued,
        stations={
            **issued.stations,
            **{
                code: (number, tokens[code], private_key_pem(keys[code]))
                for code, (number, _) in waiting
            },
        },
    )


def enrol_devices(server: str, issued: IssuedCredentials, *, clients: int) -> IssuedCredentials:
    """The credentials with a key and token for every station that had only a code."""
    waiting = {
        code: entry for code, entry in issued.enrolment_codes.items() if code not in issued.stations
    }
    if not waiting:
        return issued
    url = server.rstrip("/") + "/api/v1/enrolments"

    def enrol(item: tuple[str, tuple[int, str]]) -> tuple[str, tuple[int, str, bytes]]:
        station, (number, enrolment_code) = item
        private_key = new_private_key()
        body = {
            "station": station,
            "code": enrolment_code,
            "public_key": public_key_hex(private_key),
        }
        response = session.post(url, json=body)
        if response.status_code != 201:
            raise EnrolmentRefused(
                f"station {station}: {response.status_code} {response.text[:300]}"
            )
        return station, (number, str(response.json()["token"]), private_key_pem(private_key))

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    with (
        httpx.Client(timeout=ENROLMENT_TIMEOUT_SECONDS, limits=limits) as session,
        ThreadPoolExecutor(max_workers=clients, thread_name_prefix="enrolment") as pool,
    ):
        enrolled = dict(pool.map(enrol, sorted(waiting.items())))
    return replace(issued, stations={**issued.stations, **enrolled})
