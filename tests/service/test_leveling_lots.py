"""A tie in the leveling seats (tests/leveling_election.py with district 2 counted so that
MUS and REAL tie for the national step's last seat): open, lot pending, until the commission's
lot is entered and confirmed; then the running results, the snapshot and `tallyroom verify`
follow the recorded lot."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.definition.credentials import Principal, Role
from tallyroom.service.errors import NotFound
from tallyroom.service.results.lot_entry import confirm_lot, enter_lot
from tallyroom.service.results.publication import gather_publication
from tallyroom.service.results.results import build_national_results
from tallyroom.store.database import transaction
from tallyroom.store.schema import ElectionRow
from tests.commission_console import give_commission_key
from tests.leveling_election import leveling_documents, leveling_election_folder, leveling_protocol
from tests.polled_election import figures
from tests.station_client import Api


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return leveling_election_folder(tmp_path)


def _member(session: Session, person: int) -> Principal:
    election_id = session.scalars(select(ElectionRow.id)).one()
    return Principal(None, Role.COMMISSION, election_id, None, None, "member", person)


def _poll_tied(api: Api, stations: tuple[str, ...]) -> None:
    documents = leveling_documents()
    # district 2 as YAP 160, REAL 20, MUS 220: nationally YAP 760, REAL 320, MUS 320, and
    # MUS and REAL tie for the last of the national step's seats
    documents["002-0001"] = leveling_protocol(
        "002-0001",
        figures(
            {"C004": 160, "C005": 240},
            registered=600,
            added=5,
            issued_in_station=470,
            portable=10,
            invalid=15,
        ),
        160,
        20,
        220,
    )
    for station in stations:
        response = api.submit(documents[station])
        assert response.status_code == 201, response.text


def _leveling(api: Api) -> tuple[str, tuple[str, ...], list[tuple[str, str, str | None]]]:
    with transaction(api.sessions) as session:
        leveling = build_national_results(session).leveling
    assert leveling is not None
    return (
        leveling.lot_needed_for,
        leveling.lot_needed_between,
        [(s.district, s.party, s.candidate) for s in leveling.placed],
    )


def test_a_leveling_tie_waits_for_the_commissions_lot(api: Api, tmp_path: Path) -> None:
    _poll_tied(api, ("001-0001", "001-0002", "001-0003", "002-0001"))
    seat, between, placed = _leveling(api)
    assert between == ("MUS", "REAL")
    assert seat.startswith("national leveling step")
    # never a silent pick: no leveling seat is placed while the tie stands
    assert placed == []
    page = api.client.get("/?lang=en").text
    assert f'data-tie="lot_pending" data-lot-seat="{seat}"' in page
    assert "Tied, lot pending" in page
    assert "MUS, REAL" in page
    # every district certified, the nation is not while a leveling seat awaits its lot
    give_commission_key(api)
    for number in (1, 2):
        response = api.client.post(
            f"/api/v1/constituencies/{number}/certification", headers=api.commission
        )
        assert response.status_code == 201, response.text
    refused = api.client.post("/api/v1/certification", headers=api.commission)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "tie"), refused.text
    with transaction(api.sessions) as session, pytest.raises(NotFound):
        enter_lot(
            session,
            principal=_member(session, 1),
            seat="leveling seat 9",
            won_by="MUS",
            account="urn",
        )
    with transaction(api.sessions) as session:
        entered = enter_lot(
            session,
            principal=_member(session, 1),
            seat=seat,
            won_by="MUS",
            account="drawn from an urn at the public session, observers present",
        )
    # entered, not confirmed: still tied, lot pending
    assert _leveling(api)[2] == []
    with transaction(api.sessions) as session:
        confirm_lot(session, principal=_member(session, 2), lot_id=entered.id)
    seat_after, between_after, placed = _leveling(api)
    assert (seat_after, between_after) == ("", ())
    assert 'data-tie="lot_pending"' not in api.client.get("/?lang=en").text
    assert ("1", "MUS", "C009") in placed
    assert all(candidate is not None for _, _, candidate in placed)
    with transaction(api.sessions) as session:
        results = build_national_results(session)
        publication = gather_publication(session, now=datetime(2024, 9, 1, 20, 30, tzinfo=UTC))
    certified = api.client.post("/api/v1/certification", headers=api.commission)
    assert certified.status_code == 201, certified.text
    held = {group.party: group.seats for group in results.seats}
    assert held["MUS"] == 2  # its district seat and the leveling seat the lot gave it
    snapshot = write_snapshot(publication, tmp_path / "published").folder
    assert verify_snapshot(snapshot).problems == []
    lots = json.loads((snapshot / "lots.json").read_text(encoding="utf-8"))["lots"]
    assert [(lot["seat"], lot["won_by"]) for lot in lots] == [(seat, "MUS")]
    # without the lot, the published leveling seat no longer follows from the snapshot
    (snapshot / "lots.json").unlink()
    assert verify_snapshot(snapshot).problems != []
