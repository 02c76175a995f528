"""The reference polling day is clean under the election fingerprint (Klimek et al. 2012), and
ballot stuffing played into it is detected."""

from __future__ import annotations

import numpy as np
import pytest

from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.statistics.fingerprint import fingerprint
from tallyroom.domain.statistics.station_results import LeaderScope, StationResults
from tallyroom.scenarios.polling_day import (
    BallotStuffing,
    PollingDayPlan,
    build_polling_day_plan,
)

pytestmark = pytest.mark.slow


def test_clean_reference_polling_day_has_no_fitted_fraud(az_2024_plan: PollingDayPlan) -> None:
    results = _station_results(az_2024_plan)
    # no turnout–vote association by design, within or across constituencies
    assert abs(np.corrcoef(results.turnout, results.leader_share)[0, 1]) < 0.05
    fit = fingerprint(results)
    assert fit.f_incremental < 0.05
    assert fit.f_extreme < 0.005


def test_five_percent_of_stations_stuffed_with_fifteen_percent_are_detected(
    az_2024_definition: ElectionDefinition, az_2024_plan: PollingDayPlan
) -> None:
    stuffed_count = round(0.05 * len(az_2024_plan.stations))
    stuffed = build_polling_day_plan(
        az_2024_definition, stuffing=BallotStuffing(stuffed_count, 15.0)
    )
    clean_fit = fingerprint(_station_results(az_2024_plan))
    stuffed_fit = fingerprint(_station_results(stuffed))
    assert stuffed_fit.f_incremental > 0.05
    assert stuffed_fit.f_incremental > clean_fit.f_incremental + 0.04


def _station_results(plan: PollingDayPlan) -> StationResults:
    """The counted protocols of the plan, as the database input would give them."""
    stations = [station for station in plan.stations if not station.annulled]
    codes = sorted({code for station in stations for code in station.protocol.votes})
    column = {code: index for index, code in enumerate(codes)}
    votes = np.zeros((len(stations), len(codes)), dtype=np.int64)
    for row, station in enumerate(stations):
        for code, count in station.protocol.votes.items():
            votes[row, column[code]] = count
    protocols = [station.protocol for station in stations]
    return StationResults(
        station_ids=np.array([station.station for station in stations]),
        regions=np.array([str(station.constituency) for station in stations]),
        registered_voters=np.array(
            [protocol.registered_voters + protocol.voters_added for protocol in protocols],
            dtype=np.int64,
        ),
        ballots_cast=np.array([protocol.ballots_cast for protocol in protocols], dtype=np.int64),
        invalid_ballots=np.array(
            [protocol.invalid_ballots for protocol in protocols], dtype=np.int64
        ),
        votes=votes,
        candidate_names=tuple(codes),
        leader_scope=LeaderScope.CONSTITUENCY,
        ballots_issued=np.array([protocol.ballots_issued for protocol in protocols]),
    )
