from __future__ import annotations

import json
import re

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.audit import audit_tree
from tallyroom.service.definition.credentials import IssuedCredentials, authenticate
from tallyroom.service.protocols.protocols import annul_station, submit_protocol
from tallyroom.service.protocols.turnout import report_turnout
from tallyroom.service.results.certification import certify_contest
from tallyroom.store.database import transaction
from tests.api.conftest import good_figures, protocol
from tests.polled_election import figures
from tests.station_client import Api

runner = CliRunner()


def _submit(sessions: sessionmaker[Session], credentials: IssuedCredentials) -> None:
    document = protocol(figures=good_figures())
    key = load_private_key(credentials.stations["001-0001"][2])
    with transaction(sessions) as session:
        principal = authenticate(session, credentials.stations["001-0001"][1])
        submit_protocol(
            session,
            principal=principal,
            document=document,
            signature=sign_document(document, key),
        )
        report_turnout(
            session,
            principal=principal,
            station_code="001-0001",
            as_of="10:00",
            voters=300,
            clock=ElectionClock.drill(speed=0),
        )


def test_results_json_has_the_published_keys(
    use_database: str, loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    _submit(loaded_election, credentials)
    result = runner.invoke(app, ["results", "--json"])
    assert result.exit_code == 0, result.output
    national = json.loads(result.stdout)
    assert national["stations_total"] == 4
    assert national["stations_reporting"] == 1
    assert national["registered_voters"] == 2750
    assert national["ballots_cast"] == 760
    assert national["status"] == "preliminary"
    assert national["seats"] == [
        {"party": "YAP", "nomination": "party", "seats": 1, "won": 0, "leading": 1}
    ]
    assert (national["seats_declared"], national["seats_won"], national["seats_leading"]) == (
        1,
        0,
        1,
    )
    assert "constituencies" not in national


def test_results_table_is_readable(
    use_database: str, loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    _submit(loaded_election, credentials)
    result = runner.invoke(app, ["results"])
    assert result.exit_code == 0, result.output
    assert "independents" in result.stdout
    assert "stations: 1 of 4 counted;" in result.stdout
    assert "preliminary" in result.stdout


def test_turnout_json_by_hour_and_per_constituency(
    use_database: str, loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    _submit(loaded_election, credentials)
    result = runner.invoke(app, ["turnout", "--json"])
    assert result.exit_code == 0, result.output
    hours = json.loads(result.stdout)["hours"]
    assert [h["as_of"] for h in hours] == ["10:00", "12:00", "15:00", "19:00"]
    assert hours[0] == {
        "as_of": "10:00",
        "voters": 300,
        "stations_reporting": 1,
        "percent": round(100 * 300 / 2750, 2),
    }
    second = json.loads(runner.invoke(app, ["turnout", "--json", "--constituency", "2"]).stdout)
    assert second["hours"][0]["voters"] == 0
    table = runner.invoke(app, ["turnout"])
    assert "10:00" in table.stdout
    assert "300" in table.stdout


def test_turnout_says_it_still_includes_an_annulled_stations_voters(
    use_database: str,
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    _submit(loaded_election, credentials)
    assert "annulled" not in runner.invoke(app, ["turnout"]).stdout
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        annul_station(session, principal=commission, station_code="001-0001", reason="seal broken")
    note = (
        "includes the voters reported during the day by 1 station annulled since by the "
        "commission's decision, whose ballots are left out of the results"
    )
    for arguments in (["turnout"], ["turnout", "--constituency", "1"]):
        table = runner.invoke(app, arguments).stdout
        assert note in table
        assert re.search(r"10:00\s*│\s*300\s*│", table)
    assert "annulled" not in runner.invoke(app, ["turnout", "--constituency", "2"]).stdout
    results = runner.invoke(app, ["results"]).stdout
    assert "stations: 0 of 4 counted, 1 annulled;" in results
    assert "ballots cast: 0;" in results


def test_turnout_of_an_unknown_constituency_fails(
    use_database: str, loaded_election: sessionmaker[Session]
) -> None:
    result = runner.invoke(app, ["turnout", "--constituency", "99"])
    assert result.exit_code == 2
    assert "there is no constituency 99" in result.stderr


def test_results_without_an_election_fails(use_database: str) -> None:
    result = runner.invoke(app, ["results", "--json"])
    assert result.exit_code == 2
    assert "no election is loaded" in result.stderr


def _count(sessions: sessionmaker[Session], credentials: IssuedCredentials, station: str) -> None:
    """Count the rest of constituency 1's stations: C001 keeps the lead."""
    votes = {
        "001-0002": {"C001": 300, "C002": 200, "C003": 50},
        "001-0003": {"C001": 50, "C002": 40, "C003": 5},
    }
    registered = {"001-0002": 800, "001-0003": 150}[station]
    document = protocol(
        station=station,
        figures=figures(
            votes[station],
            registered=registered,
            issued_in_station=sum(votes[station].values()) + 10,
            portable=0,
            invalid=10,
        ),
    )
    key = load_private_key(credentials.stations[station][2])
    with transaction(sessions) as session:
        principal = authenticate(session, credentials.stations[station][1])
        outcome = submit_protocol(
            session, principal=principal, document=document, signature=sign_document(document, key)
        )
        assert outcome.status == "accepted"


def _constituency_one() -> dict[str, object]:
    result = runner.invoke(app, ["results", "--json", "--constituencies"])
    assert result.exit_code == 0, result.output
    national = json.loads(result.stdout)
    first = next(c for c in national["constituencies"] if c["number"] == 1)
    return {
        "seat_status": first["seat_status"],
        "count_complete": first["count_complete"],
        "seats": (national["seats_declared"], national["seats_won"], national["seats_leading"]),
    }


def test_a_seat_leads_until_its_last_station_is_counted(
    use_database: str, loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    _submit(loaded_election, credentials)
    assert _constituency_one() == {
        "seat_status": "leading",
        "count_complete": False,
        "seats": (1, 0, 1),
    }
    table = runner.invoke(app, ["results"])
    assert "seats: leaders 1, won 0, leading 1" in table.stdout
    assert "leading" in table.stdout
    _count(loaded_election, credentials, "001-0002")
    assert _constituency_one()["seat_status"] == "leading"
    _count(loaded_election, credentials, "001-0003")
    assert _constituency_one() == {"seat_status": "won", "count_complete": True, "seats": (1, 1, 0)}
    table = runner.invoke(app, ["results"])
    assert "seats: leaders 1, won 1, leading 0" in table.stdout


def test_a_seat_is_won_once_the_stations_left_are_annulled(
    use_database: str, loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    _submit(loaded_election, credentials)
    _count(loaded_election, credentials, "001-0002")
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        annul_station(session, principal=commission, station_code="001-0003", reason="seal broken")
    assert _constituency_one() == {"seat_status": "won", "count_complete": True, "seats": (1, 1, 0)}


def test_a_certified_seat_is_won(
    use_database: str, loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    # Certification needs every station counted or annulled: the seat is won either way,
    # and certified stays won.
    _submit(loaded_election, credentials)
    _count(loaded_election, credentials, "001-0002")
    _count(loaded_election, credentials, "001-0003")
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        key = audit_tree.create_tree_head_key(session, actor="commission")
        certify_contest(session, principal=commission, constituency_number=1, signing_key=key)
    assert _constituency_one() == {
        "seat_status": "won",
        "count_complete": True,
        "seats": (1, 1, 0),
    }


def _results_text(monkeypatch: pytest.MonkeyPatch, *arguments: str) -> str:
    monkeypatch.setenv("COLUMNS", "200")  # one table row per line
    result = runner.invoke(app, ["results", *arguments])
    assert result.exit_code == 0, result.output
    return result.stdout


def _constituency_row(text: str, number: int) -> str:
    return next(line for line in text.splitlines() if re.match(rf"│\s*{number}\s*│", line))


def test_results_text_shows_annulled_stations_and_each_seat_won_or_leading(
    use_database: str,
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _submit(loaded_election, credentials)
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        annul_station(session, principal=commission, station_code="001-0002", reason="seal broken")
    national = json.loads(runner.invoke(app, ["results", "--json", "--constituencies"]).stdout)
    assert (national["stations_reporting"], national["stations_annulled"]) == (1, 1)
    first = national["constituencies"][0]
    assert (first["stations_annulled"], first["ballots_annulled"]) == (1, 0)

    text = _results_text(monkeypatch, "--constituencies")
    assert "stations: 1 of 4 counted, 1 annulled;" in text
    assert (
        "annulled by the commission's decision, left out of every total: stations 1, their "
        "ballots cast 0; in constituencies 1 Nəsimi birinci (1)" in text
    )
    row = _constituency_row(text, 1)
    assert "1 of 3 counted, 1 annulled" in row
    assert re.search(r"│\s*leading\s*│", row)
    assert "0 of 1 counted" in _constituency_row(text, 2)
    assert "annulled" not in _constituency_row(text, 2)

    _count(loaded_election, credentials, "001-0003")
    text = _results_text(monkeypatch, "--constituencies")
    assert "stations: 2 of 4 counted, 1 annulled;" in text
    row = _constituency_row(text, 1)
    assert "2 of 3 counted, 1 annulled" in row
    assert re.search(r"│\s*won\s*│", row)


def test_results_text_names_no_annulment_when_there_is_none(
    use_database: str,
    loaded_election: sessionmaker[Session],
    credentials: IssuedCredentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _submit(loaded_election, credentials)
    text = _results_text(monkeypatch)
    assert "stations: 1 of 4 counted;" in text
    assert "annulled" not in text.replace("counted or annulled", "")
    assert "constituencies" not in text.splitlines()[-1]  # the table only when asked for


def test_results_of_an_election_tallied_by_service_calls_alone_say_real(
    use_database: str, loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    _submit(loaded_election, credentials)
    national = json.loads(runner.invoke(app, ["results", "--json"]).stdout)
    assert national["clock"] == "real"
    assert "DRILL" not in runner.invoke(app, ["results"]).stdout


def test_results_of_an_election_a_drill_server_served_say_drill(
    use_database: str, api: Api
) -> None:
    assert api.submit(protocol(figures=good_figures())).status_code == 201
    result = runner.invoke(app, ["results", "--json"])
    assert result.exit_code == 0, result.output
    national = json.loads(result.stdout)
    assert national["clock"] == "drill"
    assert national["stations_reporting"] == 1
    table = runner.invoke(app, ["results"]).stdout
    assert table.startswith("DRILL: a rehearsal on the reference polling day")
