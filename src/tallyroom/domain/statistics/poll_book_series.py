"""Station-level series from the poll book (check-ins, day-of additions, absentee
certificates in and out, double votes) beside the protocols: where a station used a poll
book, the ballots it issued should match the voters it checked in (the rule set's tolerance,
1 % of the larger side); the stations that differ beyond it, and those with double votes,
are listed for the reader."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tallyroom.domain.rule_set import CHECK_IN_TOLERANCE
from tallyroom.domain.statistics.station_results import BoolArray, IntArray, StationResults

#: the stations listed by the size of their difference (the JSON has the counts of all)
LISTED_STATIONS = 50


@dataclass(frozen=True)
class PollBookSeries:
    """Aligned with the stations of a StationResults; a station that used no poll book has
    `used` False and zeros elsewhere (which are not read)."""

    used: BoolArray
    check_ins: IntArray
    additions: IntArray
    absentee_in: IntArray
    absentee_out: IntArray
    duplicates: IntArray

    def __len__(self) -> int:
        return len(self.used)

    def __post_init__(self) -> None:
        for name in ("check_ins", "additions", "absentee_in", "absentee_out", "duplicates"):
            if len(getattr(self, name)) != len(self.used):
                raise ValueError(f"poll book {name} has {len(getattr(self, name))} rows")


@dataclass(frozen=True)
class StationDifference:
    station: str
    ballots_issued: int
    check_ins: int
    duplicates: int


@dataclass(frozen=True)
class PollBookComparison:
    stations: int
    check_ins: int
    ballots_issued: int
    additions: int
    absentee_in: int
    absentee_out: int
    duplicates: int
    #: stations whose ballots issued differ from their check-ins beyond the tolerance
    differing_stations: int
    #: ballots issued beyond the check-ins, summed over the stations that issued more
    excess_ballots: int
    stations_with_duplicates: int
    #: the largest differences first, then the stations with double votes
    listed: tuple[StationDifference, ...]


def compare_poll_book(results: StationResults) -> PollBookComparison | None:
    """The poll book beside the protocols over the stations that used one; None without."""
    series = results.poll_book
    if series is None or not bool(series.used.any()):
        return None
    used = series.used
    issued = results.voters_issued_ballots[used]
    checked = series.check_ins[used]
    larger = np.maximum(np.abs(issued), np.abs(checked))
    allowed = (
        larger * CHECK_IN_TOLERANCE.value // 10_000
        if CHECK_IN_TOLERANCE.kind == "relative"
        else np.full(len(larger), CHECK_IN_TOLERANCE.value)
    )
    difference = issued - checked
    differing = np.abs(difference) > allowed
    duplicates = series.duplicates[used]
    codes = results.station_ids[used]
    order = sorted(
        (int(i) for i in np.flatnonzero(differing | (duplicates > 0))),
        key=lambda i: (-abs(int(difference[i])), -int(duplicates[i]), str(codes[i])),
    )[:LISTED_STATIONS]
    return PollBookComparison(
        stations=int(used.sum()),
        check_ins=int(checked.sum()),
        ballots_issued=int(issued.sum()),
        additions=int(series.additions[used].sum()),
        absentee_in=int(series.absentee_in[used].sum()),
        absentee_out=int(series.absentee_out[used].sum()),
        duplicates=int(duplicates.sum()),
        differing_stations=int(differing.sum()),
        excess_ballots=int(np.clip(difference, 0, None).sum()),
        stations_with_duplicates=int((duplicates > 0).sum()),
        listed=tuple(
            StationDifference(str(codes[i]), int(issued[i]), int(checked[i]), int(duplicates[i]))
            for i in order
        ),
    )
