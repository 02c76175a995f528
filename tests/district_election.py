"""The small election with a district list contest: constituency 1 elects four members from
party lists by D'Hondt above an 8 % district threshold (blank votes in its base), beside
constituency 2's single-member contest; its polling day through the real API. Shared by the
service, export and web tests of district list contests."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from tallyroom.domain.protocol import ProtocolFigures
from tests.polled_election import figures
from tests.station_client import Api, good_figures, protocol

FIXTURES = Path(__file__).parent / "fixtures"
#: the district list contest's id, as its stations' documents name it
DISTRICT = "constituency-1"


def district_election_folder(tmp_path: Path) -> Path:
    """Constituency 1 as a district list contest of four seats (lists: YAP C001, C007;
    REAL C008, C002 by ballot position; MUS C009), constituency 2 as before: five seats."""
    folder = tmp_path / "small-election"
    shutil.copytree(FIXTURES / "small-election", folder)
    path = folder / "election.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("seats: 2\n", "seats: 5\n"), encoding="utf-8"
    )
    candidates = folder / "candidates.csv"
    lines = candidates.read_text(encoding="utf-8").splitlines()
    positions = {"C001": "1", "C002": "2", "C003": "", "C004": "", "C005": "", "C006": ""}
    rows = [lines[0] + ",ballot_position"]
    rows += [f"{line},{positions[line.split(',')[0]]}" for line in lines[1:]]
    rows += [
        "C007,1,Kamran Rzayev,party,YAP,registered,2",
        "C008,1,Günel Səfərova,party,REAL,registered,1",
        "C009,1,Orxan İsmayılov,party,MUS,registered,1",
    ]
    candidates.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "contests.csv").write_text(
        "constituency,kind,seats,threshold_percent,threshold_counts_blank\n1,dhondt,4,8,yes\n",
        encoding="utf-8",
    )
    return folder


def with_list(figures_: ProtocolFigures, yap: int, real: int, mus: int) -> ProtocolFigures:
    return replace(figures_, party_votes={"YAP": yap, "REAL": real, "MUS": mus})


def district_protocol(station: str, figures_: ProtocolFigures) -> dict[str, object]:
    """A district list station's document: format 2, naming its contest (its rules judge the
    party votes, not the sheet's candidate figures)."""
    document = protocol(station, 1, figures_)
    document |= {"format": 2, "contest": DISTRICT, "photo_sha256": None}
    return document


def poll_district(api: Api) -> None:
    """District list votes: YAP 700, REAL 560, MUS 95 (blank 0): the 8 % line is 108.4, so
    MUS is under it; constituency 2 as in the small election."""
    documents = [
        district_protocol(
            "001-0001",
            with_list(good_figures({"C001": 400, "C002": 250, "C003": 60}), 400, 250, 60),
        ),
        district_protocol(
            "001-0002",
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
        district_protocol(
            "001-0003",
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
        protocol(
            "002-0001",
            1,
            figures(
                {"C004": 300, "C005": 150},
                registered=600,
                added=5,
                issued_in_station=470,
                portable=10,
                invalid=15,
            ),
        ),
    ]
    for document in documents:
        response = api.submit(document)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "accepted", response.text
