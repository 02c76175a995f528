"""A format 2 protocol in a snapshot must name its station's contest, even when signed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.results.publication import gather_publication
from tallyroom.store.database import transaction
from tests.exports.test_snapshot import read_json, rewrite
from tests.polled_election import poll_small_election
from tests.station_client import Api


def test_a_signed_protocol_naming_another_contest_is_named(api: Api, tmp_path: Path) -> None:
    poll_small_election(api)
    with transaction(api.sessions) as session:
        publication = gather_publication(session, now=datetime(2024, 9, 1, 20, 30, tzinfo=UTC))
    snapshot = write_snapshot(publication, tmp_path / "published").folder
    path = "protocols/001-0001.json"
    entry = read_json(snapshot, path)
    # The station's own key signs it (a station's software gone wrong, or its key misused).
    document = entry["protocol"] | {"format": 2, "contest": "constituency-2"}
    key = load_private_key(api.credentials.stations["001-0001"][2])
    entry["protocol"] = document
    entry["signature"] = sign_document(document, key)
    rewrite(snapshot, path, entry, update_manifest=True)
    problems = verify_snapshot(snapshot).problems
    assert problems[0] == (
        "protocols/001-0001.json: station 001-0001: the signed protocol says contest "
        "'constituency-2' (expected 'constituency-1')"
    )
