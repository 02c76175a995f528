"""The synthetic register: every station's count, the published figures, unique ids."""

from __future__ import annotations

from collections import Counter
from datetime import date

from tallyroom.domain.voter import age_on
from tallyroom.scenarios.az_2024 import build_definition
from tallyroom.scenarios.voter_register import (
    PREVIOUS_NATIONAL_ELECTION,
    RegisterGenerator,
    StationRegister,
    check_birth_rules,
)

POLLING_DAY = date(2024, 9, 1)


def _stations() -> list[StationRegister]:
    return [
        StationRegister(s.code, s.registered_voters, s.turning_18)
        for s in build_definition(2024).stations
    ]


def test_the_first_stations_match_the_definition_and_the_figures_split() -> None:
    stations = _stations()
    generator = RegisterGenerator(stations, polling_day=POLLING_DAY, limit_stations=60)
    # the split over every station is drawn first: it adds up to the published figure
    assert int(generator._first_time.sum()) + 374 == 51_141
    rows = [row for chunk in generator.chunks() for row in chunk]
    per_station = Counter(row[7] for row in rows)
    assert per_station == {s.code: s.registered_voters for s in stations[:60]}
    assert len({row[0] for row in rows}) == len(rows)
    births = [date.fromisoformat(row[5]) for row in rows]
    turning, first = check_birth_rules(births, POLLING_DAY, PREVIOUS_NATIONAL_ELECTION)
    assert turning == sum(s.turning_18 for s in stations[:60])
    assert first == turning + int(generator._first_time[:60].sum())
    women = [age_on(b, POLLING_DAY) for b, row in zip(births, rows, strict=True) if row[4] == "F"]
    men = [age_on(b, POLLING_DAY) for b, row in zip(births, rows, strict=True) if row[4] == "M"]
    assert (max(women), max(men)) == (134, 109)
    assert sorted(women)[-2] < 110


def test_the_same_seed_gives_the_same_register() -> None:
    stations = _stations()[:5]
    first = [r for c in RegisterGenerator(stations, polling_day=POLLING_DAY).chunks() for r in c]
    again = [r for c in RegisterGenerator(stations, polling_day=POLLING_DAY).chunks() for r in c]
    assert first == again
