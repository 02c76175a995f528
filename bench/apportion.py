"""Apportionment benchmark: a Germany-sized problem (630 seats, 16 Länder, 299 constituency
winners, the 2023 law with the three-constituency clause) allocated in process, against a
reference measured in the same run: plain D'Hondt of the same national votes over 630 seats."""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from tallyroom.domain.electoral_systems.apportionment import apportion
from tallyroom.domain.electoral_systems.apportionment_problem import read_problem
from tallyroom.domain.electoral_systems.divisor_methods import DHONDT, allocate_by_divisors

# Second-vote electorate (millions, roughly) and constituencies of each Land, 2025 figures.
LANDS = {
    "SH": (2.2, 11),
    "HH": (1.3, 6),
    "NI": (6.1, 30),
    "HB": (0.5, 2),
    "NW": (12.9, 64),
    "HE": (4.4, 22),
    "RP": (3.0, 15),
    "BW": (7.7, 38),
    "BY": (9.4, 47),
    "SL": (0.7, 4),
    "BE": (2.4, 12),
    "BB": (2.1, 10),
    "MV": (1.3, 6),
    "SN": (3.2, 16),
    "ST": (1.7, 8),
    "TH": (1.7, 8),
}
# National shares (percent); CSU stands only in Bavaria, CDU everywhere else.
SHARES = {
    "CDU": 22.6,
    "CSU": 6.0,
    "AFD": 20.8,
    "SPD": 16.4,
    "GRUENE": 11.6,
    "LINKE": 8.8,
    "BSW": 4.97,
    "FDP": 4.3,
    "FW": 1.5,
    "SSW": 0.2,
    "OTHERS": 2.87,
}


def germany_sized_problem(seed: int = 2025) -> dict[str, Any]:
    chance = random.Random(seed)
    districts = []
    winners = []
    number = 0
    for land, (electorate, constituencies) in LANDS.items():
        votes: dict[str, int] = {}
        for party, share in SHARES.items():
            if (party == "CSU") != (land == "BY") and party in {"CDU", "CSU"}:
                continue
            if party == "SSW" and land != "SH":
                continue
            # Land shares: the CSU's 6 % nationally is about 37 % in Bavaria, the SSW's
            # 0.2 % about 3 % in Schleswig-Holstein.
            weight = {"CSU": 37.0, "SSW": 3.0}.get(party, share)
            votes[party] = int(electorate * 1e6 * weight / 100 * chance.uniform(0.7, 1.3))
        districts.append({"id": land, "votes": votes})
        leaders = sorted(votes, key=votes.__getitem__, reverse=True)[:3]
        for _ in range(constituencies):
            number += 1
            party = chance.choices(leaders, weights=[6, 3, 1])[0]
            valid = chance.randint(140_000, 220_000)
            winners.append(
                {
                    "constituency": str(number),
                    "district": land,
                    "party": party,
                    "votes": int(valid * chance.uniform(0.24, 0.5)),
                    "valid_votes": valid,
                }
            )
    assert number == 299
    return {
        "name": "germany-sized",
        "method": "sainte-lague",
        "threshold": {"percent": 5, "scope": "national", "waiver_constituency_seats": 3},
        "parties": {"SSW": {"threshold_exempt": True}},
        "compensatory": "winners_covered",
        "allocation": "national_then_districts",
        "house_size": 630,
        "constituency_winners": winners,
        "districts": districts,
    }


def _median_seconds(work: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    arguments = parser.parse_args()
    document = germany_sized_problem()
    problem = read_problem(document)
    national: dict[str, int] = {}
    for district in problem.districts:
        for party, count in district.votes.items():
            national[party] = national.get(party, 0) + count
    reference = _median_seconds(
        lambda: allocate_by_divisors(national, 630, DHONDT), arguments.repeat
    )
    whole = _median_seconds(lambda: apportion(read_problem(document)), arguments.repeat)
    allocation = _median_seconds(lambda: apportion(problem), arguments.repeat)
    result = apportion(problem)
    assert result.covered is not None
    print(
        f"reference, plain D'Hondt of the national votes over 630 seats: {reference * 1000:.1f} ms"
    )
    print(
        f"allocation (apportion), median of {arguments.repeat}: {allocation * 1000:.1f} ms "
        f"(target < 500 ms: {'met' if allocation < 0.5 else 'NOT met'}); "
        f"{allocation / reference:.1f}x the reference"
    )
    print(f"reading the problem and allocating: {whole * 1000:.1f} ms")
    print(
        f"seats {dict(result.seats)}; house {result.house}; allocations run "
        f"{len(result.allocations)}; winners seated {len(result.covered.seated)}, "
        f"not seated {len(result.covered.not_seated)}"
    )


if __name__ == "__main__":
    main()
