"""Ties in a two-round contest decided by the election's tie rule: the last qualifying place
for round 2 (domain), and round 2's winner (the older candidate, as France's L126; or the
commission's lot, entered and confirmed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.electoral_systems.contest_seats import ContestTies
from tallyroom.domain.electoral_systems.drawn_lot import TieNeedsLot
from tallyroom.domain.electoral_systems.tie_rules import TieRule
from tallyroom.domain.protocol_document import document_of
from tallyroom.domain.runoff import second_round_of
from tallyroom.service.definition.credentials import Principal, Role, authenticate
from tallyroom.service.results.lot_entry import confirm_lot, enter_lot
from tallyroom.service.results.runoff_protocols import round_two_results
from tallyroom.service.results.runoffs import define_runoff
from tallyroom.store.database import transaction
from tallyroom.store.schema import ElectionRow
from tests.polled_election import figures
from tests.runoff_election import certify
from tests.station_client import Api
from tests.tied_election import BIRTH_DATES, tied_election_folder

ROUND_TWO = "constituency-2/round-2"

#: nobody reaches 12.5 % of 10,000 registered: the best two stand, B and C tied for second
VOTES = {"A": 100, "B": 50, "C": 50}
BORN = {"A": date(1980, 1, 1), "B": date(1950, 6, 1), "C": date(1990, 6, 1)}


@pytest.mark.parametrize(
    ("rule", "second"), [(TieRule.OLDER_CANDIDATE, "B"), (TieRule.YOUNGER_CANDIDATE, "C")]
)
def test_the_last_round_two_place_goes_by_the_age_rule(rule: TieRule, second: str) -> None:
    outcome = second_round_of(VOTES, registered=10_000, ties=ContestTies(rule, BORN))
    assert outcome.standing == ("A", second)


def test_the_last_round_two_place_left_to_the_lot_waits_for_it_then_follows_it() -> None:
    with pytest.raises(TieNeedsLot) as tie:
        second_round_of(VOTES, registered=10_000, constituency="constituency-9")
    assert tie.value.between == ("B", "C")
    lots = {tie.value.seat: "C"}
    outcome = second_round_of(
        VOTES, registered=10_000, constituency="constituency-9", ties=ContestTies(lots=lots)
    )
    assert outcome.standing == ("A", "C")


def _round_two_tied(api: Api) -> None:
    """Constituency 2 two-round: round 1 C004 200, C005 200 (both past 12.5 % of 600),
    certified, round 2 defined; round 2's one station C004 225, C005 225."""
    round_one = document_of(
        election="small-2024",
        station="002-0001",
        version=1,
        figures=figures(
            {"C004": 200, "C005": 200},
            registered=600,
            issued_in_station=410,
            portable=0,
            invalid=10,
        ),
    )
    assert api.submit(round_one).json()["status"] == "accepted"
    certify(api, 2)
    with transaction(api.sessions) as session:
        commission = authenticate(session, api.credentials.commission_token)
        define_runoff(session, principal=commission, contest="constituency-2")
    round_two = document_of(
        election="small-2024",
        station="002-0001",
        version=1,
        contest=ROUND_TWO,
        figures=figures(
            {"C004": 225, "C005": 225},
            registered=600,
            issued_in_station=460,
            portable=0,
            invalid=10,
        ),
    )
    response = api.submit(round_two)
    assert response.status_code == 201, response.text


def _round_two(api: Api) -> dict[str, object]:
    with transaction(api.sessions) as session:
        election_id = session.scalars(select(ElectionRow.id)).one()
        return round_two_results(session, election_id)[ROUND_TWO].as_dict()


class TestTheOlderWinsRoundTwo:
    @pytest.fixture
    def small_election(self, tmp_path: Path) -> Path:
        folder = tied_election_folder(tmp_path, "older_candidate", BIRTH_DATES)
        _two_round(folder)
        return folder

    def test_round_twos_tie_goes_to_the_older(self, api: Api) -> None:
        _round_two_tied(api)
        counted = _round_two(api)
        assert (counted["leader"], counted["tied"], counted["status"]) == (
            "C004",
            ["C004", "C005"],
            "won",
        )
        assert "tie_pending" not in counted


class TestALotDecidesRoundTwo:
    @pytest.fixture
    def small_election(self, tmp_path: Path) -> Path:
        folder = tied_election_folder(tmp_path, "lot")
        _two_round(folder)
        return folder

    def test_round_two_waits_for_the_lot_then_follows_it(self, api: Api) -> None:
        _round_two_tied(api)
        counted = _round_two(api)
        assert (counted["leader"], counted["status"]) == (None, None)
        seat = f"{ROUND_TWO} seat 1"
        assert counted["tie_pending"] == {
            "seat": seat,
            "between": ["C004", "C005"],
            "reason": "lot_pending",
        }
        with transaction(api.sessions) as session:
            entered = enter_lot(
                session, principal=_member(session, 1), seat=seat, won_by="C005", account="urn"
            )
        with transaction(api.sessions) as session:
            confirm_lot(session, principal=_member(session, 2), lot_id=entered.id)
        counted = _round_two(api)
        assert (counted["leader"], counted["status"]) == ("C005", "won")


def _member(session: Session, person: int) -> Principal:
    election_id = session.scalars(select(ElectionRow.id)).one()
    return Principal(None, Role.COMMISSION, election_id, None, None, "member", person)


def _two_round(folder: Path) -> None:
    path = folder / "election.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("kind: single_member_plurality", "kind: two_round_majority"),
        encoding="utf-8",
    )
