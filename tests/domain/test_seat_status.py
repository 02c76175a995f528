"""The seat status rule: won once the count is complete (counted or annulled) or certified,
leading before; too close to call only while leading."""

from __future__ import annotations

import pytest

from tallyroom.domain.seat_status import (
    SeatStatus,
    count_complete,
    list_seat_status,
    seat_status,
    too_close_to_call,
)


@pytest.mark.parametrize(
    ("counted", "annulled", "complete"),
    [(0, 0, False), (2, 0, False), (3, 0, True), (2, 1, True), (0, 3, True)],
)
def test_a_count_is_complete_when_every_station_is_counted_or_annulled(
    counted: int, annulled: int, complete: bool
) -> None:
    assert (
        count_complete(stations_total=3, stations_counted=counted, stations_annulled=annulled)
        is complete
    )


def test_a_constituency_without_stations_is_never_complete() -> None:
    assert not count_complete(stations_total=0, stations_counted=0, stations_annulled=0)


@pytest.mark.parametrize(
    ("has_leader", "counted", "complete", "certified", "expected"),
    [
        (True, 1, False, False, SeatStatus.LEADING),
        (True, 3, True, False, SeatStatus.WON),
        (True, 1, False, True, SeatStatus.WON),
        (False, 3, True, False, None),  # tied
        (True, 0, False, False, None),  # nothing counted
    ],
)
def test_seat_status(
    has_leader: bool,
    counted: int,
    complete: bool,
    certified: bool,
    expected: SeatStatus | None,
) -> None:
    assert (
        seat_status(
            has_leader=has_leader, stations_counted=counted, complete=complete, certified=certified
        )
        is expected
    )


def test_only_a_lead_can_be_too_close_to_call() -> None:
    assert too_close_to_call(SeatStatus.LEADING, too_close=True)
    assert not too_close_to_call(SeatStatus.LEADING, too_close=False)
    assert not too_close_to_call(SeatStatus.WON, too_close=True)
    assert not too_close_to_call(None, too_close=True)


def test_list_seats_are_won_only_once_the_whole_country_is_counted() -> None:
    assert list_seat_status(has_votes=False, national_count_complete=True) is None
    assert list_seat_status(has_votes=True, national_count_complete=False) is SeatStatus.LEADING
    assert list_seat_status(has_votes=True, national_count_complete=True) is SeatStatus.WON
