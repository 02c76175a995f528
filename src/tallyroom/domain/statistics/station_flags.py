"""Per-station risk flags with their reasons, gathered from the individual tests."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from tallyroom.domain.statistics.exit_poll_comparison import ExitPollComparison
from tallyroom.domain.statistics.integer_percentages import IntegerPercentResult
from tallyroom.domain.statistics.robust_z_score import regional_robust_z
from tallyroom.domain.statistics.station_results import BoolArray, IntArray, StationResults
from tallyroom.domain.statistics.turnout_jump import TurnoutJumpResult

#: ballot stuffing raises the leader's votes per registered voter by the stuffed share; a
#: station this many robust SDs above its constituency on that figure…
STUFFING_VOTES_Z = 2.5
#: …whose leader share is also above its constituency's (genuine mobilisation raises every
#: party's votes, stuffing only the leader's)
STUFFING_SHARE_Z = 0.5
EXTREME_LEVEL = 0.95
MINIMUM_VOTERS = 100


class FlagCategory(enum.StrEnum):
    #: evidence consistent with falsification
    RISK = "risk"
    #: an anomaly with a known innocent explanation, not evidence of fraud
    REGISTRATION = "registration"
    #: weak evidence on its own, worth a look only alongside a risk
    NOTE = "note"


@dataclass(frozen=True)
class FlagReason:
    code: str
    category: FlagCategory
    message: str


@dataclass(frozen=True)
class StationFlag:
    station_index: int
    reasons: tuple[FlagReason, ...]

    @property
    def is_risk(self) -> bool:
        return any(reason.category is FlagCategory.RISK for reason in self.reasons)


@dataclass(frozen=True)
class StationFlags:
    flags: tuple[StationFlag, ...]
    #: stations with at least one risk reason
    risk_stations: IntArray

    def risk_mask(self, station_count: int) -> BoolArray:
        mask = np.zeros(station_count, dtype=np.bool_)
        mask[self.risk_stations] = True
        return mask


OVER_REGISTERED = FlagReason(
    "turnout_above_registered",
    FlagCategory.REGISTRATION,
    "turnout above 100 % — same-day registration possible, see registered_voters note "
    "(the register counts electors listed before polling day)",
)
EXTREME = FlagReason(
    "extreme_turnout_and_share",
    FlagCategory.RISK,
    "turnout and leader share both at or above 95 % (Klimek et al.'s extreme-fraud corner)",
)
STUFFING = FlagReason(
    "leader_votes_outlier",
    FlagCategory.RISK,
    "leader's votes per registered voter far above the constituency's, with the leader's "
    "share also above it: the signature of ballot stuffing",
)
JUMP = FlagReason(
    "turnout_jump",
    FlagCategory.RISK,
    "ballots cast far above the last hourly turnout report, beyond the constituency's "
    "usual last-hour rise",
)
EXIT_POLL = FlagReason(
    "exit_poll_gap",
    FlagCategory.RISK,
    "official leader share far above the exit poll's estimate at this station",
)
INTEGER = FlagReason(
    "integer_percentages",
    FlagCategory.NOTE,
    "turnout and leader share are both integer percentages (Kobak et al.)",
)


def station_flags(
    results: StationResults,
    integer_percent: IntegerPercentResult | None = None,
    turnout_jump: TurnoutJumpResult | None = None,
    exit_poll: ExitPollComparison | None = None,
    stuffing_votes_z: float = STUFFING_VOTES_Z,
) -> StationFlags:
    masks: list[tuple[FlagReason, BoolArray]] = []
    over = results.turnout_known & (results.ballots_cast > results.registered_voters)
    masks.append((OVER_REGISTERED, over))
    masks.append((EXTREME, _extreme(results)))
    masks.append((STUFFING, stuffing_signature(results, stuffing_votes_z)))
    for reason, stations in (
        (JUMP, turnout_jump.stations if turnout_jump else None),
        (EXIT_POLL, exit_poll.stations if exit_poll else None),
        (INTEGER, integer_percent.stations if integer_percent else None),
    ):
        if stations is not None:
            mask = np.zeros(results.station_count, dtype=np.bool_)
            mask[stations] = True
            masks.append((reason, mask))
    reasons = [reason for reason, _ in masks]
    # each station's reasons as a bit pattern; the few distinct patterns are turned into
    # reason tuples once, rather than once per flagged station
    patterns = np.zeros(results.station_count, dtype=np.int64)
    for bit, (_, mask) in enumerate(masks):
        patterns |= mask.astype(np.int64) << bit
    flagged = np.flatnonzero(patterns)
    flagged_patterns = patterns[flagged].tolist()
    reasons_of = {
        pattern: tuple(reason for bit, reason in enumerate(reasons) if pattern >> bit & 1)
        for pattern in set(flagged_patterns)
    }
    flags = tuple(
        StationFlag(index, reasons_of[pattern])
        for index, pattern in zip(flagged.tolist(), flagged_patterns, strict=True)
    )
    risk_bits = sum(
        1 << bit for bit, reason in enumerate(reasons) if reason.category is FlagCategory.RISK
    )
    risk = np.flatnonzero(patterns & risk_bits).astype(np.int64)
    return StationFlags(flags=flags, risk_stations=risk)


def stuffing_signature(results: StationResults, votes_z: float = STUFFING_VOTES_Z) -> BoolArray:
    """Leader's votes per registered voter and leader share both high for the constituency.

    Stations over 100 % turnout are left to the registration reason: their register is
    too short, so votes per registered voter overstate every party there alike.
    """
    usable = (
        results.turnout_known
        & results.has_ballots
        & (results.registered_voters >= MINIMUM_VOTERS)
        & (results.ballots_cast <= results.registered_voters)
    )
    per_registered = np.full(results.station_count, np.nan)
    per_registered[usable] = results.leader_votes[usable] / results.registered_voters[usable]
    scores = regional_robust_z(per_registered, results.region_codes, usable)
    share_z = regional_robust_z(results.leader_share, results.region_codes, usable)
    signature: BoolArray = (
        usable & (np.nan_to_num(scores) >= votes_z) & (np.nan_to_num(share_z) >= STUFFING_SHARE_Z)
    )
    return signature


def _extreme(results: StationResults) -> BoolArray:
    extreme: BoolArray = (
        (results.registered_voters >= MINIMUM_VOTERS)
        & (np.nan_to_num(results.turnout) >= EXTREME_LEVEL)
        & (np.nan_to_num(results.turnout) <= 1.0)
        & (np.nan_to_num(results.leader_share) >= EXTREME_LEVEL)
    )
    return extreme
