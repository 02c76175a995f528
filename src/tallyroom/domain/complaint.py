"""Complaints and incident reports: categories with their deadlines, and the one path a
complaint takes (received → under review → upheld | dismissed), never skipping a state."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
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
    #: one of the commission's own checks (e.g. the poll book's double-vote check) filed it;
    #: only a service naming its actor files as the system, never a form or the API
    SYSTEM = "system"


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


#: the longest deadline a definition may set
MAXIMUM_DEADLINE_DAYS = 90


def deadline_days(value: Mapping[str, object]) -> tuple[tuple[ComplaintCategory, int], ...]:
    """A definition's deadlines (category → whole days, 1 to 90), sorted by category; a
    category not named keeps the default table's deadline. Raises ValueError naming the bad
    entry."""
    chosen: dict[ComplaintCategory, int] = {}
    for name, days in value.items():
        try:
            category = ComplaintCategory(str(name))
        except ValueError:
            known = ", ".join(c.value for c in ComplaintCategory)
            raise ValueError(f"{name!r} is not a complaint category ({known})") from None
        text = str(days).strip()
        if isinstance(days, bool) or not (text.isascii() and text.isdigit()):
            raise ValueError(f"{name}: {days!r} is not a whole number of days")
        if not 1 <= int(text) <= MAXIMUM_DEADLINE_DAYS:
            raise ValueError(f"{name}: from 1 to {MAXIMUM_DEADLINE_DAYS} days")
        chosen[category] = int(text)
    return tuple(sorted(chosen.items()))


def deadlines(
    chosen: Iterable[tuple[ComplaintCategory, int]] = (),
) -> dict[ComplaintCategory, timedelta]:
    """The deadline of every category: the definition's where it sets one, else the default."""
    table = dict(DEADLINES)
    table.update((category, timedelta(days=days)) for category, days in chosen)
    return table


def may_move(current: ComplaintStatus, wanted: ComplaintStatus) -> bool:
    return wanted in TRANSITIONS[current]


def tracking_number(election_code: str, serial: int) -> str:
    """Short enough to read over the phone: the election's initials and a serial."""
    initials = "".join(part[0] for part in election_code.split("-") if part).upper()[:4]
    return f"{initials}-C{serial:06d}"
