"""The small election with constituency 2's contest tied (C004 and C005, 225 votes each at its
one station), under a tie rule named in election.yaml and, for the age rules, the candidates'
birth dates in candidates.csv. Shared by the service, API and CLI tests of ties."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.polled_election import figures
from tests.station_client import Api, protocol

FIXTURES = Path(__file__).parent / "fixtures"
#: constituency 2's seat as the tally and the lot name it
TIED_SEAT = "constituency-2 seat 1"
#: C004 is the older: born 1961; C005 1975
BIRTH_DATES = {"C004": "1961-04-02", "C005": "1975-11-30"}


def tied_election_folder(
    tmp_path: Path, tie_rule: str | None, birth_dates: dict[str, str] | None = None
) -> Path:
    folder = tmp_path / "small-election"
    shutil.copytree(FIXTURES / "small-election", folder)
    if tie_rule is not None:
        path = folder / "election.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "    seats_per_constituency: 1\n",
                f"    seats_per_constituency: 1\n    tie_rule: {tie_rule}\n",
            ),
            encoding="utf-8",
        )
    if birth_dates is not None:
        candidates = folder / "candidates.csv"
        lines = candidates.read_text(encoding="utf-8").splitlines()
        rows = [lines[0] + ",birth_date"]
        rows += [f"{line},{birth_dates.get(line.split(',')[0], '')}" for line in lines[1:]]
        candidates.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def poll_tie(api: Api) -> None:
    """Constituency 2's one station: C004 225, C005 225 (its count is then complete)."""
    response = api.submit(
        protocol(
            "002-0001",
            1,
            figures(
                {"C004": 225, "C005": 225},
                registered=600,
                issued_in_station=450,
                portable=10,
                invalid=10,
            ),
        )
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "accepted", response.text
