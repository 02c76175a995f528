"""Leveling seats in an election (tests/leveling_election.py: two Sainte-Laguë districts, one
leveling seat each above a 16 % national line): the definition keeps them, the seat tally
counts them from the counted protocols (leading, then won once every district station is
counted), results JSON names each one, and `tallyroom verify` re-derives them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from tallyroom.cli.results_commands import seats_table
from tallyroom.definition.reader import read_definition
from tallyroom.domain.seat_status import SeatStatus
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_layout import constituency_page_path
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.results.publication import gather_publication
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.results_json import national_json
from tallyroom.store.database import transaction
from tests.leveling_election import (
    EXPECTED_HOLDERS,
    EXPECTED_LEVELING,
    leveling_election_folder,
    poll_leveling,
)
from tests.station_client import Api


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return leveling_election_folder(tmp_path)


def test_the_definition_keeps_its_leveling_seats(api: Api, small_election: Path) -> None:
    with transaction(api.sessions) as session:
        stored = stored_definition(session)
    defined = read_definition(small_election).election.leveling
    assert defined is not None
    assert defined.seats_per_district == 1
    assert stored.election.leveling == defined


def test_leveling_seats_come_from_the_counted_protocols(api: Api) -> None:
    with transaction(api.sessions) as session:
        before = build_national_results(session)
    assert before.leveling is not None
    assert before.leveling.status is None
    assert before.leveling.placed == ()
    # district 2 and two of district 1's three stations: the seats lead, none is won
    poll_leveling(api, ("001-0001", "001-0002", "002-0001"))
    with transaction(api.sessions) as session:
        leading = build_national_results(session)
    assert leading.leveling is not None
    assert leading.leveling.status is SeatStatus.LEADING
    assert leading.seats_won == sum(
        len(c.seat_holders) for c in leading.constituencies if c.count_complete
    )
    poll_leveling(api, ("001-0003",))
    with transaction(api.sessions) as session:
        results = build_national_results(session)
    leveling = results.leveling
    assert leveling is not None
    assert leveling.status is SeatStatus.WON
    assert leveling.national_votes == {"YAP": 840, "REAL": 340, "MUS": 220}
    assert leveling.threshold_votes == 224
    assert leveling.passing == frozenset({"YAP", "REAL"})
    assert [(s.district, s.party, s.candidate) for s in leveling.placed] == list(EXPECTED_LEVELING)
    assert leveling.national_seats() == [("YAP", 3, 1), ("REAL", 1, 1), ("MUS", 1, 0)]
    # the seat tally holds every seat, leveling included, all won
    by_party = {group.party: (group.seats, group.won) for group in results.seats}
    assert by_party == {"YAP": (4, 4), "REAL": (2, 2), "MUS": (1, 1)}
    assert results.seats_won == results.seats_total == 7
    document = national_json(results)
    holders = {
        c["number"]: {h["candidate"] for h in c["district_list"]["seat_holders"]}
        | {s["candidate"] for s in c["leveling_seats"]}
        for c in document["constituencies"]
    }
    assert holders == EXPECTED_HOLDERS
    assert document["leveling"]["placements"][0]["quotient"] == {
        "exact": "2/5",
        "decimal": "0.4000",
    }
    assert document["leveling"]["over_represented"] == []
    # `tallyroom results` names them under the parties' seats
    console = Console(width=200, record=True)
    console.print(seats_table(document))
    assert (
        "of which leveling seats (national threshold 16 %): YAP 1, REAL 1" in console.export_text()
    )


def test_published_leveling_seats_are_re_derived_by_verify(api: Api, tmp_path: Path) -> None:
    poll_leveling(api)
    with transaction(api.sessions) as session:
        results = national_json(build_national_results(session))
        publication = gather_publication(session, now=datetime(2024, 9, 1, 20, 30, tzinfo=UTC))
    assert results == publication.results
    snapshot = write_snapshot(publication, tmp_path / "published").folder
    assert verify_snapshot(snapshot).problems == []
    # open data: the leveling table with its quotients, the placements and national seats
    open_data = snapshot / "open-data"
    table = json.loads((open_data / "leveling-seats.json").read_text(encoding="utf-8"))
    assert table == results["leveling"]
    assert (open_data / "leveling-seats.csv").read_text(encoding="utf-8").splitlines() == [
        "order,constituency,party,candidate,quotient_exact,quotient,status",
        "1,2,YAP,C011,2/5,0.4000,won",
        "2,1,REAL,C008,3/10,0.3000,won",
    ]
    national = (open_data / "leveling-national-seats.csv").read_text(encoding="utf-8")
    assert national.splitlines()[1:] == [
        "YAP,840,yes,3,1",
        "REAL,340,yes,1,1",
        "MUS,220,no,1,0",
    ]
    # the site: seats by party with the leveling seats marked and the national line; each
    # district names its leveling seat
    index = (snapshot / "index.html").read_text(encoding="utf-8")
    assert "the line is <strong>224.0000</strong> votes" in index
    assert '<td class="n"><strong class="leveling">1</strong></td><td class="n">4</td>' in index
    assert "1. constituency 2, YAP (C011, quotient 0.4000)" in index
    page = (snapshot / constituency_page_path(2)).read_text(encoding="utf-8")
    assert "C011 (YAP, leveling seat 1, quotient 0.4000, won)" in page
    # a forged open-data placement is named as differing from the re-derived file
    csv_path = open_data / "leveling-seats.csv"
    honest = csv_path.read_bytes()
    csv_path.write_bytes(honest.replace(b"2,1,REAL,C008", b"2,1,MUS,C009"))
    assert any("leveling-seats.csv" in problem for problem in verify_snapshot(snapshot).problems)
    csv_path.write_bytes(honest)
    # a forger who moves a leveling seat to another party is named by the re-derivation
    path = snapshot / "results.json"
    forged = json.loads(path.read_text(encoding="utf-8"))
    forged["leveling"]["placements"][0]["party"] = "MUS"
    path.write_text(json.dumps(forged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert verify_snapshot(snapshot).problems != []
