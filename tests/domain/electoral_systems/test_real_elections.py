"""The official outcome of every real election in the cases folder, reproduced exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tallyroom.domain.electoral_systems.apportionment import apportion
from tallyroom.domain.electoral_systems.apportionment_problem import read_problem
from tallyroom.domain.electoral_systems.two_round_majority import first_round
from tests.domain.electoral_systems.french_results import read_round

CASES = Path(__file__).parent / "cases"
PROBLEMS = sorted(p.name.removesuffix(".expected.json") for p in CASES.glob("*.expected.json"))


def _load(name: str) -> tuple[Any, Any]:
    problem = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    expected = json.loads((CASES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return problem, expected


def test_every_case_is_covered() -> None:
    # Any further case copied into the folder is tested by test_official_outcome as well.
    assert {"norway-2017", "nz-1999", "nz-2005", "poland-2019", "spain-1989"} <= set(PROBLEMS)


@pytest.mark.parametrize("name", PROBLEMS)
def test_official_outcome(name: str) -> None:
    document, expected = _load(name)
    result = apportion(read_problem(document))
    if "seats" in expected:
        assert dict(result.seats) == expected["seats"]
    if "districts" in expected:
        assert {d: dict(s) for d, s in result.districts.items()} == expected["districts"]
    if "leveling_seats" in expected:
        assert result.leveling_seats == expected["leveling_seats"]
    if "seated_constituency_winners" in expected:
        assert result.covered is not None
        assert list(result.covered.seated) == expected["seated_constituency_winners"]
    assert result.lots == ()


def test_spain_1989_counts_blank_votes_in_the_threshold_base() -> None:
    document, expected = _load("spain-1989")
    result = apportion(read_problem(document))
    # The base of every province's 3 % line is party votes plus blank votes.
    madrid = next(d for d in document["districts"] if d["id"] == "Madrid")
    assert (
        result.thresholds["Madrid"].base_votes
        == sum(madrid["votes"].values()) + madrid["blank_votes"]
    )
    assert sum(result.seats.values()) == 350
    assert expected["districts"]["Madrid"] == result.districts["Madrid"]


def test_poland_2019_threshold_coalition_and_minority() -> None:
    document, _ = _load("poland-2019")
    result = apportion(read_problem(document))
    national = result.thresholds["national"]
    minority = "KOMITET WYBORCZY WYBORCÓW MNIEJSZOŚĆ NIEMIECKA - ZPOW-601-15/19"
    coalition = "KOALICYJNY KOMITET WYBORCZY KOALICJA OBYWATELSKA PO .N IPL ZIELONI - ZPOW-601-6/19"
    assert national.standings[minority].value == "exempt"
    assert national.required_percent[coalition] == 8
    assert result.seats[minority] == 1
    assert sum(result.seats.values()) == 460


def test_norway_2017_parties_under_four_percent_keep_district_seats_only() -> None:
    document, _ = _load("norway-2017")
    result = apportion(read_problem(document))
    assert result.leveling is not None
    assert sum(result.seats.values()) == 169
    failing = result.thresholds["national"].failing
    assert {"RØDT", "MDG"} <= failing
    assert result.seats["RØDT"] == 1
    assert result.seats["MDG"] == 1
    assert not any(p in failing for seats in result.leveling_seats.values() for p in seats)


def test_new_zealand_2005_overhang_makes_a_house_of_121() -> None:
    document, _ = _load("nz-2005")
    result = apportion(read_problem(document))
    assert sum(result.seats.values()) == 121
    assert result.seats["mri"] == 4


def test_new_zealand_1999_electorate_waives_the_threshold() -> None:
    document, _ = _load("nz-1999")
    result = apportion(read_problem(document))
    assert result.thresholds["national"].standings["nzf"].value == "waived by constituency seats"
    assert result.seats["nzf"] == 5


def test_france_2022_round_one() -> None:
    constituencies = read_round()
    assert len(constituencies) == 577
    elected: list[str] = []
    short: list[str] = []
    for constituency in constituencies:
        outcome = first_round(
            constituency.votes,
            valid_votes=constituency.valid_votes,
            registered=constituency.registered,
            constituency=constituency.code,
        )
        if outcome.elected:
            elected.append(outcome.elected)
            assert outcome.runoff == ()
        else:
            assert len(outcome.runoff) >= 2
        short.extend(outcome.majority_short_of_registered)
        # A majority short of a quarter of the registered goes to round 2, first placed.
        for candidate in outcome.majority_short_of_registered:
            assert outcome.runoff[0] == candidate
        assert outcome.lots == ()
    declared = [name for c in constituencies for name in c.declared_elected]
    assert sorted(elected) == sorted(declared)
    assert len(elected) == 5
    assert len(short) == 9
