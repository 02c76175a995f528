"""Reading the French Ministry of the Interior's round-1 results CSV (Latin-1, `;`, one row per
constituency with the candidates repeated across columns) for the two-round tests."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

CASES = Path(__file__).parent / "cases"
_FIXED_COLUMNS = 19
_CANDIDATE_COLUMNS = 9


@dataclass(frozen=True)
class FrenchConstituency:
    code: str
    registered: int
    valid_votes: int
    votes: dict[str, int]
    #: candidates the ministry marks "Elu"
    declared_elected: tuple[str, ...]


def read_round(
    path: Path = CASES / "france-legislatives-2022-round1.csv",
) -> list[FrenchConstituency]:
    with path.open(encoding="latin-1", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    constituencies = []
    for row in rows[1:]:
        code = f"{row[0]}-{row[2]}"
        votes: dict[str, int] = {}
        elected = []
        for start in range(_FIXED_COLUMNS, len(row) - _CANDIDATE_COLUMNS + 1, _CANDIDATE_COLUMNS):
            candidate = row[start : start + _CANDIDATE_COLUMNS]
            if not candidate[0]:
                continue
            name = f"{code}-{candidate[0]} {candidate[2]} {candidate[3]} ({candidate[4]})"
            votes[name] = int(candidate[5])
            if candidate[8].strip().lower() in {"elu", "élu"}:
                elected.append(name)
        constituencies.append(
            FrenchConstituency(code, int(row[5]), int(row[16]), votes, tuple(elected))
        )
    return constituencies
