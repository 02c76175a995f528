"""Webcam uptime: outages are the gaps between a camera's heartbeats, and a station counts as
monitored only if its camera was up for at least 90 % of voting and all of the count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

#: a camera silent this long is down (the monitor pings every minute or so)
HEARTBEAT_GAP = timedelta(minutes=10)
#: share of voting hours a camera must be up for its station to count as monitored
MONITORED_VOTING_SHARE = 0.9


@dataclass(frozen=True, slots=True)
class Outage:
    started_at: datetime
    ended_at: datetime


def outages_between(
    heartbeats: Sequence[datetime],
    start: datetime,
    end: datetime,
    gap: timedelta = HEARTBEAT_GAP,
    *,
    last_before: datetime | None = None,
) -> list[Outage]:
    """The spans in [start, end] longer than `gap` with no heartbeat (from the last heartbeat
    before the silence to the next one, or to `end`); `last_before` is the camera's last
    heartbeat before `start`, if any (a silence that began before `start` is cut at it)."""
    beats = sorted(moment for moment in heartbeats if start < moment <= end)
    outages: list[Outage] = []
    previous = last_before if last_before is not None else start
    for beat in beats:
        if beat - previous > gap:
            outages.append(Outage(max(previous, start), beat))
        previous = beat
    if end - previous > gap:
        outages.append(Outage(max(previous, start), end))
    return outages


def downtime(outages: Sequence[Outage], start: datetime, end: datetime) -> timedelta:
    """How much of [start, end] the outages cover."""
    total = timedelta(0)
    for outage in outages:
        overlap = min(outage.ended_at, end) - max(outage.started_at, start)
        if overlap > timedelta(0):
            total += overlap
    return total


def is_monitored(
    outages: Sequence[Outage],
    *,
    voting: tuple[datetime, datetime],
    count: tuple[datetime, datetime],
) -> bool:
    """Up for at least 90 % of voting and for all of the count."""
    voting_length = voting[1] - voting[0]
    voting_up = voting_length - downtime(outages, *voting)
    return voting_up >= voting_length * MONITORED_VOTING_SHARE and downtime(
        outages, *count
    ) == timedelta(0)
