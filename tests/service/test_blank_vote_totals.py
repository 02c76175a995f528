"""Blank votes added up: the counted result keeps a protocol's blank-votes line, the
constituency total sums it (an amendment replaces it), the results show it once there is
one, and the audit verification recomputes it like every other total."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select, update

from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.results_json import national_json
from tallyroom.store.database import transaction
from tallyroom.store.schema import ConstituencyTotalRow, PollingStationRow, StationResultRow
from tests.station_client import Api, good_figures, protocol

VOTES = {"C001": 400, "C002": 250, "C003": 90}


def blank(count: int) -> ProtocolFigures:
    # The small election's rules (the reference ones) do not name blank votes: its control
    # checks stand as without the line.
    return replace(good_figures(VOTES), blank_votes=count)


def stored(api: Api) -> tuple[int | None, int]:
    with transaction(api.sessions) as session:
        station = session.scalars(
            select(PollingStationRow).where(PollingStationRow.code == "001-0001")
        ).one()
        result = session.get(StationResultRow, station.id)
        total = session.get_one(ConstituencyTotalRow, station.constituency_id)
        return (result.blank_votes if result else None), int(total.blank_votes)


def test_blank_votes_are_added_up_and_replaced_by_an_amendment(api: Api) -> None:
    with transaction(api.sessions) as session:
        assert "blank_votes" not in national_json(build_national_results(session))
    response = api.submit(protocol("001-0001", 1, blank(5)))
    assert response.json()["status"] == "accepted", response.text
    assert stored(api) == (5, 5)
    response = api.submit(
        protocol("001-0001", 2, blank(7), amendment_reason="blank ballots recounted")
    )
    assert response.json()["status"] == "accepted", response.text
    assert stored(api) == (7, 7)
    with transaction(api.sessions) as session:
        results = national_json(build_national_results(session))
        assert audit_discrepancies(session) == []
    assert results["blank_votes"] == 7
    assert results["constituencies"][0]["blank_votes"] == 7
    assert "blank_votes" not in results["constituencies"][1]


def test_a_protocol_without_the_line_adds_nothing(api: Api) -> None:
    response = api.submit(protocol())
    assert response.json()["status"] == "accepted", response.text
    assert stored(api) == (None, 0)


def test_an_edited_blank_total_is_named_by_the_audit_verification(api: Api) -> None:
    api.submit(protocol("001-0001", 1, blank(5)))
    with transaction(api.sessions) as session:
        session.execute(
            update(ConstituencyTotalRow).values(blank_votes=ConstituencyTotalRow.blank_votes + 1)
        )
        session.execute(update(StationResultRow).values(blank_votes=9))
    with transaction(api.sessions) as session:
        problems = audit_discrepancies(session)
    assert any("column blank_votes: is 9, its counted protocol says 5" in p for p in problems)
    assert any("blank_votes total is 6, protocols add up to 5" in p for p in problems)
