from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.domain.signature import load_private_key, public_key_hex, sign_document
from tallyroom.service.definition.credentials import IssuedCredentials, authenticate
from tallyroom.service.protocols.protocols import submit_protocol
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    ConstituencyTotalRow,
    SignedTreeHeadRow,
)
from tests.api.conftest import protocol
from tests.history_rewrite import rewrite_history

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


def test_head_is_signed_with_the_commissions_key_and_kept_heads_prove_extension(
    use_database: str,
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
    tmp_path: Path,
) -> None:
    unsigned = runner.invoke(app, ["audit", "head"])
    assert unsigned.exit_code == 1
    assert "no signed tree head" in unsigned.stderr
    key = tmp_path / "tree-head.pem"
    made = runner.invoke(app, ["audit", "keygen", "--out", str(key)])
    assert made.exit_code == 0, made.output
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert runner.invoke(app, ["audit", "keygen", "--out", str(key)]).exit_code == 2
    first = runner.invoke(app, ["audit", "head", "--key", str(key)])
    assert first.exit_code == 0, first.output
    kept = json.loads(first.stdout)
    assert kept["key"] == public_key_hex(load_private_key(key.read_bytes()))
    kept_file = tmp_path / "kept.json"
    kept_file.write_text(first.stdout)

    _submit(loaded_election, credentials)
    later = json.loads(runner.invoke(app, ["audit", "head", "--key", str(key)]).stdout)
    # The kept head's own entry, then the protocol's.
    assert later["tree_size"] == kept["tree_size"] + 2
    assert later["root_hash"] != kept["root_hash"]
    extends = runner.invoke(app, ["audit", "verify", "--against", str(kept_file)])
    assert extends.exit_code == 0, extends.output
    assert f"extends the kept head of {kept['tree_size']:,} entries" in extends.stdout

    rewrite_history(loaded_election, sequence=2)
    # Consistent in itself: the chain and every total check out...
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    # ...but not with the head someone kept.
    rewritten = runner.invoke(app, ["audit", "verify", "--against", str(kept_file)])
    assert rewritten.exit_code == 1
    assert "history was rewritten" in rewritten.stderr


def test_a_stored_signed_head_gives_a_rewrite_away(
    use_database: str,
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
    tmp_path: Path,
) -> None:
    key = tmp_path / "tree-head.pem"
    assert runner.invoke(app, ["audit", "keygen", "--out", str(key)]).exit_code == 0
    _submit(loaded_election, credentials)
    assert runner.invoke(app, ["audit", "head", "--key", str(key)]).exit_code == 0
    with transaction(loaded_election) as session:
        heads = session.scalars(select(SignedTreeHeadRow)).all()
        heads[0].root_hash = "0" * 64
    failed = runner.invoke(app, ["audit", "verify"])
    assert failed.exit_code == 1
    assert "another root" in failed.stderr


def test_a_kept_head_that_is_not_one_is_located(use_database: str, tmp_path: Path) -> None:
    kept = tmp_path / "kept.json"
    kept.write_text('{"tree_size": "many"}')
    result = runner.invoke(app, ["audit", "verify", "--against", str(kept)])
    assert result.exit_code == 2
    assert f"{kept}:1: not a signed tree head: tree_size" in result.stderr
