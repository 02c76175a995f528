"""The simulator's poll books are real desks: the commission issues desk codes over the API,
each desk enrols with a key made in the simulator's process and checks in with the token its
enrolment gave, so check-ins are recorded under the desks' names; the planted offline second
check-in at the other desk is caught as a double vote."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.cli.credential_folder import read_credential_folder
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.register.voter_register import active_voters_by_station
from tallyroom.simulator.check_in_timeline import (
    DOUBLE_VOTE_SUFFIX,
    CheckIn,
    CheckInBatch,
    desks_by_station,
)
from tallyroom.simulator.local_server import LocalServer
from tallyroom.simulator.poll_book_desks import enrol_desks_in_database, enrol_poll_book_desks
from tallyroom.simulator.polling_day_simulation import SimulationSettings, run_simulation
from tallyroom.simulator.simulation_tally import SimulationTally
from tallyroom.store.database import transaction
from tallyroom.store.schema import CheckInRow, PollBookDeviceRow, PollingStationRow

runner = CliRunner()


def test_desks_enrol_and_check_in_under_their_own_names(
    use_database: str,
    loaded_election: sessionmaker[Session],
    database_url: str,
    tmp_path: Path,
) -> None:
    register = tmp_path / "register.csv"
    assert runner.invoke(app, ["register", "scenario", str(register)]).exit_code == 0
    assert runner.invoke(app, ["register", "load", str(register)]).exit_code == 0
    folder = tmp_path / "credentials"
    assert (
        runner.invoke(app, ["credentials", "issue", "--central-keys", str(folder)]).exit_code == 0
    )
    credentials = read_credential_folder(folder)
    with transaction(loaded_election) as session:
        voters = active_voters_by_station(session)
    two, one = sorted(voters)[:2]
    # the busy station's voters take turns between its two desks; desk 2, offline, checks
    # the first voter in again
    batches = [
        CheckInBatch(600, two, (CheckIn(voters[two][0], f"{two}-0"),), desk=1),
        CheckInBatch(600, two, (CheckIn(voters[two][1], f"{two}-1"),), desk=2),
        CheckInBatch(
            600, one, tuple(CheckIn(v, f"{one}-{i}") for i, v in enumerate(voters[one][:3]))
        ),
        CheckInBatch(1140, two, (CheckIn(voters[two][0], f"{two}-0{DOUBLE_VOTE_SUFFIX}"),), desk=2),
    ]
    assert desks_by_station(batches) == {two: 2, one: 1}

    with LocalServer(database_url) as server:
        desks = enrol_poll_book_desks(
            server.url, credentials.commission_token, desks_by_station(batches), clients=2
        )
        assert {key: desk.device for key, desk in desks.items()} == {
            (two, 1): f"station-{two}/pollbook-1",
            (two, 2): f"station-{two}/pollbook-2",
            (one, 1): f"station-{one}/pollbook-1",
        }
        assert all(desk.token.startswith("pbk_") for desk in desks.values())
        tally = SimulationTally()
        counts = run_simulation(
            batches,
            SimulationSettings(server=server.url, credentials=credentials, clients=2, desks=desks),
            tally,
        )
    assert counts.refusals == ()
    assert (counts.check_ins, counts.double_votes) == (6, 1)
    with transaction(loaded_election) as session:
        enrolled = session.execute(
            select(PollingStationRow.code, PollBookDeviceRow.number).join(
                PollingStationRow, PollingStationRow.id == PollBookDeviceRow.station_id
            )
        ).all()
        recorded = session.execute(select(CheckInRow.client_reference, CheckInRow.device)).all()
    assert sorted(enrolled) == sorted([(two, 1), (two, 2), (one, 1)])
    by_reference = dict(recorded)
    assert by_reference[f"{two}-0"] == f"station-{two}/pollbook-1"
    assert by_reference[f"{two}-1"] == f"station-{two}/pollbook-2"
    assert by_reference[f"{two}-0{DOUBLE_VOTE_SUFFIX}"] == f"station-{two}/pollbook-2"
    assert {by_reference[f"{one}-{i}"] for i in range(3)} == {f"station-{one}/pollbook-1"}


def test_a_check_in_batch_of_a_desk_never_enrolled_is_refused_not_sent(
    use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = tmp_path / "credentials"
    assert (
        runner.invoke(app, ["credentials", "issue", "--central-keys", str(folder)]).exit_code == 0
    )
    tally = SimulationTally()
    counts = run_simulation(
        [CheckInBatch(600, "001-0001", (CheckIn("V1", "r-1"),), desk=2)],
        SimulationSettings(
            server="http://127.0.0.1:9", credentials=read_credential_folder(folder), clients=1
        ),
        tally,
    )
    assert counts.refusals == ("001-0001: desk 2 was not enrolled",)
    assert counts.check_ins == 0


def test_desks_enrolled_in_the_database_before_the_server_starts(
    use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = tmp_path / "credentials"
    assert (
        runner.invoke(app, ["credentials", "issue", "--central-keys", str(folder)]).exit_code == 0
    )
    credentials = read_credential_folder(folder)
    desks = enrol_desks_in_database(
        loaded_election,
        credentials.commission_token,
        {"001-0001": 2, "001-0002": 1},
        election="small-2024",
    )
    assert {key: desk.device for key, desk in desks.items()} == {
        ("001-0001", 1): "station-001-0001/pollbook-1",
        ("001-0001", 2): "station-001-0001/pollbook-2",
        ("001-0002", 1): "station-001-0002/pollbook-1",
    }
    with transaction(loaded_election) as session:
        assert session.scalar(select(func.count()).select_from(PollBookDeviceRow)) == 3
        for desk in desks.values():
            assert authenticate(session, desk.token).actor == f"poll_book:{desk.device}"
