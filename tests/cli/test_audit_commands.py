from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.credentials import IssuedCredentials, authenticate
from tallyroom.service.protocols import submit_protocol
from tallyroom.store.database import transaction
from tallyroom.store.schema import ConstituencyTotalRow
from tests.api.conftest import protocol

runner = CliRunner()


def _submit(sessions: sessionmaker[Session], credentials: IssuedCredentials) -> None:
    document = protocol()
    key = load_private_key(credentials.stations["001-0001"][2])
    with transaction(sessions) as session:
        principal = authenticate(session, credentials.stations["001-0001"][1])
        submit_protocol(
            session,
            principal=principal,
            document=document,
            signature=sign_document(document, key),
        )


def test_verify_passes_then_names_a_hand_edit(
    use_database: str, loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    _submit(loaded_election, credentials)
    passed = runner.invoke(app, ["audit", "verify"])
    assert passed.exit_code == 0, passed.output
    assert "OK" in passed.stdout
    assert "1 protocol versions verify" in passed.stdout
    with transaction(loaded_election) as session:
        session.execute(
            update(ConstituencyTotalRow).values(ballots_cast=ConstituencyTotalRow.ballots_cast + 7)
        )
    failed = runner.invoke(app, ["audit", "verify"])
    assert failed.exit_code == 1
    assert "ballots_cast" in failed.stderr
    assert "discrepanc" in failed.stderr


def test_head_prints_sequence_and_hash(
    use_database: str, loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    before = runner.invoke(app, ["audit", "head"]).stdout.split()
    _submit(loaded_election, credentials)
    after = runner.invoke(app, ["audit", "head"]).stdout.split()
    assert int(after[0]) == int(before[0]) + 1
    assert len(after[1]) == 64
    assert after[1] != before[1]
