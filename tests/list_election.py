"""The small election as a parallel one (two constituencies + four national list seats), and
its polling day through the real API with party-list ballots. Shared by the service, export
and web tests of list contests."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from tallyroom.domain.protocol import ProtocolFigures
from tests.polled_election import figures
from tests.station_client import Api, good_figures, protocol

FIXTURES = Path(__file__).parent / "fixtures"


def list_election_folder(tmp_path: Path) -> Path:
    """A copy of the small election with four national list seats (Hare above 12 %) beside
    its two constituencies: six seats."""
    folder = tmp_path / "small-election"
    shutil.copytree(FIXTURES / "small-election", folder)
    path = folder / "election.yaml"
    text = path.read_text(encoding="utf-8").replace("seats: 2\n", "seats: 6\n")
    text += (
        "  list_contest:\n    code: national-list\n    seats: 4\n    method: hare\n"
        '    threshold_percent: "12"\n'
    )
    path.write_text(text, encoding="utf-8")
    return folder


def with_list(figures_: ProtocolFigures, yap: int, real: int, mus: int) -> ProtocolFigures:
    return replace(figures_, party_votes={"YAP": yap, "REAL": real, "MUS": mus})


def poll_with_lists(api: Api) -> None:
    """List votes: YAP 1000, REAL 610, MUS 205 (11.3 %, under the 12 % line of 217.8)."""
    station_figures = [
        ("001-0001", 1, with_list(good_figures(), 400, 280, 60)),
        (
            "001-0002",
            1,
            with_list(
                figures(
                    {"C001": 200, "C002": 300, "C003": 50},
                    registered=800,
                    issued_in_station=560,
                    portable=10,
                    invalid=10,
                ),
                250,
                270,
                30,
            ),
        ),
        (
            "001-0003",
            1,
            with_list(
                figures(
                    {"C001": 50, "C002": 40, "C003": 5},
                    registered=150,
                    issued_in_station=100,
                    portable=0,
                    invalid=5,
                ),
                50,
                40,
                5,
            ),
        ),
        (
            "002-0001",
            1,
            with_list(
                figures(
                    {"C004": 300, "C005": 150},
                    registered=600,
                    added=5,
                    issued_in_station=470,
                    portable=10,
                    invalid=15,
                ),
                300,
                20,
                110,
            ),
        ),
    ]
    for station, version, station_protocol in station_figures:
        response = api.submit(protocol(station, version, station_protocol))
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "accepted", response.text
