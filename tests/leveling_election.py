"""The small election with leveling seats: both constituencies district list contests by
Sainte-Laguë (3 and 2 ordinary seats) and one leveling seat each by the Norwegian rule above a
16 % national line, seven seats in all; its polling day through the real API. The allocation,
worked by hand:

- list votes: district 1 YAP 600, REAL 300, MUS 100 (1,000); district 2 YAP 240, REAL 40,
  MUS 120 (400); nationally YAP 840, REAL 340, MUS 220 of 1,400.
- ordinary seats (1, 3, 5 …): district 1 YAP 600, REAL 300, YAP 200 → YAP 2, REAL 1;
  district 2 YAP 240, MUS 120 → YAP 1, MUS 1.
- the 16 % line is 224 votes: MUS (220) is under it and keeps its one district seat only.
- national step, 7 − 1 = 6 seats between YAP and REAL: 840 Y, 340 R, 280 Y, 168 Y, 120 Y,
  113⅓ R → YAP 4, REAL 2; nobody over-represented; owed YAP 1, REAL 1.
- geographic step, quotient ÷ votes per ordinary seat (333⅓ in 1, 200 in 2): YAP in 2
  240/3/200 = 0.4, YAP in 1 600/5/333⅓ = 0.36, REAL in 1 300/3/333⅓ = 0.3, REAL in 2
  40/200 = 0.2 → YAP's seat in district 2 (C011), then REAL's in district 1 (C008).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tallyroom.domain.protocol import ProtocolFigures
from tests.district_election import district_list_folder
from tests.polled_election import figures
from tests.station_client import Api, protocol

#: the leveling declaration as election.yaml carries it
LEVELING_YAML = (
    "  leveling:\n"
    "    rule: norway\n"
    "    seats_per_district: 1\n"
    "    method: sainte-lague\n"
    "    threshold:\n"
    '      percent: "16"\n'
    "      base: party_votes\n"
)
#: (district, party, candidate) of each leveling seat, in the order placed
EXPECTED_LEVELING = (("2", "YAP", "C011"), ("1", "REAL", "C008"))
#: every seat holder: district ordinary seats and leveling seats
EXPECTED_HOLDERS = {
    1: {"C001", "C007", "C002", "C008"},
    2: {"C010", "C005", "C011"},
}


def leveling_election_folder(tmp_path: Path) -> Path:
    """The small election as two Sainte-Laguë districts with a leveling seat each."""
    return district_list_folder(
        tmp_path,
        seats=7,
        positions={"C001": "1", "C002": "1", "C003": "", "C004": "", "C005": "1", "C006": ""},
        candidates=[
            "C007,1,Kamran Rzayev,party,YAP,registered,2",
            "C008,1,Günel Səfərova,party,REAL,registered,2",
            "C009,1,Orxan İsmayılov,party,MUS,registered,1",
            "C010,2,Aynur Quliyeva,party,YAP,registered,1",
            "C011,2,Elçin Nağıyev,party,YAP,registered,2",
            "C012,2,Fərid Abbasov,party,REAL,registered,1",
        ],
        contests="1,sainte-lague,3,0,no\n2,sainte-lague,2,0,no\n",
        election_yaml=LEVELING_YAML,
    )


_LIST_CANDIDATES = {"001": ("C007", "C008", "C009"), "002": ("C010", "C011", "C012")}


def leveling_protocol(
    station: str, figures_: ProtocolFigures, yap: int, real: int, mus: int
) -> dict[str, object]:
    """A district list station's document (format 2, naming its contest) with its list votes;
    the list candidates added to the sheet have none of the candidate votes."""
    district = station.split("-")[0]
    votes = dict(figures_.votes) | dict.fromkeys(_LIST_CANDIDATES[district], 0)
    figures_ = replace(figures_, votes=votes, party_votes={"YAP": yap, "REAL": real, "MUS": mus})
    document = protocol(station, 1, figures_)
    document |= {
        "format": 2,
        "contest": f"constituency-{int(district)}",
        "photo_sha256": None,
    }
    return document


def leveling_documents() -> dict[str, dict[str, object]]:
    """The four stations' documents, by station code (list votes as in the module's text; the
    candidate votes add up to them, as a district list protocol is judged by its party votes)."""
    return {
        "001-0001": leveling_protocol(
            "001-0001",
            figures(
                {"C001": 400, "C002": 200, "C003": 60},
                registered=1200,
                issued_in_station=740,
                portable=20,
                invalid=10,
            ),
            400,
            200,
            60,
        ),
        "001-0002": leveling_protocol(
            "001-0002",
            figures(
                {"C001": 150, "C002": 80, "C003": 30},
                registered=800,
                issued_in_station=560,
                portable=10,
                invalid=10,
            ),
            150,
            80,
            30,
        ),
        "001-0003": leveling_protocol(
            "001-0003",
            figures(
                {"C001": 50, "C002": 20, "C003": 10},
                registered=150,
                issued_in_station=100,
                portable=0,
                invalid=5,
            ),
            50,
            20,
            10,
        ),
        "002-0001": leveling_protocol(
            "002-0001",
            figures(
                {"C004": 240, "C005": 160},
                registered=600,
                added=5,
                issued_in_station=470,
                portable=10,
                invalid=15,
            ),
            240,
            40,
            120,
        ),
    }


def poll_leveling(api: Api, stations: tuple[str, ...] | None = None) -> None:
    """Submit the stations' documents (all four by default); each must be accepted."""
    documents = leveling_documents()
    for station in stations or tuple(documents):
        response = api.submit(documents[station])
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "accepted", response.text
