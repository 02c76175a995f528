"""Complaints and incident reports: categories with their deadlines, and the one path a
complaint takes (received → under review → upheld | dismissed), never skipping a state."""

from __future__ import annotations

import enum
from datetime import timedelta


class ComplaintCategory(enum.StrEnum):
    MULTIPLE_VOTING = "multiple_voting"
    BALLOT_STUFFING = "ballot_stuffing"
    PRESSURE_ON_VOTERS = "pressure_on_voters"
    OBSTRUCTION_OF_OBSERVERS = "obstruction_of_observers"
    CAMPAIGNING_AT_STATION = "campaigning_at_station"
    PROTOCOL_DISCREPANCY = "protocol_discrepancy"
    OTHER = "other"


class ComplaintStatus(enum.StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    UPHELD = "upheld"
    DISMISSED = "dismissed"

    @property
    def is_decided(self) -> bool:
        return self in (ComplaintStatus.UPHELD, ComplaintStatus.DISMISSED)


class ComplaintSubject(enum.StrEnum):
    STATION = "station"
    CONSTITUENCY = "constituency"
    COMMISSION = "commission"


class ReporterKind(enum.StrEnum):
    OBSERVER = "observer"
    PARTY = "party"
    CANDIDATE = "candidate"
    VOTER = "voter"


#: the reporter of a complaint the system files itself (never one the public may choose): the
#: commission's poll-book monitor files every double vote the poll books recorded
MONITOR_REPORTER_KIND = "commission"
POLL_BOOK_MONITOR = "poll-book monitor"
POLL_BOOK_MONITOR_ACTOR = "system:poll-book-monitor"


class StationRemedy(enum.StrEnum):
    """What an upheld complaint about a station may lead to."""

    RECOUNT = "recount"
    ANNULMENT = "annulment"


#: the state each state may move to; nothing else
TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    ComplaintStatus.RECEIVED: frozenset({ComplaintStatus.UNDER_REVIEW}),
    ComplaintStatus.UNDER_REVIEW: frozenset({ComplaintStatus.UPHELD, ComplaintStatus.DISMISSED}),
    ComplaintStatus.UPHELD: frozenset(),
    ComplaintStatus.DISMISSED: frozenset(),
}

#: how long the commission has to decide; what can change a result goes first (the results
#: are certified within days of polling day)
DEADLINES: dict[ComplaintCategory, timedelta] = {
    ComplaintCategory.MULTIPLE_VOTING: timedelta(days=2),
    ComplaintCategory.BALLOT_STUFFING: timedelta(days=2),
    ComplaintCategory.PROTOCOL_DISCREPANCY: timedelta(days=2),
    ComplaintCategory.PRESSURE_ON_VOTERS: timedelta(days=3),
    ComplaintCategory.OBSTRUCTION_OF_OBSERVERS: timedelta(days=3),
    ComplaintCategory.CAMPAIGNING_AT_STATION: timedelta(days=3),
    ComplaintCategory.OTHER: timedelta(days=5),
}


def may_move(current: ComplaintStatus, wanted: ComplaintStatus) -> bool:
    return wanted in TRANSITIONS[current]


def tracking_number(election_code: str, serial: int) -> str:
    """Short enough to read over the phone: the election's initials and a serial."""
    initials = "".join(part[0] for part in election_code.split("-") if part).upper()[:4]
    return f"{initials}-C{serial:06d}"
