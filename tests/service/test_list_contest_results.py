"""A parallel election (two constituencies + four national list seats, Hare above 12 %): the
party-list ballot on the protocols, the list seats in the running results, the publication
and the snapshot `tallyroom verify` re-derives; bad party votes are refused whole."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.domain.list_contest import ListContest, ListMethod
from tallyroom.domain.protocol_document import parse_protocol_document
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.errors import InvalidInput
from tallyroom.service.protocols.protocols import refuse_party_strangers
from tallyroom.service.results.publication import gather_publication
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.results_json import national_json
from tallyroom.store.database import transaction
from tests.list_election import list_election_folder, poll_with_lists, with_list
from tests.station_client import Api, good_figures, protocol

LIST_CONTEST = ListContest("national-list", 4, ListMethod.HARE, Fraction(12))


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    """The small election with four national list seats beside its two constituencies."""
    return list_election_folder(tmp_path)


def test_list_seats_in_the_results_the_publication_and_a_verified_snapshot(
    api: Api, tmp_path: Path
) -> None:
    with transaction(api.sessions) as session:
        before = national_json(build_national_results(session))
    # before any protocol: no list seat is held
    assert before["list_contest"]["status"] is None
    assert before["list_contest"]["open_seats"] == 4
    poll_with_lists(api)
    with transaction(api.sessions) as session:
        results = national_json(build_national_results(session))
        publication = gather_publication(session, now=datetime(2024, 9, 1, 20, 30, tzinfo=UTC))
    listed = results["list_contest"]
    assert listed["base_votes"] == 1815
    assert listed["threshold_votes"] == {"exact": "1089/5", "decimal": "217.80"}
    rows = {row["party"]: row for row in listed["rows"]}
    # MUS is under the line; Hare among YAP and REAL (1610 votes, quota 402.5): YAP 2 + 195,
    # REAL 1 + 207.5, so REAL takes the one remainder seat. Without the threshold the quota
    # would be 453.75 and MUS's 205 would win a remainder seat.
    assert {party: row["seats"] for party, row in rows.items()} == {"YAP": 2, "REAL": 2, "MUS": 0}
    assert rows["MUS"]["passed"] is False
    assert listed["quota"]["exact"] == "805/2"
    assert rows["REAL"]["remainder_seat"]
    assert not rows["YAP"]["remainder_seat"]
    # every station counted: the list seats are won
    assert listed["status"] == "won"
    assert results["national_seats"] == [
        {"party": "YAP", "constituency_seats": 1, "list_seats": 2},
        {"party": "REAL", "constituency_seats": 0, "list_seats": 2},
    ]
    assert results["seats_declared"] == 2 + 4
    assert results["seats_won"] == 6
    assert results == publication.results
    snapshot = write_snapshot(publication, tmp_path / "published").folder
    report = verify_snapshot(snapshot)
    assert report.problems == []
    # open data: the quotient table and the seats per party; the site: the threshold line,
    # the table, and the list seats marked in the seat bar
    table = json.loads((snapshot / "open-data/list-seats.json").read_text(encoding="utf-8"))
    assert table == listed
    assert (snapshot / "open-data/list-seats.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "national-list,YAP,1000,yes,2,won",
        "national-list,REAL,610,yes,2,won",
        "national-list,MUS,205,no,0,won",
    ]
    stations = json.loads((snapshot / "open-data/stations.json").read_text(encoding="utf-8"))
    assert stations[0]["figures"]["party_votes"] == {"MUS": 60, "REAL": 280, "YAP": 400}
    index = (snapshot / "index.html").read_text(encoding="utf-8")
    assert "the threshold line is <strong>217.80</strong> votes" in index
    assert '<tr class="below-threshold">' in index
    assert index.count('class="seats-list-won"') == 2
    # a forger who moves a list seat is named by the re-derivation
    path = snapshot / "results.json"
    forged = json.loads(path.read_text(encoding="utf-8"))
    forged["list_contest"]["rows"][0]["seats"] = 3
    path.write_text(json.dumps(forged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert any("list_contest" in problem for problem in verify_snapshot(snapshot).problems)


def test_the_definition_keeps_its_list_contest_through_the_store(
    api: Api, tmp_path: Path, small_election: Path
) -> None:
    with transaction(api.sessions) as session:
        stored = stored_definition(session)
    assert stored.election.list_contest == LIST_CONTEST
    write_definition(stored, tmp_path / "written")
    assert read_definition(tmp_path / "written").election.list_contest == LIST_CONTEST


@pytest.mark.parametrize(
    ("party_votes", "code"),
    [
        (None, "party_votes_missing"),
        ({"YAP": 10, "ADP": 3}, "unknown_party"),
    ],
)
def test_bad_party_votes_are_refused_whole(
    api: Api, party_votes: dict[str, int] | None, code: str
) -> None:
    document = protocol("001-0001", 1, replace(good_figures(), party_votes=party_votes))
    response = api.submit(document)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    with transaction(api.sessions) as session:
        assert build_national_results(session).stations_reporting == 0


def test_malformed_party_votes_are_refused_by_the_parser(api: Api) -> None:
    document = protocol("001-0001", 1, with_list(good_figures(), 1, 1, 1))
    document["figures"]["party_votes"] = {"YAP": -1, "REAL": 2.5}
    response = api.submit(document)
    assert response.status_code == 422, response.text
    fields = {problem["field"] for problem in response.json()["error"]["details"]["problems"]}
    assert fields == {"figures.party_votes.YAP", "figures.party_votes.REAL"}
    document["figures"]["party_votes"] = [1, 2]
    assert api.submit(document).status_code == 422


def test_party_votes_where_there_is_no_list_contest_are_refused() -> None:
    parsed = parse_protocol_document(protocol("001-0001", 1, with_list(good_figures(), 1, 1, 1)))
    with pytest.raises(InvalidInput) as refused:
        refuse_party_strangers(parsed, None)
    assert refused.value.code == "no_list_contest"
    # and a plain protocol in a plain election passes
    refuse_party_strangers(parse_protocol_document(protocol()), None)
