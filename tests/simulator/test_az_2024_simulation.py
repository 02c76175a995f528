"""The whole az-2024 polling day over HTTP against a real server on a loopback port: the
published figures must come out of the tally of the simulated protocols."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.cli.credential_folder import read_credential_folder
from tallyroom.scenarios.az_2024 import build_definition
from tallyroom.scenarios.polling_day import build_polling_day_plan
from tallyroom.service.definition.election_setup import define_election
from tallyroom.simulator.local_server import LocalServer
from tallyroom.simulator.polling_day_simulation import SimulationSettings, run_simulation
from tallyroom.simulator.simulation_tally import SimulationTally
from tallyroom.simulator.timeline import Until, polling_day_timeline
from tallyroom.store.database import transaction

runner = CliRunner()
OTHER_PARTIES = {"VHP", "AVP", "BQP", "REAL", "ADMP", "MDHP", "DIP", "ASRP", "BAXCP"}


def _json(*arguments: str) -> Any:
    result = runner.invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.slow
def test_polling_night_reproduces_the_announcement_and_then_the_end(
    use_database: str, sessions: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    definition = build_definition(2024)
    with transaction(sessions) as session:
        define_election(session, definition=definition, digest="0" * 64, actor="test")
    folder = tmp_path / "credentials"
    # Central keys: enrolling 6,478 devices over HTTP one by one would double the run.
    assert (
        runner.invoke(app, ["credentials", "issue", str(folder), "--central-keys"]).exit_code == 0
    )

    with LocalServer(database_url) as server:
        played = runner.invoke(
            app,
            [
                "simulate",
                "az-2024",
                "--server",
                server.url,
                "--credentials",
                str(folder),
                "--until",
                "announcement",
            ],
        )
        assert played.exit_code == 0, played.output

        national = _json("results", "--json")
        assert national["stations_total"] == 6_478
        assert national["stations_reporting"] == 5_895
        assert national["status"] == "preliminary"
        seats: Counter[str] = Counter()
        for group in national["seats"]:
            key = group["party"] if group["nomination"] == "party" else group["nomination"]
            seats[key] += group["seats"]
        assert seats["YAP"] == 68
        assert seats["party_member"] == 34
        assert seats["non_party"] == 11
        assert sum(seats[party] for party in OTHER_PARTIES) == 12
        assert seats["REAL"] == 1
        assert national["parties_with_seats"] == 10
        # 583 stations still out, in every constituency: 125 leaders, no seat won yet
        assert (national["seats_won"], national["seats_leading"]) == (0, 125)
        hours = _json("turnout", "--json")["hours"]
        assert hours[-1]["as_of"] == "19:00"
        assert hours[-1]["voters"] == 2_196_771
        assert hours[-1]["stations_reporting"] == 6_478
        verified = runner.invoke(app, ["audit", "verify"])
        assert verified.exit_code == 0, verified.output

        # the rest of the night, without replaying what has been sent
        plan = build_polling_day_plan(definition, 2024)
        announcement = 19 * 60 + plan.announcement_after_minutes
        events = polling_day_timeline(
            plan,
            election=definition.election.code,
            closes=definition.election.voting_hours.closes,
            until=Until.END,
            seed=2024,
        )
        rest = [event for event in events if event.minute > announcement]
        counts = run_simulation(
            rest,
            SimulationSettings(
                server=server.url, credentials=read_credential_folder(folder), clients=2
            ),
            SimulationTally(),
        )
        assert counts.refusals == ()
        assert counts.annulments == 1

    final = _json("results", "--json")
    assert final["stations_reporting"] == 6_478 - 1
    assert sum(group["seats"] for group in final["seats"]) == 125
    # every station counted but the one annulled: every seat is won
    assert final["seats_won"] == 125
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
