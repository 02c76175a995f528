"""Outages are the silences between heartbeats; monitored means up ≥ 90 % of voting and all
of the count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tallyroom.domain.webcam_uptime import Outage, downtime, is_monitored, outages_between

OPENS = datetime(2024, 9, 1, 4, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(hours=11)
COUNTED = CLOSES + timedelta(hours=2)


def every(minutes: int, start: datetime, end: datetime) -> list[datetime]:
    beats, moment = [], start
    while moment <= end:
        beats.append(moment)
        moment += timedelta(minutes=minutes)
    return beats


def test_gaps_longer_than_the_limit_are_outages() -> None:
    beats = every(5, OPENS, OPENS + timedelta(hours=1)) + every(
        5, OPENS + timedelta(hours=2), COUNTED
    )
    (outage,) = outages_between(beats, OPENS, COUNTED)
    assert outage == Outage(OPENS + timedelta(hours=1), OPENS + timedelta(hours=2))
    assert outages_between([], OPENS, CLOSES) == [Outage(OPENS, CLOSES)]
    assert outages_between(every(9, OPENS, COUNTED), OPENS, COUNTED) == []


def test_monitored_needs_90_percent_of_voting_and_all_of_the_count() -> None:
    voting, count = (OPENS, CLOSES), (CLOSES, COUNTED)
    short = [Outage(OPENS, OPENS + timedelta(minutes=60))]  # 60 of 660 minutes: 9 %
    long = [Outage(OPENS, OPENS + timedelta(minutes=67))]  # over 10 %
    during_count = [Outage(CLOSES + timedelta(minutes=30), CLOSES + timedelta(minutes=41))]
    assert is_monitored(short, voting=voting, count=count)
    assert not is_monitored(long, voting=voting, count=count)
    assert not is_monitored(during_count, voting=voting, count=count)
    assert downtime(during_count, *voting) == timedelta(0)
