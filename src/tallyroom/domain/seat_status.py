"""Whether a constituency's leader has won the seat or only leads: won once the count is
complete (every station counted or annulled by decision) or the contest certified; and the
same for the seats of a national party-list contest."""

from __future__ import annotations

import enum


class SeatStatus(enum.StrEnum):
    #: the count is complete or the contest certified: the leader holds the seat
    WON = "won"
    #: stations are still to be counted: the leader may yet be overtaken
    LEADING = "leading"


def count_complete(*, stations_total: int, stations_counted: int, stations_annulled: int) -> bool:
    """Every station of the constituency is counted or annulled by the commission's decision."""
    return stations_total > 0 and stations_counted + stations_annulled >= stations_total


def seat_status(
    *, has_leader: bool, stations_counted: int, complete: bool, certified: bool
) -> SeatStatus | None:
    """The seat's status, or None while there is no seat to mark: no protocol counted yet,
    or the lead tied (a tie is never broken here)."""
    if not has_leader or stations_counted == 0:
        return None
    return SeatStatus.WON if complete or certified else SeatStatus.LEADING


def list_seat_status(*, has_votes: bool, national_count_complete: bool) -> SeatStatus | None:
    """The status of a national list contest's seats: won once every station in the country is
    counted or annulled by decision (a list seat depends on every vote), leading before; None
    while no list vote is counted. A list contest has no certification of its own here: the
    constituencies' certifications do not settle it."""
    if not has_votes:
        return None
    return SeatStatus.WON if national_count_complete else SeatStatus.LEADING


def too_close_to_call(status: SeatStatus | None, *, too_close: bool) -> bool:
    """A leader whose margin is below the election's too-close threshold while the count
    goes on (the plurality rule decides `too_close`); a won seat is called, however narrow."""
    return status is SeatStatus.LEADING and too_close
