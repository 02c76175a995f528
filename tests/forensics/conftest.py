"""The five real data sets, imported once per test session from ../shared/data in place."""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import pytest

from tallyroom.domain.statistics.station_results import StationResults
from tallyroom.forensics.csv_import import import_station_results
from tallyroom.forensics.presets import preset
from tallyroom.forensics.report import ForensicsReport, build_report
from tests.shared_folder import SHARED

DATA = SHARED / "data"

FILES = {
    "russia-2011": ("russia_duma_2011_uik.csv.zip", "russia-cik"),
    "russia-2012": ("russia_president_2012_uik.csv.zip", "russia-cik"),
    "uganda-2011": ("uganda_president_2011_polling_stations.csv", "uganda-ec"),
    "canada-2019": ("canada_ge2019_pollresults.csv.gz", "canada-poll-by-poll"),
    "delaware-2016": ("us_delaware_general_2016_precinct.csv", "openelections"),
}

_imported: dict[str, StationResults] = {}
_reports: dict[str, ForensicsReport] = {}


def real_results(name: str) -> StationResults:
    if name not in _imported:
        file_name, preset_name = FILES[name]
        path = DATA / file_name
        if not path.exists():
            pytest.skip(f"real data not present: {path}")
        _imported[name] = import_station_results(path, preset(preset_name))
    return _imported[name]


def real_report(name: str) -> ForensicsReport:
    if name not in _reports:
        _reports[name] = build_report(real_results(name))
    return _reports[name]


@pytest.fixture(scope="session")
def data_directory() -> pathlib.Path:
    return DATA


@pytest.fixture(scope="session")
def load_results() -> Callable[[str], StationResults]:
    return real_results


@pytest.fixture(scope="session")
def load_report() -> Callable[[str], ForensicsReport]:
    return real_report
