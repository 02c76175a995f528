"""A district list contest (constituency 1: four seats by D'Hondt above an 8 % district line,
blank votes in its base): party votes on its stations' protocols naming the contest, the
seats by party and the candidates taking them in the running results; bad district
protocols are refused whole with stable codes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.cli.results_commands import seats_table
from tallyroom.definition.reader import read_definition
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_layout import constituency_page_path
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.definition.credentials import IssuedCredentials, Principal, Role
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.protocols.bulk_submission import Envelope, submit_protocols
from tallyroom.service.results.publication import gather_publication
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.results_json import national_json
from tallyroom.store.database import transaction
from tallyroom.store.schema import ElectionRow
from tests.district_election import (
    DISTRICT,
    district_election_folder,
    district_protocol,
    poll_district,
    with_list,
)
from tests.station_client import Api, good_figures, protocol


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return district_election_folder(tmp_path)


def test_district_seats_by_party_and_their_candidates(api: Api) -> None:
    with transaction(api.sessions) as session:
        before = build_national_results(session)
    district = before.constituencies[0]
    assert district.system == "dhondt"
    assert district.seat_holders == ()
    poll_district(api)
    with transaction(api.sessions) as session:
        results = build_national_results(session)
    district = results.constituencies[0]
    table = district.district_list
    assert table is not None
    assert table.contest.code == DISTRICT
    assert table.base_votes == 1355
    assert table.threshold_votes * 5 == 542  # 8 % of 1355 = 108.4
    # D'Hondt among YAP 700 and REAL 560 (MUS's 95 is under the line):
    # 700, 560, 350, 280 → YAP 2, REAL 2
    assert table.seats == {"YAP": 2, "REAL": 2, "MUS": 0}
    assert [row.passed for row in table.rows] == [True, True, False]
    # closed lists: YAP C001 then C007; REAL C008 (position 1) then C002
    assert sorted(district.seat_holders) == [
        ("C001", "won"),
        ("C002", "won"),
        ("C007", "won"),
        ("C008", "won"),
    ]
    seats = {(group.party, group.nomination.value): group.seats for group in results.seats}
    # nationally: the district's four list seats beside constituency 2's seat (a YAP member
    # standing as an independent)
    assert seats == {("YAP", "party"): 2, ("REAL", "party"): 2, ("YAP", "party_member"): 1}
    published = national_json(results)
    assert published["seats_won"] == 5


def test_the_definition_keeps_its_district_list_contest(api: Api, small_election: Path) -> None:
    with transaction(api.sessions) as session:
        stored = stored_definition(session)
    assert stored.contests == read_definition(small_election).contests


@pytest.mark.parametrize(
    ("station", "party_votes", "contest", "code"),
    [
        ("001-0001", None, DISTRICT, "party_votes_missing"),
        ("001-0001", {"YAP": 10, "ADP": 3}, DISTRICT, "unknown_party"),
        ("001-0001", {"YAP": 10}, "constituency-2", "wrong_contest"),
        ("001-0001", {"YAP": 10}, None, "contest_missing"),
        ("002-0001", {"YAP": 10}, None, "no_list_contest"),
    ],
)
def test_bad_district_protocols_are_refused_whole(
    api: Api, station: str, party_votes: dict[str, int] | None, contest: str | None, code: str
) -> None:
    figures = replace(good_figures(), party_votes=party_votes)
    if station == "002-0001":
        figures = replace(good_figures({"C004": 400, "C005": 350}), party_votes=party_votes)
    document = (
        district_protocol(station, figures)
        if contest is not None
        else protocol(station, 1, figures)
    )
    if contest is not None:
        document["contest"] = contest
    response = api.submit(document)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    with transaction(api.sessions) as session:
        assert build_national_results(session).stations_reporting == 0


def test_blank_votes_in_the_base_raise_the_line(api: Api) -> None:
    # 708 party votes and 40 blank: the 8 % line is 59.84 with the blank votes (MUS's 58 is
    # under it), 56.64 without them (it would pass)
    sheet = good_figures({"C001": 400, "C002": 250, "C003": 58})
    sheet = replace(with_list(sheet, 400, 250, 58), blank_votes=40)
    response = api.submit(district_protocol("001-0001", sheet))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "accepted", response.text
    with transaction(api.sessions) as session:
        table = build_national_results(session).constituencies[0].district_list
    assert table is not None
    assert table.base_votes == 748
    assert {row.party: row.passed for row in table.rows} == {
        "YAP": True,
        "REAL": True,
        "MUS": False,
    }


def test_published_district_seats_are_re_derived_by_verify(api: Api, tmp_path: Path) -> None:
    poll_district(api)
    with transaction(api.sessions) as session:
        results = national_json(build_national_results(session))
        publication = gather_publication(session, now=datetime(2024, 9, 1, 20, 30, tzinfo=UTC))
    district = results["constituencies"][0]["district_list"]
    assert district["contest"] == DISTRICT
    assert district["threshold_votes"] == {"exact": "542/5", "decimal": "108.40"}
    assert district["threshold_counts_blank"] is True
    assert [holder["party"] for holder in district["seat_holders"]].count("YAP") == 2
    assert "district_list" not in results["constituencies"][1]
    assert results == publication.results
    snapshot = write_snapshot(publication, tmp_path / "published").folder
    assert verify_snapshot(snapshot).problems == []
    # open data: every district's quotient table, and its seats by party with the candidates
    tables = json.loads(
        (snapshot / "open-data/district-list-seats.json").read_text(encoding="utf-8")
    )
    assert tables == [{"constituency": 1} | district]
    csv_lines = (snapshot / "open-data/district-list-seats.csv").read_text(encoding="utf-8")
    assert csv_lines.splitlines()[1:] == [
        "constituency-1,1,YAP,700,yes,2,C001;C007,won",
        "constituency-1,1,REAL,560,yes,2,C008;C002,won",
        "constituency-1,1,MUS,95,no,0,,won",
    ]
    # the site: the district's threshold line, quotient table and seat holders
    page = (snapshot / constituency_page_path(1)).read_text(encoding="utf-8")
    assert "the threshold line is <strong>108.40</strong> votes" in page
    assert page.count('<tr class="below-threshold">') == 1
    assert "C008 (REAL, won)" in page
    index = (snapshot / "index.html").read_text(encoding="utf-8")
    assert "Party-list seats" not in index
    # a forger who moves a district seat is named by the re-derivation
    path = snapshot / "results.json"
    forged = json.loads(path.read_text(encoding="utf-8"))
    forged["constituencies"][0]["district_list"]["rows"][1]["seats"] = 1
    path.write_text(json.dumps(forged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert verify_snapshot(snapshot).problems != []


def _signed(credentials: IssuedCredentials, document: dict[str, Any]) -> Envelope:
    key = load_private_key(credentials.stations[document["station"]][2])
    return document, sign_document(document, key)


def _commission(session: Session) -> Principal:
    election_id = session.scalars(select(ElectionRow.id)).one()
    return Principal(0, Role.COMMISSION, election_id, None, None, "commission")


def test_a_district_protocol_is_judged_by_its_party_votes(api: Api) -> None:
    # The sheet's candidate figures add up (750 + 10 invalid = 760 cast) and name none of the
    # list candidates C007-C009, but the list ballot's votes (400 + 250 + 60 = 710) do not.
    sheet = with_list(good_figures(), 400, 250, 60)
    response = api.submit(district_protocol("001-0001", sheet))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "flagged"
    reason = body["reasons"][0]
    assert [r["code"] for r in body["reasons"]] == ["votes_and_invalid_differ_from_cast"]
    assert reason["params"]["left"] == 400 + 250 + 60 + sheet.invalid_ballots
    # A party missing from the list ballot's figures is what `candidate_missing` means here.
    partial = replace(sheet, party_votes={"YAP": 450, "REAL": 300}, ballots_cast=760)
    response = api.submit(
        district_protocol("001-0002", replace(partial, registered_voters=800)) | {"version": 1}
    )
    assert response.status_code == 201, response.text
    assert "candidate_missing" in [r["code"] for r in response.json()["reasons"]]


def test_bulk_submission_judges_district_protocols_alike(
    api: Api, credentials: IssuedCredentials
) -> None:
    good = district_protocol(
        "001-0001", with_list(good_figures({"C001": 400, "C002": 250, "C003": 60}), 400, 250, 60)
    )
    missing = district_protocol("001-0002", good_figures())
    unnamed = protocol("001-0003", 1, with_list(good_figures(), 1, 1, 1))
    envelopes = [_signed(credentials, document) for document in (good, missing, unnamed)]
    with transaction(api.sessions) as session:
        outcome = submit_protocols(
            session,
            principal=_commission(session),
            envelopes=envelopes,
            now=datetime(2024, 9, 1, 20, 15, tzinfo=UTC),
        )
    assert outcome.counts["refused"] == 2
    assert [(r.station, r.code) for r in outcome.refusals] == [
        ("001-0002", "party_votes_missing"),
        ("001-0003", "contest_missing"),
    ]
    with transaction(api.sessions) as session:
        table = build_national_results(session).constituencies[0].district_list
    assert table is not None
    assert table.base_votes == 710


def test_the_cli_seat_table_names_the_district_seats(api: Api) -> None:
    poll_district(api)
    with transaction(api.sessions) as session:
        document = national_json(build_national_results(session))
    console = Console(width=200, record=True)
    console.print(seats_table(document))
    text = console.export_text()
    assert "of which constituency-1 (list, threshold 8 %): YAP 2, REAL 2" in text
