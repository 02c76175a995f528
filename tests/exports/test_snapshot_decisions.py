"""A snapshot of an election with an annulled station and rejected and superseded versions:
the annulled protocol and the decision are published and left out of the count, and `verify`
catches a snapshot edited to count the station or to drop or alter the decision."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_manifest import file_digest
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.results.publication import gather_publication
from tallyroom.service.results.results_columns import CONSTITUENCY_STANDING_COLUMNS
from tallyroom.store.database import transaction
from tests.exports.test_snapshot import read_json, rewrite
from tests.polled_election import (
    ANNULMENT_REASON,
    REJECTION_REASON,
    annul_and_reject,
    poll_small_election,
)
from tests.station_client import Api

PUBLISHED_AT = datetime(2024, 9, 1, 21, 0, tzinfo=UTC)


@pytest.fixture
def snapshot(api: Api, tmp_path: Path) -> Path:
    poll_small_election(api)
    annul_and_reject(api)
    with transaction(api.sessions) as session:
        publication = gather_publication(session, now=PUBLISHED_AT)
    return write_snapshot(publication, tmp_path / "published").folder


def add_to_manifest(folder: Path, path: str) -> None:
    manifest = read_json(folder, "manifest.json")
    manifest["files"].append(
        {
            "path": path,
            "sha256": file_digest(folder / path),
            "size": (folder / path).stat().st_size,
        }
    )
    manifest["files"].sort(key=lambda entry: entry["path"])
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def test_the_annulled_protocol_and_decision_are_published_and_not_counted(
    snapshot: Path,
) -> None:
    report = verify_snapshot(snapshot)
    assert report.problems == []
    assert not (snapshot / "protocols/001-0002.json").exists()
    history = read_json(snapshot, "protocol-versions/001-0002.json")
    assert [(v["version"], v["standing"]) for v in history["versions"]] == [(1, "annulled")]
    assert history["versions"][0]["protocol"]["figures"]["ballots_cast"] == 560
    assert len(history["versions"][0]["signature"]) == 128
    decision = read_json(snapshot, "decisions.json")["stations"]["001-0002"]
    assert [(d["kind"], d["reason"]) for d in decision] == [("annulled", ANNULMENT_REASON)]
    assert decision[0]["audit_entry"]["action"] == "station.annulled"
    assert decision[0]["decided_at"].startswith("20")
    results = read_json(snapshot, "results.json")
    first = results["constituencies"][0]
    # 001-0002's 200 / 300 / 50 are out: 650-200, 590-300, 155-50.
    assert {c["code"]: c["votes"] for c in first["candidates"]} == {
        "C001": 450,
        "C002": 290,
        "C003": 105,
    }
    assert (first["stations_reporting"], first["stations_annulled"]) == (2, 1)
    assert first["ballots_annulled"] == 560
    assert (results["stations_reporting"], results["stations_annulled"]) == (3, 1)


def test_open_data_says_each_stations_status(snapshot: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((snapshot / "open-data/stations.csv").read_text())))
    statuses = {row["station"]: row["status"] for row in rows}
    assert statuses == {
        "001-0001": "counted",
        "001-0002": "annulled",
        "001-0003": "counted",
        "002-0001": "counted",
    }
    annulled = [row for row in rows if row["station"] == "001-0002"]
    assert all(row["reported"] == "no" and row["votes"] == "" for row in annulled)
    documents = read_json(snapshot, "open-data/stations.json")
    assert {d["code"]: d["status"] for d in documents}["001-0002"] == "annulled"


def test_open_data_counts_the_annulled_stations_as_the_site_does(snapshot: Path) -> None:
    [nation] = csv.DictReader(io.StringIO((snapshot / "open-data/nation.csv").read_text()))
    assert (nation["stations_reporting"], nation["stations_annulled"]) == ("3", "1")
    assert nation["ballots_annulled"] == "560"
    rows = csv.DictReader(io.StringIO((snapshot / "open-data/constituencies.csv").read_text()))
    first = next(row for row in rows if row["constituency"] == "1")
    assert {column: first[column] for column in CONSTITUENCY_STANDING_COLUMNS} == {
        "stations_annulled": "1",
        "ballots_annulled": "560",
        "count_complete": "yes",
        "seat_status": "won",
        "too_close_to_call": "no",
    }
    assert verify_snapshot(snapshot).agrees


def test_rejected_and_superseded_versions_are_published(snapshot: Path) -> None:
    rejected = read_json(snapshot, "protocol-versions/002-0001.json")["versions"]
    assert [(v["version"], v["standing"]) for v in rejected] == [(1, "counted"), (2, "rejected")]
    assert rejected[1]["decision_reason"] == REJECTION_REASON
    assert rejected[1]["decided_at"] is not None
    assert "cast_exceeds_issued" in rejected[1]["reasons"]
    amended = read_json(snapshot, "protocol-versions/001-0003.json")["versions"]
    assert [(v["version"], v["standing"]) for v in amended] == [(1, "superseded"), (2, "counted")]
    assert not (snapshot / "protocol-versions/001-0001.json").exists()


def test_verify_fails_when_the_annulled_protocol_is_counted(snapshot: Path) -> None:
    version = read_json(snapshot, "protocol-versions/001-0002.json")["versions"][0]
    counted = {key: version[key] for key in ("version", "protocol", "signature", "public_key")}
    (snapshot / "protocols/001-0002.json").write_text(
        json.dumps({"station": "001-0002", **counted}, indent=2) + "\n"
    )
    add_to_manifest(snapshot, "protocols/001-0002.json")
    problems = verify_snapshot(snapshot).problems
    assert (
        "protocols/001-0002.json: station 001-0002: its result was annulled by decision "
        "(decisions.json) but its protocol is counted"
    ) in problems


def test_verify_fails_when_the_decision_is_dropped(snapshot: Path) -> None:
    decisions = read_json(snapshot, "decisions.json")
    del decisions["stations"]["001-0002"]
    rewrite(snapshot, "decisions.json", decisions, update_manifest=True)
    problems = verify_snapshot(snapshot).problems
    assert (
        "protocol-versions/001-0002.json: station 001-0002 version 1: published as annulled, "
        "but decisions.json holds no annulment of the station"
    ) in problems
    assert any(
        p.startswith("results.json: constituencies[number=1].stations_annulled") for p in problems
    )


def test_verify_fails_when_the_decision_is_altered(snapshot: Path) -> None:
    decisions = read_json(snapshot, "decisions.json")
    decisions["stations"]["001-0002"][0]["reason"] = "No reason given"
    rewrite(snapshot, "decisions.json", decisions, update_manifest=True)
    problems = verify_snapshot(snapshot).problems
    assert any(
        p.startswith(
            "decisions.json: station 001-0002: decision 1: published as annulled for "
            "'No reason given', but the audit entry records station.annulled for "
            f"'{ANNULMENT_REASON}'"
        )
        for p in problems
    ), problems
    decisions["stations"]["001-0002"][0]["audit_entry"]["payload"]["reason"] = "No reason given"
    rewrite(snapshot, "decisions.json", decisions, update_manifest=True)
    problems = verify_snapshot(snapshot).problems
    assert (
        "decisions.json: station 001-0002: decision 1 (annulled): the audit entry's hash is "
        "not its content's (altered after it was recorded)"
    ) in problems


def test_the_static_site_shows_the_annulled_station(snapshot: Path) -> None:
    index = (snapshot / "index.html").read_text()
    assert "polling stations 1, their ballots 560" in index
    page = (snapshot / "constituencies/001.html").read_text()
    assert "annulled by decision: 1 (560 ballots, in no total)" in page
    assert '<a href="../protocol-versions/001-0002.json">annulled</a>' in page
