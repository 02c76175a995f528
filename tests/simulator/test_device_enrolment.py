"""The simulator's stations enrol as devices: keys made in its process, over HTTP against
another server or in one transaction before its own server starts; either way the server
holds public keys only and the keys sign what it accepts."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.signature import load_private_key, public_key_hex, sign_document
from tallyroom.service.definition.credentials import KeyMaking, issue_credentials
from tallyroom.simulator.device_enrolment import enrol_devices, enrol_devices_in_database
from tallyroom.store.database import transaction
from tallyroom.store.schema import StationKeyRow
from tests.station_client import protocol
from tests.web.live_server import serving, site_app


def _current_keys(sessions: sessionmaker[Session]) -> dict[int, tuple[str, str]]:
    with transaction(sessions) as session:
        return {
            row.station_id: (row.public_key, row.made)
            for row in session.scalars(
                select(StationKeyRow).where(StationKeyRow.revoked_at.is_(None))
            )
        }


def test_enrolment_over_http(loaded_election: sessionmaker[Session], database_url: str) -> None:
    with transaction(loaded_election) as session:
        codes = issue_credentials(session, actor="test", key_making=KeyMaking.DEVICE)
    with serving(site_app(database_url)) as url:
        enrolled = enrol_devices(url, codes, clients=2)
        assert sorted(enrolled.stations) == sorted(codes.enrolment_codes)
        _, token, pem = enrolled.stations["001-0001"]
        document = protocol()
        answer = httpx.post(
            f"{url}/api/v1/protocols",
            json={
                "protocol": document,
                "signature": sign_document(document, load_private_key(pem)),
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 201, answer.text
    keys = _current_keys(loaded_election)
    assert len(keys) == 4
    assert {made for _, made in keys.values()} == {"device"}
    made_here = {public_key_hex(load_private_key(pem)) for _, _, pem in enrolled.stations.values()}
    assert {key for key, _ in keys.values()} == made_here


def test_enrolment_in_the_database_before_the_server_starts(
    loaded_election: sessionmaker[Session],
) -> None:
    with transaction(loaded_election) as session:
        codes = issue_credentials(session, actor="test", key_making=KeyMaking.DEVICE)
    enrolled = enrol_devices_in_database(loaded_election, codes, election="small-2024")
    assert sorted(enrolled.stations) == sorted(codes.enrolment_codes)
    assert {made for _, made in _current_keys(loaded_election).values()} == {"device"}
    # Nothing left to enrol the second time.
    assert enrol_devices_in_database(loaded_election, enrolled, election="small-2024") is enrolled
