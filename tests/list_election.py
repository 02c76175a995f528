"""The small election as a parallel one (two constituencies + four national list seats), and
its polling day through the real API with party-list ballots. Shared by the service, export
and web tests of list contests."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from tallyroom.domain.protocol import ProtocolFigures
from tests.polled_election import counted_figures
from tests.station_client import Api, protocol

FIXTURES = Path(__file__).parent / "fixtures"


def small_election_with_seats(tmp_path: Path, seats: int) -> Path:
    """A copy of the small election whose assembly has `seats` members (list seats beside its
    constituencies' own)."""
    folder = tmp_path / "small-election"
    shutil.copytree(FIXTURES / "small-election", folder)
    path = folder / "election.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("seats: 2\n", f"seats: {seats}\n"),
        encoding="utf-8",
    )
    return folder


def list_election_folder(tmp_path: Path) -> Path:
    """A copy of the small election with four national list seats (Hare above 12 %) beside
    its two constituencies: six seats."""
    folder = small_election_with_seats(tmp_path, 6)
    with (folder / "election.yaml").open("a", encoding="utf-8") as election:
        election.write(
            "  list_contest:\n    code: national-list\n    seats: 4\n    method: hare\n"
            '    threshold_percent: "12"\n'
        )
    return folder


def with_list(figures_: ProtocolFigures, yap: int, real: int, mus: int) -> ProtocolFigures:
    return replace(figures_, party_votes={"YAP": yap, "REAL": real, "MUS": mus})


def poll_with_lists(api: Api) -> None:
    """List votes: YAP 1000, REAL 610, MUS 205 (11.3 %, under the 12 % line of 217.8); the
    candidates' votes as the small election's polling day counts them."""
    counted = counted_figures()
    station_figures = [
        ("001-0001", with_list(counted["001-0001"], 400, 280, 60)),
        ("001-0002", with_list(counted["001-0002"], 250, 270, 30)),
        ("001-0003", with_list(counted["001-0003"], 50, 40, 5)),
        ("002-0001", with_list(counted["002-0001"], 300, 20, 110)),
    ]
    for station, station_protocol in station_figures:
        response = api.submit(protocol(station, 1, station_protocol))
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "accepted", response.text
