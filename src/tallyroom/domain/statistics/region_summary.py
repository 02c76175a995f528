"""Per-region (constituency) summary: totals, turnout, leader share and flagged stations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tallyroom.domain.statistics.station_results import BoolArray, StationResults


@dataclass(frozen=True)
class RegionSummary:
    region: str
    stations: int
    registered_voters: int
    ballots_cast: int
    #: None where no station in the region has a known register
    turnout: float | None
    leader: str
    leader_share: float | None
    risk_stations: int
    risk_share: float


def region_summaries(results: StationResults, risk: BoolArray) -> list[RegionSummary]:
    codes = results.region_codes
    regions = len(results.region_names)
    stations = np.bincount(codes, minlength=regions)
    known = results.turnout_known
    registered = np.bincount(codes[known], results.registered_voters[known], regions)
    ballots_known = np.bincount(codes[known], results.ballots_cast[known], regions)
    ballots = np.bincount(codes, results.ballots_cast, regions)
    leader_votes = np.bincount(codes, results.leader_votes, regions)
    flagged = np.bincount(codes[risk], minlength=regions)
    first_station = np.zeros(regions, dtype=np.int64)
    first_station[codes[::-1]] = np.arange(len(codes))[::-1]
    summaries = []
    for code, name in enumerate(results.region_names):
        leader = (
            results.candidate_names[int(results.leader_index[first_station[code]])]
            if results.candidate_names and stations[code]
            else ""
        )
        summaries.append(
            RegionSummary(
                region=str(name),
                stations=int(stations[code]),
                registered_voters=int(registered[code]),
                ballots_cast=int(ballots[code]),
                turnout=float(ballots_known[code] / registered[code]) if registered[code] else None,
                leader=leader,
                leader_share=float(leader_votes[code] / ballots[code]) if ballots[code] else None,
                risk_stations=int(flagged[code]),
                risk_share=float(flagged[code] / stations[code]) if stations[code] else 0.0,
            )
        )
    return summaries
