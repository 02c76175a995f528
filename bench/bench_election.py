"""A synthetic election of a chosen size for benchmarks: built in memory, loaded, keyed."""

from __future__ import annotations

from datetime import date, time

from tallyroom.domain.candidate import Candidate, Nomination
from tallyroom.domain.constituency import Constituency
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import Election, VotingHours
from tallyroom.domain.party import Party
from tallyroom.domain.polling_station import PollingStation, StationKind
from tallyroom.domain.protocol import ProtocolFigures

CANDIDATES_PER_CONSTITUENCY = 6
PARTIES = ("ALFA", "BETA", "GAMMA", "DELTA")


def bench_definition(stations: int, stations_per_constituency: int = 100) -> ElectionDefinition:
    constituencies = max(1, stations // stations_per_constituency)
    election = Election(
        code="bench",
        name="Benchmark election",
        country="AZ",
        polling_day=date(2024, 9, 1),
        timezone="Asia/Baku",
        voting_hours=VotingHours(time(8), time(19)),
        turnout_report_times=(time(10), time(12), time(15), time(19)),
        seats=constituencies,
    )
    definition = ElectionDefinition(election=election)
    definition.parties = [Party(name, f"{name} party", "#336699") for name in PARTIES]
    for number in range(1, constituencies + 1):
        definition.constituencies.append(Constituency(number, f"Constituency {number}"))
        for index in range(CANDIDATES_PER_CONSTITUENCY):
            party = PARTIES[index] if index < len(PARTIES) else None
            definition.candidates.append(
                Candidate(
                    code=f"C{number:05d}-{index}",
                    constituency=number,
                    full_name=f"Candidate {number}-{index}",
                    nomination=Nomination.PARTY if party else Nomination.NON_PARTY,
                    party=party,
                )
            )
    for index in range(stations):
        number = index % constituencies + 1
        definition.stations.append(
            PollingStation(
                code=f"S{index:07d}",
                constituency=number,
                name=f"Station {index}",
                kind=StationKind.PERMANENT,
                registered_voters=1000,
            )
        )
    return definition


def bench_figures(station_index: int, constituency: int) -> ProtocolFigures:
    """A consistent protocol whose votes vary with the station."""
    votes = {
        f"C{constituency:05d}-{index}": 40 + (station_index * (index + 3)) % 90
        for index in range(CANDIDATES_PER_CONSTITUENCY)
    }
    valid = sum(votes.values())
    return ProtocolFigures(
        registered_voters=1000,
        voters_added=0,
        ballots_received=1000,
        ballots_issued_in_station=valid + 12,
        ballots_issued_portable=3,
        ballots_cast=valid + 10,
        invalid_ballots=10,
        unused_ballots=1000 - valid - 15,
        votes=votes,
    )
