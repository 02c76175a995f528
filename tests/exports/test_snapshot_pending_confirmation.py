"""A snapshot taken while a decision awaits its second person (four-eyes): the protocol is
published "pending confirmation", not flagged and not counted, in its history, the open
data's stations.json and stations.csv; `verify` accepts it, and catches it claimed of a
counted version."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.results.publication import gather_publication
from tallyroom.store.database import transaction
from tests.commission_console import flagged_protocol, give_commission_key, set_four_eyes
from tests.exports.test_snapshot import read_json, rewrite
from tests.station_client import Api

PUBLISHED_AT = datetime(2024, 9, 1, 21, 0, tzinfo=UTC)


def test_a_protocol_awaiting_confirmation_is_published_pending(api: Api, tmp_path: Path) -> None:
    give_commission_key(api)
    set_four_eyes(api, "accept")
    assert api.submit(flagged_protocol("001-0001")).json()["status"] == "flagged"
    assert api.submit(flagged_protocol("001-0002")).json()["status"] == "flagged"
    proposed = api.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision",
        json={"decision": "accept", "reason": "checked against the paper copy"},
        headers=api.commission,
    )
    assert proposed.status_code == 202, proposed.text
    with transaction(api.sessions) as session:
        publication = gather_publication(session, now=PUBLISHED_AT)
    folder = write_snapshot(publication, tmp_path / "published").folder
    assert verify_snapshot(folder).problems == []

    history = read_json(folder, "protocol-versions/001-0001.json")
    assert [v["standing"] for v in history["versions"]] == ["pending_confirmation"]
    assert [
        v["standing"] for v in read_json(folder, "protocol-versions/001-0002.json")["versions"]
    ] == ["flagged"]
    stations = {s["code"]: s for s in read_json(folder, "open-data/stations.json")}
    assert (stations["001-0001"]["status"], stations["001-0001"]["reported"]) == (
        "pending_confirmation",
        False,
    )
    assert stations["001-0002"]["status"] == "flagged"
    assert stations["001-0003"]["status"] == "not_reported"
    rows = csv.DictReader(
        io.StringIO((folder / "open-data/stations.csv").read_text(encoding="utf-8-sig"))
    )
    by_code = {row["station"]: row["status"] for row in rows}
    assert by_code["001-0001"] == "pending_confirmation"
    assert by_code["001-0002"] == "flagged"

    # Claimed of a version that is not flagged, it is caught.
    edited = read_json(folder, "protocol-versions/001-0001.json")
    edited["versions"][0]["status"] = "accepted"
    rewrite(folder, "protocol-versions/001-0001.json", edited, update_manifest=True)
    problems = verify_snapshot(folder).problems
    assert any("published pending_confirmation" in problem for problem in problems), problems
