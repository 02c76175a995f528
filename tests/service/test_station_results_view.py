"""The commission's own election as station results for the integrity tests: counted
protocols only, constituency winners, monitoring and the last accepted hourly report."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.statistics.fingerprint import TOO_FEW_STATIONS
from tallyroom.domain.statistics.station_results import LeaderScope
from tallyroom.service.results.station_results_view import (
    NO_TURNOUT_REPORT,
    station_results_of_election,
)
from tests.station_client import Api, protocol


def figures(registered: int, votes: dict[str, int], voters_added: int = 0) -> ProtocolFigures:
    """A protocol that passes every control check at a station with this register."""
    cast = sum(votes.values()) + 10
    return ProtocolFigures(
        registered_voters=registered,
        voters_added=voters_added,
        ballots_received=registered,
        ballots_issued_in_station=cast - 5,
        ballots_issued_portable=5,
        ballots_cast=cast,
        invalid_ballots=10,
        unused_ballots=registered - cast,
        votes=votes,
    )


def turnout(api: Api, station: str, as_of: str, voters: int) -> str:
    response = api.client.post(
        f"/api/v1/stations/{station}/turnout",
        json={"as_of": as_of, "voters": voters},
        headers=api.headers(api.station_token(station)),
    )
    assert response.status_code in (200, 201), response.text
    return str(response.json()["status"])


def counted(api: Api, document: dict[str, object]) -> None:
    response = api.submit(document)
    assert response.status_code in (200, 201), response.text
    assert response.json()["status"] == "accepted", response.text


@pytest.fixture
def polled(api: Api) -> Api:
    """Three of the four stations counted; 001-0003 has not reported."""
    counted(
        api, protocol("001-0001", figures=figures(1200, {"C001": 400, "C002": 250, "C003": 100}))
    )
    counted(api, protocol("001-0002", figures=figures(800, {"C001": 200, "C002": 300, "C003": 50})))
    counted(api, protocol("002-0001", figures=figures(600, {"C004": 100, "C005": 300})))
    assert turnout(api, "001-0001", "10:00", 100) == "accepted"
    assert turnout(api, "001-0001", "15:00", 500) == "accepted"
    assert turnout(api, "001-0002", "12:00", 300) == "accepted"
    # lower than before: flagged, and not the figure the jump is measured from
    assert turnout(api, "001-0002", "15:00", 200) == "flagged"
    return api


def test_counted_stations_with_their_protocol_figures(polled: Api) -> None:
    with polled.sessions() as session:
        results = station_results_of_election(session)
    assert results.station_ids.tolist() == ["001-0001", "001-0002", "002-0001"]
    assert results.regions.tolist() == [
        "001 Nəsimi birinci",
        "001 Nəsimi birinci",
        "002 Şuşa (IDP)",
    ]
    assert results.registered_voters.tolist() == [1200, 800, 600]
    assert results.ballots_cast.tolist() == [760, 560, 410]
    assert results.invalid_ballots.tolist() == [10, 10, 10]
    # the withdrawn C006 stands nowhere and gets no column
    assert [name.split()[0] for name in results.candidate_names] == [
        "C001",
        "C002",
        "C003",
        "C004",
        "C005",
    ]
    assert results.votes.tolist() == [
        [400, 250, 100, 0, 0],
        [200, 300, 50, 0, 0],
        [0, 0, 0, 100, 300],
    ]


def test_the_leader_is_each_constituency_winner(polled: Api) -> None:
    with polled.sessions() as session:
        results = station_results_of_election(session)
    assert results.leader_scope is LeaderScope.CONSTITUENCY
    # constituency 1: C001 600 against C002 550, though C002 leads at 001-0002
    assert results.leader_votes.tolist() == [400, 200, 300]
    assert results.leader_share[2] == pytest.approx(300 / 410)


def test_monitoring_and_last_accepted_turnout_report(polled: Api) -> None:
    with polled.sessions() as session:
        results = station_results_of_election(session)
    assert results.webcam is not None
    assert results.webcam.tolist() == [True, False, False]
    assert results.exit_poll is not None
    assert results.exit_poll.tolist() == [False, True, True]
    assert results.observed is not None
    assert results.observed.tolist() == [True, True, True]
    assert results.last_turnout_report is not None
    assert results.last_turnout_report.tolist() == [500, 300, NO_TURNOUT_REPORT]
    assert results.exit_poll_leader_share is None


def test_an_amendment_replaces_the_counted_figures_and_added_voters_join_the_register(
    polled: Api,
) -> None:
    amended = figures(1200, {"C001": 380, "C002": 270, "C003": 100}, voters_added=15)
    counted(polled, protocol("001-0001", version=2, figures=amended, amendment_reason="recount"))
    with polled.sessions() as session:
        results = station_results_of_election(session)
    assert results.votes[0, :3].tolist() == [380, 270, 100]
    assert results.registered_voters[0] == 1215


def test_forensics_command_reads_the_database(
    polled: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALLYROOM_DATABASE_URL", database_url)
    outcome = CliRunner().invoke(app, ["forensics", "--json"])
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.output)
    assert document["stations"] == 3
    assert document["leader_scope"] == "constituency"
    assert document["turnout_jump"]["stations_compared"] == 2
    assert [region["region"] for region in document["regions"]] == [
        "001 Nəsimi birinci",
        "002 Şuşa (IDP)",
    ]
    assert {comparison["monitor"] for comparison in document["monitoring"]} == {
        "webcam",
        "exit_poll",
        "observers",
    }
    # three stations are no fingerprint: the fit says so rather than print a number
    assert document["fingerprint"]["f_incremental"] is None
    assert document["fingerprint"]["unavailable"] == TOO_FEW_STATIONS


def test_forensics_command_without_counted_protocols_exits_2(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALLYROOM_DATABASE_URL", database_url)
    outcome = CliRunner().invoke(app, ["forensics"])
    assert outcome.exit_code == 2
    assert "database:0: small-2024: no counted protocols yet" in outcome.output


def test_ballots_issued_come_from_the_protocol(polled: Api) -> None:
    # two voters took a ballot and left without casting it: turnout counts them (Kobak et al.)
    votes = {"C001": 50, "C002": 40, "C003": 5}
    cast = sum(votes.values()) + 5
    counted(
        polled,
        protocol(
            "001-0003",
            figures=ProtocolFigures(
                registered_voters=150,
                voters_added=0,
                ballots_received=150,
                ballots_issued_in_station=cast + 2,
                ballots_issued_portable=0,
                ballots_cast=cast,
                invalid_ballots=5,
                unused_ballots=150 - cast - 2,
                votes=votes,
            ),
        ),
    )
    with polled.sessions() as session:
        results = station_results_of_election(session)
    row = results.station_ids.tolist().index("001-0003")
    assert results.ballots_issued is not None
    assert results.ballots_issued[row] == cast + 2
    assert results.ballots_cast[row] == cast
