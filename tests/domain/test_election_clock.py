from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tallyroom.domain.election import Election, VotingHours
from tallyroom.domain.election_clock import ClockKind, ElectionClock

ELECTION = Election(
    code="e",
    name="E",
    country="AZ",
    polling_day=date(2024, 9, 1),
    timezone="Asia/Baku",
    voting_hours=VotingHours(opens=time(8), closes=time(19)),
    turnout_report_times=(time(10), time(12), time(15), time(19)),
    seats=2,
)


def fixed(moment: datetime) -> ElectionClock:
    return ElectionClock.real(wall_clock=lambda: moment)


def test_real_time_is_the_wall_clock_in_the_election_zone() -> None:
    clock = fixed(datetime(2024, 9, 1, 7, 30, tzinfo=UTC))  # 11:30 in Baku (UTC+4)
    assert clock.kind is ClockKind.REAL
    assert not clock.is_drill
    assert clock.now(ELECTION).strftime("%Y-%m-%d %H:%M") == "2024-09-01 11:30"
    assert clock.reporting_hour_problem(ELECTION, time(10)) is None
    assert clock.reporting_hour_problem(ELECTION, time(12)) == "before_its_hour"


def test_real_time_on_another_day_is_outside_polling_day() -> None:
    clock = fixed(datetime(2026, 12, 2, 7, 30, tzinfo=UTC))
    assert clock.reporting_hour_problem(ELECTION, time(10)) == "outside_polling_day"
    # 23:30 UTC on the eve is already 03:30 on polling day in Baku
    eve = fixed(datetime(2024, 8, 31, 23, 30, tzinfo=UTC))
    assert eve.reporting_hour_problem(ELECTION, time(10)) == "before_its_hour"


def test_a_drill_maps_polling_day_onto_now_at_its_speed() -> None:
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    now = [start]
    clock = ElectionClock.drill(speed=1200, started_at=start, wall_clock=lambda: now[0])
    assert clock.is_drill
    assert clock.now(ELECTION).strftime("%Y-%m-%d %H:%M") == "2024-09-01 08:00"
    assert clock.reporting_hour_problem(ELECTION, time(10)) == "before_its_hour"
    now[0] = start + timedelta(seconds=6)  # two polling-day hours at 1,200×
    assert clock.now(ELECTION).strftime("%H:%M") == "10:00"
    assert clock.reporting_hour_problem(ELECTION, time(10)) is None
    now[0] = start + timedelta(seconds=60)  # 20 hours on: past midnight
    assert clock.reporting_hour_problem(ELECTION, time(19)) == "outside_polling_day"


def test_a_drill_standing_still_stands_at_the_close_or_where_it_was_set() -> None:
    standing = ElectionClock.drill(speed=0)
    assert standing.now(ELECTION).strftime("%Y-%m-%d %H:%M") == "2024-09-01 19:00"
    assert all(
        standing.reporting_hour_problem(ELECTION, hour) is None
        for hour in ELECTION.turnout_report_times
    )
    morning = ElectionClock.drill(speed=0, starts=time(9, 30))
    assert morning.reporting_hour_problem(ELECTION, time(10)) == "before_its_hour"
