"""Import totals of the five real data sets equal those in ../shared/data/README.md."""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import numpy as np
import pytest

from tallyroom.domain.statistics.station_results import StationResults
from tallyroom.forensics.column_mapping import column_mapping_from_document
from tallyroom.forensics.csv_import import import_station_results


@pytest.mark.parametrize(
    ("name", "stations", "regions", "registered", "cast", "invalid", "valid", "leader_votes"),
    [
        ("russia-2011", 95_225, 84, 109_229_337, 65_648_690, 1_033_438, 64_615_252, 32_371_737),
        ("russia-2012", 95_415, 85, 109_860_331, 71_701_665, 836_691, 70_864_974, 45_602_075),
        ("uganda-2011", 23_968, 112, 13_954_129, 8_263_453, 335_177, 7_928_276, 5_436_639),
        ("canada-2019", 75_075, 338, 25_939_742, 17_711_983, 120_515, 17_591_468, None),
        ("delaware-2016", 432, 3, 0, 441_590, 0, 441_590, 235_603),
    ],
)
def test_import_totals_match_the_readme(
    name: str,
    stations: int,
    regions: int,
    registered: int,
    cast: int,
    invalid: int,
    valid: int,
    leader_votes: int | None,
    load_results: Callable[[str], StationResults],
) -> None:
    results = load_results(name)
    assert results.station_count == stations
    assert len(results.region_names) == regions
    assert int(results.registered_voters.sum()) == registered
    assert int(results.ballots_cast.sum()) == cast
    assert int(results.invalid_ballots.sum()) == invalid
    assert int(results.valid_votes.sum()) == valid
    if leader_votes is not None:
        assert int(results.votes.sum(axis=0).max()) == leader_votes


def test_uganda_and_delaware_leaders(load_results: Callable[[str], StationResults]) -> None:
    uganda = load_results("uganda-2011")
    totals = dict(zip(uganda.candidate_names, uganda.votes.sum(axis=0).tolist(), strict=True))
    assert totals["YOWERI MUSEVENI KAGUTA"] == 5_436_639
    assert totals["BESIGYE KIFEFE KIZZA"] == 2_071_397
    delaware = load_results("delaware-2016")
    totals = dict(zip(delaware.candidate_names, delaware.votes.sum(axis=0).tolist(), strict=True))
    # the statewide "Total" row is skipped, so no total is doubled
    assert totals == {
        "Clinton H": 235_603,
        "Trump D": 185_127,
        "Johnson G": 14_757,
        "Stein J": 6_103,
    }


def test_russian_edge_and_extreme_rows_as_the_readme_counts(
    load_results: Callable[[str], StationResults],
) -> None:
    russia_2011 = load_results("russia-2011")
    assert int(np.count_nonzero(russia_2011.ballots_cast == 0)) == 1
    russia_2012 = load_results("russia-2012")
    assert int(np.count_nonzero(russia_2012.registered_voters == 0)) == 1
    both_high = (np.nan_to_num(russia_2011.turnout) >= 0.95) & (
        np.nan_to_num(russia_2011.leader_share) >= 0.95
    )
    # README counts turnout as ballots issued; ours counts ballots in the boxes
    assert 2_900 <= int(both_high.sum()) <= 3_200


def test_canada_polls_over_registered_and_without_register(
    load_results: Callable[[str], StationResults],
) -> None:
    canada = load_results("canada-2019")
    assert int(np.count_nonzero(canada.registered_voters == 0)) == 5_492
    over = canada.turnout_known & (canada.ballots_cast > canada.registered_voters)
    assert int(over.sum()) == 729


def test_ballots_issued_by_a_mapping_that_sums_columns(data_directory: pathlib.Path) -> None:
    mapping = column_mapping_from_document(
        {
            "station_id": [0, 1, 2],
            "region": 0,
            "registered_voters": 3,
            "ballots_cast": [5, 6, 7],
            "invalid_ballots": 11,
            "votes": "21:-1",
        },
        "test",
    )
    results = import_station_results(data_directory / "russia_duma_2011_uik.csv.zip", mapping)
    assert int(results.ballots_cast.sum()) == 65_766_594
