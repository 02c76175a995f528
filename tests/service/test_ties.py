"""Ties decided by the law's own rule (election.yaml's `tie_rule`): the older or the younger
candidate by the birth dates of candidates.csv, else the lot the commission draws in public,
entered by one member and confirmed by a second; until then the seat is tied, lot pending."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.domain.electoral_systems.tie_rules import TieRule
from tallyroom.exports.nist_cdf import election_report_json
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import Principal, Role
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, NotFound
from tallyroom.service.results.lot_entry import confirm_lot, enter_lot
from tallyroom.service.results.publication import gather_publication
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.results_json import national_json
from tallyroom.store.database import transaction
from tallyroom.store.schema import ElectionRow
from tests.polled_election import figures
from tests.station_client import Api
from tests.tied_election import BIRTH_DATES, TIED_SEAT, poll_tie, tied_election_folder


def _member(session: Session, person: int) -> Principal:
    election_id = session.scalars(select(ElectionRow.id)).one()
    return Principal(None, Role.COMMISSION, election_id, None, None, "member", person)


def _tied_constituency(api: Api) -> dict[str, object]:
    with transaction(api.sessions) as session:
        document = national_json(build_national_results(session))
    return next(c for c in document["constituencies"] if c["number"] == 2)


def _seats(api: Api) -> dict[str, int]:
    with transaction(api.sessions) as session:
        results = build_national_results(session)
    # a party's seats, its members standing as independents included
    return {
        party.short_name: party.seats + party.member_seats
        for party in results.parties
        if party.seats + party.member_seats
    }


class TestTheOlderCandidate:
    @pytest.fixture
    def small_election(self, tmp_path: Path) -> Path:
        return tied_election_folder(tmp_path, "older_candidate", BIRTH_DATES)

    def test_the_older_candidate_takes_the_tied_seat(self, api: Api) -> None:
        poll_tie(api)
        constituency = _tied_constituency(api)
        assert constituency["tie"] is True
        decision = constituency["tie_decision"]
        assert decision == {
            "seat_holders": [{"candidate": "C004", "status": "won"}],
            "pending": None,
        }
        # C004 stands for YAP (party member): the seat goes to YAP's tally, not MUS's
        assert _seats(api).get("YAP", 0) >= 1
        assert "MUS" not in _seats(api)

    def test_birth_dates_and_the_rule_round_trip(self, api: Api, tmp_path: Path) -> None:
        with transaction(api.sessions) as session:
            definition = stored_definition(session)
        assert definition.election.tie_rule is TieRule.OLDER_CANDIDATE
        born = {c.code: c.birth_date for c in definition.candidates}
        assert {code: born[code].isoformat() for code in BIRTH_DATES} == BIRTH_DATES  # type: ignore[union-attr]
        write_definition(definition, tmp_path / "out")
        again = read_definition(tmp_path / "out")
        assert again.election.tie_rule is TieRule.OLDER_CANDIDATE
        assert {c.code: c.birth_date for c in again.candidates} == born


class TestTheYoungerCandidate:
    @pytest.fixture
    def small_election(self, tmp_path: Path) -> Path:
        return tied_election_folder(tmp_path, "younger_candidate", BIRTH_DATES)

    def test_the_younger_candidate_takes_the_tied_seat(self, api: Api) -> None:
        poll_tie(api)
        decision = _tied_constituency(api)["tie_decision"]
        assert decision["seat_holders"] == [{"candidate": "C005", "status": "won"}]  # type: ignore[index]


class TestAnAgeRuleWithoutBirthDates:
    @pytest.fixture
    def small_election(self, tmp_path: Path) -> Path:
        return tied_election_folder(tmp_path, "older_candidate")

    def test_the_seat_stays_open_naming_the_missing_dates(self, api: Api) -> None:
        poll_tie(api)
        decision = _tied_constituency(api)["tie_decision"]
        assert decision["seat_holders"] == []  # type: ignore[index]
        assert decision["pending"] == {  # type: ignore[index]
            "seat": "",
            "between": ["C004", "C005"],
            "reason": "birth_dates_missing",
        }


class TestTheLot:
    @pytest.fixture
    def small_election(self, tmp_path: Path) -> Path:
        return tied_election_folder(tmp_path, None)

    def test_tied_lot_pending_until_a_second_member_confirms_the_draw(self, api: Api) -> None:
        poll_tie(api)
        seats_before = _seats(api)
        decision = _tied_constituency(api)["tie_decision"]
        assert decision == {
            "seat_holders": [],
            "pending": {"seat": TIED_SEAT, "between": ["C004", "C005"], "reason": "lot_pending"},
        }
        with transaction(api.sessions) as session:
            entered = enter_lot(
                session,
                principal=_member(session, 1),
                seat=TIED_SEAT,
                won_by="C005",
                account="drawn from an urn at the public session of 3 September, observers present",
            )
        assert entered.state == "pending"
        # entered, not confirmed: still tied, lot pending, no seat given
        assert _tied_constituency(api)["tie_decision"]["pending"] is not None  # type: ignore[index]
        assert _seats(api) == seats_before
        with transaction(api.sessions) as session, pytest.raises(Forbidden) as same:
            confirm_lot(session, principal=_member(session, 1), lot_id=entered.id)
        assert same.value.code == "same_person"
        with transaction(api.sessions) as session:
            confirmed = confirm_lot(session, principal=_member(session, 2), lot_id=entered.id)
        assert confirmed.state == "confirmed"
        decision = _tied_constituency(api)["tie_decision"]
        assert decision == {
            "seat_holders": [{"candidate": "C005", "status": "won"}],
            "pending": None,
        }
        assert _seats(api).get("MUS") == 1
        with transaction(api.sessions) as session:
            assert audit_discrepancies(session) == []
            with pytest.raises(Conflict) as again:
                confirm_lot(session, principal=_member(session, 3), lot_id=entered.id)
        assert again.value.code == "already_confirmed"

    def test_a_lot_is_refused_where_the_law_does_not_call_for_one(self, api: Api) -> None:
        with transaction(api.sessions) as session, pytest.raises(NotFound) as none:
            enter_lot(
                session, principal=_member(session, 1), seat=TIED_SEAT, won_by="C004", account="x"
            )
        assert none.value.code == "no_tie"
        poll_tie(api)
        for won_by, account, code in (
            ("C001", "drawn in public", "not_tied"),
            ("C004", "  ", "account_required"),
            ("C004", "x" * 2001, "account_too_long"),
        ):
            with transaction(api.sessions) as session, pytest.raises(InvalidInput) as refused:
                enter_lot(
                    session,
                    principal=_member(session, 1),
                    seat=TIED_SEAT,
                    won_by=won_by,
                    account=account,
                )
            assert refused.value.code == code
        with transaction(api.sessions) as session:
            enter_lot(
                session, principal=_member(session, 1), seat=TIED_SEAT, won_by="C004", account="a"
            )
        with transaction(api.sessions) as session, pytest.raises(Conflict) as twice:
            enter_lot(
                session, principal=_member(session, 2), seat=TIED_SEAT, won_by="C005", account="b"
            )
        assert twice.value.code == "lot_entered"


class TestPublishedTies:
    @pytest.fixture
    def small_election(self, tmp_path: Path) -> Path:
        return tied_election_folder(
            tmp_path, "older_candidate", BIRTH_DATES | {"C001": "1970-01-01"}
        )

    def test_verify_re_derives_the_age_rule_from_the_published_birth_dates(
        self, api: Api, tmp_path: Path
    ) -> None:
        poll_tie(api)
        with transaction(api.sessions) as session:
            publication = gather_publication(session, now=datetime(2024, 9, 1, 20, 30, tzinfo=UTC))
        snapshot = write_snapshot(publication, tmp_path / "published").folder
        assert verify_snapshot(snapshot).problems == []
        published = read_definition(snapshot / "definition")
        born = {c.code: c.birth_date for c in published.candidates}
        # only the tied candidates' birth dates are published (C001 is tied with nobody)
        assert born["C004"] is not None
        assert born["C005"] is not None
        assert born["C001"] is None
        # a forged birth date moves the seat, and verify says the results disagree
        candidates = snapshot / "definition" / "candidates.csv"
        candidates.write_text(
            candidates.read_text(encoding="utf-8").replace("1975-11-30", "1950-11-30"),
            encoding="utf-8",
        )
        problems = verify_snapshot(snapshot).problems
        assert any("C004" in problem or "C005" in problem for problem in problems), problems


class TestPublishedLots:
    @pytest.fixture
    def small_election(self, tmp_path: Path) -> Path:
        return tied_election_folder(tmp_path, "lot")

    def test_the_confirmed_lot_is_published_and_verify_follows_it(
        self, api: Api, tmp_path: Path
    ) -> None:
        poll_tie(api)
        with transaction(api.sessions) as session:
            entered = enter_lot(
                session,
                principal=_member(session, 1),
                seat=TIED_SEAT,
                won_by="C005",
                account="drawn from an urn in public",
            )
            confirm_lot(session, principal=_member(session, 2), lot_id=entered.id)
        with transaction(api.sessions) as session:
            publication = gather_publication(session, now=datetime(2024, 9, 1, 20, 30, tzinfo=UTC))
        snapshot = write_snapshot(publication, tmp_path / "published").folder
        assert verify_snapshot(snapshot).problems == []
        lots = json.loads((snapshot / "lots.json").read_text(encoding="utf-8"))["lots"]
        assert [(lot["seat"], lot["won_by"], lot["state"]) for lot in lots] == [
            (TIED_SEAT, "C005", "confirmed")
        ]
        # the NIST CDF report names the lot's winner (its statuses are given on final results
        # only, so here, preliminary, neither is a winner yet; a tie is never one either)
        report = (snapshot / "nist/election-report.json").read_text(encoding="utf-8")
        assert '"winner"' not in report
        # without the lot, the published seat no longer follows from the snapshot
        (snapshot / "lots.json").unlink()
        problems = verify_snapshot(snapshot).problems
        assert any("C005" in problem for problem in problems), problems


def test_the_nist_report_follows_the_tie_rule_and_the_lot(tmp_path: Path) -> None:
    definition = read_definition(tied_election_folder(tmp_path, "lot"))
    protocols = {
        station.code: figures(
            {c.code: 0 for c in definition.candidates if c.constituency == station.constituency}
            | ({"C004": 225, "C005": 225} if station.constituency == 2 else {"C001": 1}),
            registered=station.registered_voters,
            issued_in_station=460 if station.constituency == 2 else 11,
            portable=0,
            invalid=10,
        )
        for station in definition.stations
    }
    moment = datetime(2024, 9, 2, tzinfo=UTC)

    def statuses(lots: dict[str, str] | None) -> dict[str, str | None]:
        report = election_report_json(
            definition, protocols, status="final", generated_at=moment, lots=lots
        )
        found: dict[str, str | None] = {}

        def walk(node: object) -> None:
            if isinstance(node, dict):
                if node.get("@type") == "ElectionResults.Candidate":
                    code = node["ExternalIdentifier"][0]["Value"]
                    found[code] = node.get("PostElectionStatus")
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(report)
        return found

    pending = statuses(None)
    assert (pending.get("C004"), pending.get("C005")) == (None, None)
    drawn = statuses({TIED_SEAT: "C005"})
    assert (drawn["C004"], drawn["C005"]) == ("defeated", "winner")
