"""The analysis reproduces published findings on Russia 2011/2012 and finds Canada 2019 clean.

Published figures, and where they come from:
- Klimek, Yegorov, Hanel & Thurner, "Statistical detection of systematic election
  irregularities", PNAS 109(41):16469–16473 (2012), Fig. 4 and its text: fitted fraud
  parameters for Russia 2011 of about f_i ≈ 0.64 and f_e ≈ 0.033, for Russia 2012 of about
  f_i ≈ 0.39 and f_e ≈ 0.021 (quoted from memory of the paper; the search corpus held the
  figure caption, not the numbers, so the tolerances below are deliberately wide).
- Kobak, Shpilkin & Pshenichnikov, "Integer percentages as electoral falsification
  fingerprints", Annals of Applied Statistics 10(1):54–73 (2016), Figs. 3–4: from 2004 on,
  the count of stations with integer turnout or leader share lies far above the binomial
  Monte-Carlo expectation (many standard deviations; p far below 0.001) in both 2011 and 2012.
- README of ../shared/data: Canada 2019 is a clean election whose 729 polls above 100 %
  turnout come from same-day registration.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest

from tallyroom.domain.statistics.station_flags import FlagCategory
from tallyroom.domain.statistics.station_results import StationResults
from tallyroom.forensics.report import ForensicsReport, report_document


@pytest.mark.parametrize("name", ["russia-2011", "russia-2012"])
def test_russia_integer_percentages_far_above_chance(
    name: str, load_report: Callable[[str], ForensicsReport]
) -> None:
    integer = load_report(name).integer_percent
    # ours: 2011 +1365 ± 140, 2012 +1458 ± 118 stations (turnout and leader pooled)
    assert integer.excess_stations > 8 * integer.sd
    assert 700 < integer.excess_stations < 3_000
    assert integer.p_value < 1e-10


@pytest.mark.parametrize(
    ("name", "published_f_incremental", "published_f_extreme"),
    [("russia-2011", 0.64, 0.033), ("russia-2012", 0.39, 0.021)],
)
def test_russia_fingerprint_parameters_near_klimek(
    name: str,
    published_f_incremental: float,
    published_f_extreme: float,
    load_report: Callable[[str], ForensicsReport],
) -> None:
    fit = load_report(name).fingerprint
    # ours: 2011 f_i 0.64, f_e 0.028; 2012 f_i 0.43, f_e 0.021
    assert fit.f_incremental == pytest.approx(published_f_incremental, abs=0.15)
    assert fit.f_extreme == pytest.approx(published_f_extreme, abs=0.015)


def test_russia_2011_has_more_incremental_fraud_than_2012(
    load_report: Callable[[str], ForensicsReport],
) -> None:
    # Klimek et al.: f_i fell from 2011 to 2012
    assert (
        load_report("russia-2011").fingerprint.f_incremental
        > load_report("russia-2012").fingerprint.f_incremental
    )


def test_canada_2019_clean_under_every_test(load_report: Callable[[str], ForensicsReport]) -> None:
    report = load_report("canada-2019")
    assert abs(report.integer_percent.excess_stations) < 3 * report.integer_percent.sd
    assert report.integer_percent.p_value > 0.01
    assert report.fingerprint.f_extreme < 0.005
    assert report.fingerprint.f_incremental < 0.05
    assert len(report.fingerprint.extreme_corner_stations) == 0
    assert report.distribution.round_percentage_p_value > 0.01
    assert report.last_digit.p_value > 0.01
    assert report.second_digit.p_value > 0.01
    # risk flags at no more than the rate they fire on clean synthetic elections
    assert len(report.flags.risk_stations) < 0.02 * report.results.station_count


def test_canada_polls_over_100_percent_are_explained_not_fraud(
    load_report: Callable[[str], ForensicsReport],
) -> None:
    report = load_report("canada-2019")
    results = report.results
    over = set(
        np.flatnonzero(
            results.turnout_known & (results.ballots_cast > results.registered_voters)
        ).tolist()
    )
    explained = {
        flag.station_index
        for flag in report.flags.flags
        if any(reason.code == "turnout_above_registered" for reason in flag.reasons)
    }
    assert explained == over
    assert not over & set(report.flags.risk_stations.tolist())
    for flag in report.flags.flags:
        if flag.station_index in over:
            assert flag.reasons[0].category is FlagCategory.REGISTRATION
            assert "same-day registration" in flag.reasons[0].message


def test_russia_flags_far_more_stations_than_canada(
    load_report: Callable[[str], ForensicsReport],
) -> None:
    russia = load_report("russia-2011")
    canada = load_report("canada-2019")
    russia_rate = len(russia.flags.risk_stations) / russia.results.station_count
    canada_rate = len(canada.flags.risk_stations) / canada.results.station_count
    assert russia_rate > 3 * canada_rate


@pytest.mark.parametrize("name", ["uganda-2011", "delaware-2016", "russia-2012"])
def test_report_runs_and_serialises_without_nan(
    name: str,
    load_results: Callable[[str], StationResults],
    load_report: Callable[[str], ForensicsReport],
) -> None:
    document = report_document(load_report(name))
    text = json.dumps(document, allow_nan=False)
    assert document["stations"] == load_results(name).station_count
    assert {"excess_stations", "sd", "p_value"} <= set(document["integer_percent_excess"])
    assert {"f_incremental", "f_extreme"} <= set(document["fingerprint"])
    assert isinstance(document["flags"], list)
    assert "NaN" not in text
