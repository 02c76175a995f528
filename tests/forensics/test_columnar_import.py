"""The columnar CSV reader gives exactly what the row-by-row reader gives, and leaves
irregular files to it (which then names the offending line)."""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np
import pytest

from tallyroom.domain.statistics.station_results import StationResults
from tallyroom.forensics.column_mapping import column_mapping_from_document
from tallyroom.forensics.csv_import import import_station_results
from tallyroom.forensics.input_error import ForensicsInputError
from tallyroom.forensics.presets import preset

MAPPING = column_mapping_from_document(
    {
        "station_id": ["area", "id"],
        "region": "area",
        "registered_voters": "electors",
        "invalid_ballots": "spoilt",
        "votes": ["Red", "Blue"],
        "skip": {"area": "Total"},
    },
    "test",
)


def _assert_same(columnar: StationResults, row_by_row: StationResults) -> None:
    for field in dataclasses.fields(StationResults):
        left, right = getattr(columnar, field.name), getattr(row_by_row, field.name)
        if isinstance(left, np.ndarray):
            assert np.array_equal(left, right), field.name
        else:
            assert left == right, field.name


@pytest.mark.parametrize(
    ("file_name", "preset_name"),
    [
        ("russia_duma_2011_uik.csv.zip", "russia-cik"),
        ("canada_ge2019_pollresults.csv.gz", "canada-poll-by-poll"),
        ("us_delaware_general_2016_precinct.csv", "openelections"),
        ("uganda_president_2011_polling_stations.csv", "uganda-ec"),
    ],
)
def test_columnar_reader_matches_row_by_row_on_real_files(
    data_directory: pathlib.Path, file_name: str, preset_name: str
) -> None:
    path = data_directory / file_name
    if not path.exists():
        pytest.skip(f"real data not present: {path}")
    _assert_same(
        import_station_results(path, preset(preset_name)),
        import_station_results(path, preset(preset_name), columnar=False),
    )


def test_quoted_cells_filters_and_crlf(tmp_path: pathlib.Path) -> None:
    table = tmp_path / "results.csv"
    table.write_bytes(
        b"id,area,electors,spoilt,Red,Blue\r\n"
        b'1,"North, upper",100,2,40,30\r\n'
        b'2," South ",200,0,"90",80\r\n'
        b"3,Total,300,2,130,110\r\n"
    )
    columnar = import_station_results(table, MAPPING)
    _assert_same(columnar, import_station_results(table, MAPPING, columnar=False))
    assert columnar.station_ids.tolist() == ["North, upper/1", "South/2"]
    assert columnar.ballots_cast.tolist() == [72, 170]


def test_empty_and_fractional_cells_fall_back_to_the_row_reader(tmp_path: pathlib.Path) -> None:
    table = tmp_path / "results.csv"
    table.write_text(
        "id,area,electors,spoilt,Red,Blue\n1,A,100,,40,30.0\n2,A,200,1,90,80\n", encoding="utf-8"
    )
    results = import_station_results(table, MAPPING)
    assert results.invalid_ballots.tolist() == [0, 1]
    assert results.votes.tolist() == [[40, 30], [90, 80]]


def test_negative_figure_is_reported_with_its_line(tmp_path: pathlib.Path) -> None:
    table = tmp_path / "results.csv"
    table.write_text(
        "id,area,electors,spoilt,Red,Blue\n1,A,100,0,40,30\n2,A,200,1,-90,80\n", encoding="utf-8"
    )
    with pytest.raises(ForensicsInputError) as raised:
        import_station_results(table, MAPPING)
    assert raised.value.line == 3
    assert raised.value.field == "Red"
