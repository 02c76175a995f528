"""Per-station poll-book figures in a snapshot: published as JSON and CSV from the same rows
the station figures route serves, linked from the site's downloads, and re-checked by
`tallyroom verify`; the desks' keys are in keys.json apart from the signing keys."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_manifest import file_digest
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.register.poll_book_figures import station_figures
from tallyroom.service.results.publication import gather_publication
from tallyroom.store.database import transaction
from tests.service.test_audit_tamper import play_poll_book
from tests.station_client import Api

PUBLISHED_AT = datetime(2024, 9, 1, 21, 0, tzinfo=UTC)
FIGURES = "open-data/poll-book-stations.json"
TABLE = "open-data/poll-book-stations.csv"


@pytest.fixture
def snapshot(api: Api, tmp_path: Path) -> Path:
    play_poll_book(api)
    with transaction(api.sessions) as session:
        publication = gather_publication(session, now=PUBLISHED_AT)
    return write_snapshot(publication, tmp_path / "published").folder


def read_json(folder: Path, path: str) -> Any:
    return json.loads((folder / path).read_text(encoding="utf-8"))


def rewrite(folder: Path, path: str, content: bytes) -> None:
    """Change a file and its manifest entry, as a publisher who lies would."""
    (folder / path).write_bytes(content)
    manifest = read_json(folder, "manifest.json")
    for entry in manifest["files"]:
        if entry["path"] == path:
            entry["sha256"] = file_digest(folder / path)
            entry["size"] = len(content)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def test_the_figures_are_published_as_the_station_route_serves_them(
    api: Api, snapshot: Path
) -> None:
    assert verify_snapshot(snapshot).problems == []
    document = read_json(snapshot, FIGURES)
    rows = {row["station"]: row for row in document["stations"]}
    with transaction(api.sessions) as session:
        for code in ("001-0001", "001-0002"):
            served = station_figures(session, code)
            assert {k: v for k, v in rows[code].items() if k != "round"} == served
    # the played poll book: a certificate used at 001-0002, an addition and a double vote
    # from 001-0001's offline desk, one check-in from an enrolled desk
    assert rows["001-0001"]["additions"] == 1
    assert rows["001-0001"]["double_votes_recorded"] == 1
    assert rows["001-0002"]["absentee_certificates_in"] == 1
    assert document["totals"]["1"]["check_ins"] == sum(r["check_ins"] for r in rows.values())
    table = list(csv.DictReader(io.StringIO((snapshot / TABLE).read_text(encoding="utf-8"))))
    assert [(r["station"], int(r["check_ins"])) for r in table] == [
        (r["station"], r["check_ins"]) for r in document["stations"]
    ]
    index = (snapshot / "index.html").read_text(encoding="utf-8")
    assert 'href="open-data/poll-book-stations.csv"' in index


def test_keys_json_lists_the_desks_apart_with_their_purpose(snapshot: Path) -> None:
    keys = read_json(snapshot, "keys.json")
    desks = keys["poll_book_desks"]["001-0001"]
    assert [(d["device"], d["purpose"]) for d in desks] == [
        ("station-001-0001/pollbook-1", "poll_book"),
        ("station-001-0001/pollbook-2", "poll_book"),
    ]
    assert desks[0]["revoked_at"]
    assert desks[0]["fingerprint"]
    assert desks[1]["enrolled_at"]
    assert desks[1]["revoked_at"] is None
    assert {k["purpose"] for ks in keys["stations"].values() for k in ks} == {"signing_device"}
    # a desk key slipped in among the signing keys is named
    keys["stations"]["001-0001"].append(dict(desks[1]))
    rewrite(snapshot, "keys.json", (json.dumps(keys, indent=2) + "\n").encode())
    problems = verify_snapshot(snapshot).problems
    assert any("pollbook-2 key is also a signing key" in p for p in problems), problems


def test_verify_catches_altered_figures(snapshot: Path) -> None:
    document = read_json(snapshot, FIGURES)
    document["stations"][0]["check_ins"] += 5
    rewrite(snapshot, FIGURES, (json.dumps(document, indent=2) + "\n").encode())
    problems = verify_snapshot(snapshot).problems
    assert any("are not the stations' sums" in p for p in problems), problems
    assert any(f"{TABLE}: differs from the figures" in p for p in problems), problems


def test_verify_catches_figures_that_cannot_hold(snapshot: Path) -> None:
    document = read_json(snapshot, FIGURES)
    first = document["stations"][0]
    first["portable_check_ins"] = first["check_ins"] + 1
    first["registered_voters"] += 1
    document["stations"].append(dict(first, station="999-9999"))
    rewrite(snapshot, FIGURES, (json.dumps(document, indent=2) + "\n").encode())
    problems = verify_snapshot(snapshot).problems
    code = first["station"]
    assert any(f"station {code} round 1: portable_check_ins" in p for p in problems), problems
    assert any(f"station {code} round 1: registered_voters" in p for p in problems), problems
    assert any("station 999-9999 round 1: no such station" in p for p in problems), problems
