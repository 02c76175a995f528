"""The simulated poll-book desks enrol as real desks do: the commission issues each a one-time
desk code over the API, the desk makes its Ed25519 key pair in this process, sends only the
public half with the code and keeps the poll-book token and name the server answers with."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.signature import new_private_key, public_key_hex
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.definition.elections import election_row
from tallyroom.service.register.poll_book_devices import (
    enrol_poll_book_device,
    issue_poll_book_code,
)
from tallyroom.simulator.device_enrolment import ENROLMENT_TIMEOUT_SECONDS, EnrolmentRefused
from tallyroom.store.database import transaction


@dataclass(frozen=True, slots=True)
class EnrolledDesk:
    station: str
    #: its name on its check-ins and in the audit log: station-<code>/pollbook-<n>
    device: str
    token: str


def enrol_poll_book_desks(
    server: str, commission_token: str, desks: Mapping[str, int], *, clients: int
) -> dict[tuple[str, int], EnrolledDesk]:
    """(station, desk ordinal from 1) → the enrolled desk, for `desks` (station → how many).
    Stations enrol in parallel; a station's desks one after another, so desk 1 is the
    station's first."""
    base = server.rstrip("/")

    def enrol_station(item: tuple[str, int]) -> list[tuple[tuple[str, int], EnrolledDesk]]:
        station, count = item
        enrolled = []
        for ordinal in range(1, count + 1):
            issued = session.post(
                f"{base}/api/v1/stations/{station}/poll-book-codes",
                headers={"Authorization": f"Bearer {commission_token}"},
            )
            if issued.status_code != 201:
                raise EnrolmentRefused(
                    f"desk code for {station}: {issued.status_code} {issued.text[:300]}"
                )
            private_key = new_private_key()
            answer = session.post(
                f"{base}/api/v1/pollbook/enrolments",
                json={
                    "station": station,
                    "code": issued.json()["code"],
                    "public_key": public_key_hex(private_key),
                },
            )
            if answer.status_code != 201:
                raise EnrolmentRefused(
                    f"desk {ordinal} of {station}: {answer.status_code} {answer.text[:300]}"
                )
            body = answer.json()
            enrolled.append(
                ((station, ordinal), EnrolledDesk(station, str(body["device"]), str(body["token"])))
            )
        return enrolled

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    with (
        httpx.Client(timeout=ENROLMENT_TIMEOUT_SECONDS, limits=limits) as session,
        ThreadPoolExecutor(max_workers=max(1, clients), thread_name_prefix="desk") as pool,
    ):
        return {
            key: desk
            for station_desks in pool.map(enrol_station, sorted(desks.items()))
            for key, desk in station_desks
        }


def enrol_desks_in_database(
    sessions: sessionmaker[Session],
    commission_token: str,
    desks: Mapping[str, int],
    *,
    election: str,
) -> dict[tuple[str, int], EnrolledDesk]:
    """The same for a server this process is about to start: the commission's codes and the
    desks' enrolments by the service's own rules in one transaction, keys made here, before
    polling day's clock starts (a hundred round trips would eat into the day)."""
    enrolled: dict[tuple[str, int], EnrolledDesk] = {}
    with transaction(sessions) as session:
        commission = authenticate(session, commission_token)
        election_id = election_row(session, election).id
        for station, count in sorted(desks.items()):
            for ordinal in range(1, count + 1):
                code = issue_poll_book_code(session, principal=commission, station_code=station)
                enrolment = enrol_poll_book_device(
                    session,
                    station_code=station,
                    code=code.code,
                    public_key=public_key_hex(new_private_key()),
                    election_id=election_id,
                )
                enrolled[station, ordinal] = EnrolledDesk(
                    station, enrolment.device, enrolment.token
                )
    return enrolled
