"""A snapshot records the signed tree heads it follows and the log's leaves; `verify
--head` proves the published log extends a head a reader kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.audit import audit_tree
from tallyroom.service.results.publication import gather_publication
from tallyroom.store.database import transaction
from tests.history_rewrite import rewrite_history
from tests.polled_election import poll_small_election
from tests.station_client import Api

runner = CliRunner()


def test_a_snapshot_follows_its_signed_heads_and_extends_a_kept_one(
    api: Api, tmp_path: Path
) -> None:
    with transaction(api.sessions) as session:
        key = audit_tree.create_tree_head_key(session, actor="commission")
    with transaction(api.sessions) as session:
        kept = audit_tree.sign_tree_head(session, key)
    assert kept is not None
    kept_file = tmp_path / "kept.json"
    kept_file.write_text(json.dumps(kept.as_json()))
    poll_small_election(api)
    with transaction(api.sessions) as session:
        latest = audit_tree.sign_tree_head(session, key)
        publication = gather_publication(session, now=datetime(2024, 9, 1, 21, tzinfo=UTC))
    folder = write_snapshot(publication, tmp_path / "published").folder
    heads = json.loads((folder / "audit/tree-heads.json").read_text())
    assert [head["tree_size"] for head in heads["heads"]] == [kept.tree_size, latest.tree_size]
    assert heads["keys"] == [kept.key]
    assert verify_snapshot(folder, kept_head=kept).problems == []
    verified = runner.invoke(app, ["verify", str(folder), "--head", str(kept_file)])
    assert verified.exit_code == 0, verified.output

    # A forger regenerates the whole snapshot from a rewritten log, with a key of their own.
    rewrite_history(api.sessions, sequence=2)
    with transaction(api.sessions) as session:
        forger_key = audit_tree.create_tree_head_key(session, actor="forger")
        audit_tree.sign_tree_head(session, forger_key)
        forged = gather_publication(session, now=datetime(2024, 9, 1, 22, tzinfo=UTC))
    forged = forged.__class__(
        **{
            **{name: getattr(forged, name) for name in forged.__dataclass_fields__},
            "tree_head_keys": forged.tree_head_keys[1:],
        }
    )
    forged_folder = write_snapshot(forged, tmp_path / "forged").folder
    assert verify_snapshot(forged_folder).problems == []
    problems = verify_snapshot(forged_folder, kept_head=kept).problems
    assert any("history was rewritten" in problem for problem in problems), problems
    assert any("commission's key was replaced" in problem for problem in problems), problems
    refused = runner.invoke(app, ["verify", str(forged_folder), "--head", str(kept_file)])
    assert refused.exit_code == 1
