"""The small election with a district list contest: constituency 1 elects four members from
party lists by D'Hondt above an 8 % district threshold (blank votes in its base), beside
constituency 2's single-member contest; its polling day through the real API. Shared by the
service, export and web tests of district list contests."""

from __future__ import annotations

from pathlib import Path

from tallyroom.domain.protocol import ProtocolFigures
from tests.list_election import small_election_with_seats, with_list
from tests.polled_election import counted_figures
from tests.station_client import Api, good_figures, protocol

#: the district list contest's id, as its stations' documents name it
DISTRICT = "constituency-1"


def district_list_folder(
    tmp_path: Path,
    *,
    seats: int,
    positions: dict[str, str],
    candidates: list[str],
    contests: str,
    election_yaml: str = "",
) -> Path:
    """The small election with district list contests: `seats` in all, the fixture's
    candidates at their ballot `positions` ("" for none) and the list `candidates` rows added,
    `contests` as contests.csv's rows and `election_yaml` appended to election.yaml."""
    folder = small_election_with_seats(tmp_path, seats)
    with (folder / "election.yaml").open("a", encoding="utf-8") as election:
        election.write(election_yaml)
    candidates_file = folder / "candidates.csv"
    lines = candidates_file.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",ballot_position"]
    rows += [f"{line},{positions[line.split(',')[0]]}" for line in lines[1:]]
    candidates_file.write_text("\n".join(rows + candidates) + "\n", encoding="utf-8")
    (folder / "contests.csv").write_text(
        "constituency,kind,seats,threshold_percent,threshold_counts_blank\n" + contests,
        encoding="utf-8",
    )
    return folder


def district_election_folder(tmp_path: Path) -> Path:
    """Constituency 1 as a district list contest of four seats (lists: YAP C001, C007;
    REAL C008, C002 by ballot position; MUS C009), constituency 2 as before: five seats."""
    return district_list_folder(
        tmp_path,
        seats=5,
        positions={"C001": "1", "C002": "2", "C003": "", "C004": "", "C005": "", "C006": ""},
        candidates=[
            "C007,1,Kamran Rzayev,party,YAP,registered,2",
            "C008,1,Günel Səfərova,party,REAL,registered,1",
            "C009,1,Orxan İsmayılov,party,MUS,registered,1",
        ],
        contests="1,dhondt,4,8,yes\n",
    )


def district_protocol(station: str, figures_: ProtocolFigures) -> dict[str, object]:
    """A district list station's document: format 2, naming its contest (its rules judge the
    party votes, not the sheet's candidate figures)."""
    document = protocol(station, 1, figures_)
    document |= {"format": 2, "contest": DISTRICT, "photo_sha256": None}
    return document


def poll_district(api: Api) -> None:
    """District list votes: YAP 700, REAL 560, MUS 95 (blank 0): the 8 % line is 108.4, so
    MUS is under it; the candidates' votes (001-0001's matched to its party votes), and
    constituency 2, as in the small election."""
    counted = counted_figures()
    documents = [
        district_protocol(
            "001-0001",
            with_list(good_figures({"C001": 400, "C002": 250, "C003": 60}), 400, 250, 60),
        ),
        district_protocol("001-0002", with_list(counted["001-0002"], 250, 270, 30)),
        district_protocol("001-0003", with_list(counted["001-0003"], 50, 40, 5)),
        protocol("002-0001", 1, counted["002-0001"]),
    ]
    for document in documents:
        response = api.submit(document)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "accepted", response.text
