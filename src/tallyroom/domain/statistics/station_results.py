"""Station-level results as parallel numpy arrays: the input of every integrity test."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from tallyroom.domain.statistics.poll_book_series import PollBookSeries

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
TextArray = npt.NDArray[np.str_]


class LeaderScope(enum.StrEnum):
    """Where the "winner" whose share the tests follow is decided."""

    #: one national contest (president, national list): the national leader everywhere
    NATIONAL = "national"
    #: single-member districts: the winner of each constituency, within that constituency
    CONSTITUENCY = "constituency"


@dataclass(frozen=True)
class StationResults:
    """One row per polling station; a registered_voters of 0 means "not known"."""

    station_ids: TextArray
    #: constituency or region of each station; comparisons are made within it
    regions: TextArray
    registered_voters: IntArray
    #: valid plus invalid ballots found in the boxes
    ballots_cast: IntArray
    invalid_ballots: IntArray
    #: votes[station, candidate]
    votes: IntArray
    candidate_names: tuple[str, ...]
    leader_scope: LeaderScope = LeaderScope.NATIONAL
    webcam: BoolArray | None = None
    #: an exit poll was conducted at the station
    exit_poll: BoolArray | None = None
    #: accredited observers were present
    observed: BoolArray | None = None
    #: the last hourly turnout figure reported before the protocol
    last_turnout_report: IntArray | None = None
    #: the exit poll's estimate of the leader's share; NaN where no exit poll
    exit_poll_leader_share: FloatArray | None = None
    #: ballots issued to voters (the turnout of Kobak et al.); None: taken as ballots cast
    ballots_issued: IntArray | None = None
    #: check-ins, additions, absentee certificates in and out and double votes, where a
    #: poll book was used (domain/statistics/poll_book_series.py)
    poll_book: PollBookSeries | None = None

    def __post_init__(self) -> None:
        count = len(self.station_ids)
        for name in ("regions", "registered_voters", "ballots_cast", "invalid_ballots"):
            if len(getattr(self, name)) != count:
                raise ValueError(f"{name} has {len(getattr(self, name))} rows, expected {count}")
        if self.votes.shape != (count, len(self.candidate_names)):
            raise ValueError(
                f"votes has shape {self.votes.shape}, "
                f"expected ({count}, {len(self.candidate_names)})"
            )
        for name in (
            "webcam",
            "exit_poll",
            "observed",
            "last_turnout_report",
            "exit_poll_leader_share",
            "ballots_issued",
            "poll_book",
        ):
            value = getattr(self, name)
            if value is not None and len(value) != count:
                raise ValueError(f"{name} has {len(value)} rows, expected {count}")

    @property
    def station_count(self) -> int:
        return len(self.station_ids)

    @cached_property
    def valid_votes(self) -> IntArray:
        valid: IntArray = self.votes.sum(axis=1, dtype=np.int64)
        return valid

    @cached_property
    def _region_factors(self) -> tuple[TextArray, IntArray]:
        """Sorted region names and each station's index into them, computed once.

        A dictionary pass over the names is several times faster than sorting a
        million strings with np.unique, and Python's str order is numpy's (code points).
        """
        names_per_station = self.regions.tolist()
        names = sorted(dict.fromkeys(names_per_station))
        code_of = {name: code for code, name in enumerate(names)}
        codes = np.fromiter(
            map(code_of.__getitem__, names_per_station), dtype=np.int64, count=self.station_count
        )
        return np.array(names, dtype=np.str_), codes

    @cached_property
    def region_codes(self) -> IntArray:
        """Small integer code per station's region, for grouped computations."""
        return self._region_factors[1]

    @cached_property
    def region_names(self) -> TextArray:
        return self._region_factors[0]

    @cached_property
    def turnout_known(self) -> BoolArray:
        """Turnout is a defined proportion only where the register is known."""
        known: BoolArray = self.registered_voters > 0
        return known

    @cached_property
    def voters_issued_ballots(self) -> IntArray:
        """Ballots issued where the input gives them, else ballots cast."""
        if self.ballots_issued is None:
            return self.ballots_cast
        return self.ballots_issued

    @cached_property
    def turnout(self) -> FloatArray:
        """Ballots cast over registered voters; NaN where the register is unknown."""
        return _ratio(self.ballots_cast, self.registered_voters)

    @cached_property
    def leader_index(self) -> IntArray:
        """Column of the leader whose share is followed at each station."""
        if self.votes.shape[1] == 0:
            return np.zeros(self.station_count, dtype=np.int64)
        if self.leader_scope is LeaderScope.NATIONAL:
            national = int(np.argmax(self.votes.sum(axis=0)))
            return np.full(self.station_count, national, dtype=np.int64)
        region_totals = np.zeros((len(self.region_names), self.votes.shape[1]), dtype=np.int64)
        np.add.at(region_totals, self.region_codes, self.votes)
        winners = np.argmax(region_totals, axis=1).astype(np.int64)
        per_station: IntArray = winners[self.region_codes]
        return per_station

    @cached_property
    def national_leader(self) -> str:
        if not self.candidate_names:
            return ""
        return self.candidate_names[int(np.argmax(self.votes.sum(axis=0)))]

    @cached_property
    def leader_votes(self) -> IntArray:
        if self.votes.shape[1] == 0:
            return np.zeros(self.station_count, dtype=np.int64)
        rows = np.arange(self.station_count)
        leader: IntArray = self.votes[rows, self.leader_index]
        return leader

    @cached_property
    def leader_share(self) -> FloatArray:
        """Leader's votes over ballots cast (as Kobak et al.); NaN where nothing was cast."""
        return _ratio(self.leader_votes, self.ballots_cast)

    @cached_property
    def has_ballots(self) -> BoolArray:
        has: BoolArray = self.ballots_cast > 0
        return has

    def with_changes(self, **changes: object) -> StationResults:
        """A copy with some arrays replaced (derived figures are recomputed)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _ratio(numerator: IntArray, denominator: IntArray) -> FloatArray:
    result = np.full(len(numerator), np.nan, dtype=np.float64)
    positive = denominator > 0
    result[positive] = numerator[positive] / denominator[positive]
    return result
