"""The poll books' part of the polling day: each station whose voters are on the loaded
register sends what its desks checked in every hour (a batch, as an offline-capable desk
does), so that by each reporting hour about as many voters are checked in as the station
reports, and by the close exactly as many as its protocol issues ballots to (the last
`ballots_issued_portable` of them at the portable box). Each station has one or two desks
(every other station two), voters taking turns between them, each desk sending its own
batches under its own enrolment. One station's second desk checks a voter in again while
offline: a double vote, filed as a complaint, for the site to show."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time

from tallyroom.scenarios.polling_day import PollingDayPlan
from tallyroom.service.register.poll_book import MAXIMUM_BATCH

#: how often a station's poll book sends what it has (simulated minutes)
BATCH_EVERY_MINUTES = 60
#: the client reference of the planted second check-in
DOUBLE_VOTE_SUFFIX = "-again"
#: desks at a busy station (every other one, and the double vote's); the rest have one
BUSY_STATION_DESKS = 2


@dataclass(frozen=True, slots=True)
class CheckIn:
    voter: str
    client_reference: str
    portable: bool = False


@dataclass(frozen=True, slots=True)
class CheckInBatch:
    """A station's desk sending what it checked in since its last batch."""

    minute: int
    station: str
    check_ins: tuple[CheckIn, ...]
    #: which of the station's desks sends it: 1, 2 … (the order the simulator enrols them in)
    desk: int = 1


def desks_by_station(batches: Sequence[CheckInBatch]) -> dict[str, int]:
    """How many desks each station's batches come from (the desks to enrol), in station order."""
    desks: dict[str, int] = {}
    for batch in batches:
        desks[batch.station] = max(desks.get(batch.station, 0), batch.desk)
    return dict(sorted(desks.items()))


def check_in_timeline(
    plan: PollingDayPlan,
    register: Mapping[str, Sequence[str]],
    *,
    opens: time,
    closes: time,
    every_minutes: int = BATCH_EVERY_MINUTES,
) -> list[CheckInBatch]:
    """Batches of the stations in `register` (station code → its voters' ids, in register
    order), in time order."""
    start = opens.hour * 60 + opens.minute
    close = closes.hour * 60 + closes.minute
    batches: list[CheckInBatch] = []
    planted = False
    for ordinal, station in enumerate(plan.stations):
        voters = register.get(station.station)
        if not voters:
            continue
        # the station of the planted double vote has its second desk (every other one too)
        desks = BUSY_STATION_DESKS if ordinal % 2 == 0 or not planted else 1
        total = min(station.protocol.ballots_issued, len(voters))
        portable_from = total - min(station.protocol.ballots_issued_portable, total)
        points = [(start, 0)]
        for moment, voted in zip(plan.report_times, station.turnout, strict=False):
            points.append((moment.hour * 60 + moment.minute, min(voted, total)))
        points.append((close, total))
        done = 0
        minutes = [*range(start + every_minutes, close, every_minutes), close]
        for minute in minutes:
            target = total if minute == close else max(done, _interpolated(points, minute))
            check_ins = [
                CheckIn(voters[i], f"{station.station}-{i:05d}", portable=i >= portable_from)
                for i in range(done, target)
            ]
            # voters take turns between the desks: voter i at desk i mod desks
            by_desk = [
                [c for i, c in zip(range(done, target), check_ins, strict=True) if i % desks == d]
                for d in range(desks)
            ]
            if minute == close and not planted and done > 0:
                # the last desk (the second where there are two), offline, checked the first
                # voter in again: desk 1 had checked them in
                by_desk[-1].append(
                    CheckIn(voters[0], f"{station.station}-00000{DOUBLE_VOTE_SUFFIX}")
                )
                planted = True
            done = target
            for desk, desk_check_ins in enumerate(by_desk, start=1):
                for first in range(0, len(desk_check_ins), MAXIMUM_BATCH):
                    batches.append(
                        CheckInBatch(
                            minute,
                            station.station,
                            tuple(desk_check_ins[first : first + MAXIMUM_BATCH]),
                            desk,
                        )
                    )
    batches.sort(key=lambda batch: batch.minute)
    return batches


def _interpolated(points: list[tuple[int, int]], minute: int) -> int:
    """The cumulative check-ins at `minute`, linear between the known points."""
    for (left, low), (right, high) in itertools.pairwise(points):
        if left <= minute <= right:
            if right == left:
                return high
            return low + (high - low) * (minute - left) // (right - left)
    return points[-1][1]
