"""`--snapshot DIR`: the published protocols give the same stations as the database, and a
protocol whose signature fails is left out and named."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.forensics.input_error import ForensicsInputError
from tallyroom.forensics.snapshot_import import snapshot_station_results
from tallyroom.service.results.publication import gather_publication
from tallyroom.service.results.station_results_view import station_results_of_election
from tallyroom.store.database import transaction
from tests.polled_election import poll_small_election
from tests.station_client import Api


@pytest.fixture
def snapshot(api: Api, tmp_path: pathlib.Path) -> pathlib.Path:
    poll_small_election(api)
    with transaction(api.sessions) as session:
        publication = gather_publication(session)
    return write_snapshot(publication, tmp_path / "published").folder


def test_snapshot_gives_the_stations_the_database_gives(api: Api, snapshot: pathlib.Path) -> None:
    published = snapshot_station_results(snapshot)
    assert published.left_out == ()
    with api.sessions() as session:
        stored = station_results_of_election(session)
    assert published.results.station_ids.tolist() == [
        "001-0001",
        "001-0002",
        "001-0003",
        "002-0001",
    ]
    for field in dataclasses.fields(stored):
        if field.name in ("last_turnout_report",):
            continue  # hourly reports are not published per station
        left, right = getattr(published.results, field.name), getattr(stored, field.name)
        if isinstance(left, np.ndarray):
            assert np.array_equal(left, right), field.name
        else:
            assert left == right, field.name
    assert published.results.last_turnout_report is None


def test_an_altered_protocol_is_left_out_and_named(snapshot: pathlib.Path) -> None:
    altered = snapshot.parent / "altered"
    shutil.copytree(snapshot, altered)
    path = altered / "protocols" / "001-0002.json"
    entry = json.loads(path.read_text(encoding="utf-8"))
    entry["protocol"]["figures"]["votes"]["C001"] += 100
    path.write_text(json.dumps(entry), encoding="utf-8")
    published = snapshot_station_results(altered)
    assert "001-0002" not in published.results.station_ids.tolist()
    assert len(published.left_out) == 1
    assert "signature does not verify" in published.left_out[0]


def test_forensics_command_on_a_snapshot(snapshot: pathlib.Path, tmp_path: pathlib.Path) -> None:
    html = tmp_path / "report.html"
    outcome = CliRunner().invoke(
        app, ["forensics", "--snapshot", str(snapshot), "--json", "--html", str(html)]
    )
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.output)
    assert document["stations"] == 4
    assert document["leader_scope"] == "constituency"
    assert document["turnout_jump"] is None
    assert "<svg" in html.read_text(encoding="utf-8")


def test_a_folder_that_is_no_snapshot_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ForensicsInputError) as raised:
        snapshot_station_results(tmp_path)
    assert raised.value.field == "--snapshot"
    outcome = CliRunner().invoke(app, ["forensics", "--snapshot", str(tmp_path)])
    assert outcome.exit_code == 2
    assert "not a snapshot" in outcome.output
