"""The polling day as a timeline of what stations and the commission send, and when.

Pure data from the scenario's plan: turnout at the reporting hours, relayed by each
constituency commission for its stations in one batch; protocols after the close, each from
its station in order of arrival (a wrong first version first, its amendment later); and the
commission's annulment of one station when its protocol arrives. A sample of stations also
photograph their signed paper protocol: their documents are marked to carry the photo's
SHA-256, and the photo follows each stored version (simulator/tally_sheet_photo.py)."""

from __future__ import annotations

import enum
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any

from tallyroom.domain.contest import contest_code
from tallyroom.domain.protocol_document import document_of
from tallyroom.scenarios.polling_day import PollingDayPlan
from tallyroom.simulator.check_in_timeline import CheckInBatch

#: turnout reports reach the commission over the first minutes after each reporting hour
TURNOUT_SPREAD_MINUTES = 20
ANNULMENT_REASON = (
    "observers' complaint upheld: the count at this station was not open to observers"
)


class Until(enum.StrEnum):
    #: the preliminary result is announced
    ANNOUNCEMENT = "announcement"
    #: every protocol is in
    END = "end"


@dataclass(frozen=True, slots=True)
class TurnoutBatch:
    """A constituency commission relaying its stations' figures for one reporting hour."""

    minute: int
    constituency: int
    as_of: str
    #: (station code, voters so far)
    reports: tuple[tuple[str, int], ...]

    @property
    def station(self) -> str:
        # Events are routed to clients by this key: one commission, one client, in order.
        return f"constituency-{self.constituency}"


@dataclass(frozen=True, slots=True)
class ProtocolSubmission:
    minute: int
    station: str
    document: dict[str, Any]
    #: a first version with a mistake the control checks should flag
    erroneous: bool = False
    #: the station photographs the signed paper protocol: the client draws the photo, signs
    #: its SHA-256 inside the document and sends it once the version is stored
    photographed: bool = False


@dataclass(frozen=True, slots=True)
class Annulment:
    minute: int
    station: str
    reason: str


TimelineEvent = TurnoutBatch | ProtocolSubmission | Annulment | CheckInBatch
_ORDER = {CheckInBatch: 0, TurnoutBatch: 1, ProtocolSubmission: 2, Annulment: 3}


def minute_of_day(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def clock_label(minute: int) -> str:
    """HH:MM on polling day, with "+1" once past midnight."""
    day, rest = divmod(minute, 24 * 60)
    return f"{rest // 60:02d}:{rest % 60:02d}" + (f" +{day}" if day else "")


def photographs(station: str, *, seed: int, percent: float) -> bool:
    """Whether the station is among the `percent` of stations that photograph their tally
    sheet: a fixed draw per station and seed, the same in every run and independent of the
    timeline's other draws."""
    return zlib.crc32(f"{seed}:photo:{station}".encode()) % 10_000 < round(percent * 100)


def polling_day_timeline(
    plan: PollingDayPlan,
    *,
    election: str,
    closes: time,
    until: Until,
    seed: int,
    check_ins: Sequence[CheckInBatch] = (),
    photo_percent: float = 0.0,
) -> list[TimelineEvent]:
    """Every event up to the chosen end, in the order they happen (minutes since midnight);
    the poll books' batches (`check_ins`) among them; `photo_percent` of the stations
    photograph every version of their tally sheet."""
    rng = random.Random(seed)
    close = minute_of_day(closes)
    last = close + plan.announcement_after_minutes if until is Until.ANNOUNCEMENT else None
    events: list[TimelineEvent] = []
    by_constituency: dict[int, list[tuple[str, tuple[int, ...]]]] = {}
    for station in plan.stations:
        by_constituency.setdefault(station.constituency, []).append(
            (station.station, station.turnout)
        )
    for constituency, stations in sorted(by_constituency.items()):
        for index, moment in enumerate(plan.report_times):
            events.append(
                TurnoutBatch(
                    minute=minute_of_day(moment) + rng.randint(0, TURNOUT_SPREAD_MINUTES),
                    constituency=constituency,
                    as_of=f"{moment:%H:%M}",
                    reports=tuple((code, turnout[index]) for code, turnout in stations),
                )
            )
    for station in plan.stations:
        version = 1
        photographed = photographs(station.station, seed=seed, percent=photo_percent)
        if station.first_submission is not None:
            wrong = station.first_submission
            events.append(
                ProtocolSubmission(
                    minute=close + wrong.arrival_minutes,
                    station=station.station,
                    document=document_of(
                        election=election,
                        station=station.station,
                        version=1,
                        figures=wrong.figures,
                        contest=contest_code(station.constituency),
                    ),
                    erroneous=True,
                    photographed=photographed,
                )
            )
            version = 2
        arrival = close + station.arrival_minutes
        events.append(
            ProtocolSubmission(
                minute=arrival,
                station=station.station,
                document=document_of(
                    election=election,
                    station=station.station,
                    version=version,
                    figures=station.protocol,
                    amendment_reason=station.first_submission.mistake
                    if station.first_submission
                    else None,
                    contest=contest_code(station.constituency),
                ),
                photographed=photographed,
            )
        )
        if station.annulled:
            events.append(
                Annulment(minute=arrival, station=station.station, reason=ANNULMENT_REASON)
            )
    events.extend(check_ins)
    if last is not None:
        events = [event for event in events if event.minute <= last]
    events.sort(key=lambda event: (event.minute, _ORDER[type(event)]))
    return events
