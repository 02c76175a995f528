"""`audit verify` refuses a protocol whose key came into the log after it."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import (
    IssuedCredentials,
    authenticate,
    issue_credentials,
)
from tallyroom.service.protocols.protocols import submit_protocol
from tallyroom.store.database import transaction
from tallyroom.store.schema import ProtocolVersionRow, StationKeyRow
from tests.station_client import protocol


def test_a_protocol_pointed_at_a_key_enrolled_after_it_is_refused(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    document = protocol()
    with transaction(loaded_election) as session:
        submit_protocol(
            session,
            principal=authenticate(session, credentials.stations["001-0001"][1]),
            document=document,
            signature=sign_document(
                document, load_private_key(credentials.stations["001-0001"][2])
            ),
        )
    with transaction(loaded_election) as session:
        reissued = issue_credentials(session, actor="commission")
    with transaction(loaded_election) as session:
        assert audit_discrepancies(session) == []
    # An insider re-signs the protocol with the station's new key and points it there.
    with transaction(loaded_election) as session:
        version = session.scalars(select(ProtocolVersionRow)).one()
        new_key = session.scalars(
            select(StationKeyRow).where(
                StationKeyRow.station_id == version.station_id, StationKeyRow.revoked_at.is_(None)
            )
        ).one()
        session.execute(
            update(ProtocolVersionRow).values(
                station_key_id=new_key.id,
                signature=sign_document(
                    document, load_private_key(reissued.stations["001-0001"][2])
                ),
            )
        )
    with transaction(loaded_election) as session:
        problems = audit_discrepancies(session)
    assert any(
        "table protocol_version, key station 001-0001 version 1, column station_key_id: refused, "
        "its key was enrolled at audit entry" in problem
        for problem in problems
    ), problems
