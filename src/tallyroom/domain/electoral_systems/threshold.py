"""Electoral thresholds: who may take the seats a threshold gates, nationally or per district,
over party votes with or without blank votes, with coalition rates, exempt minorities and a
waiver for parties that won enough constituencies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class ThresholdScope(StrEnum):
    NATIONAL = "national"
    DISTRICT = "district"


class ThresholdBase(StrEnum):
    PARTY_VOTES = "party_votes"
    #: Spain: blank votes are valid votes and count in the base (LOREG art. 96, 163)
    PARTY_AND_BLANK_VOTES = "party_and_blank_votes"


class ThresholdGate(StrEnum):
    #: every seat of the allocation
    ALL_SEATS = "all"
    #: only the leveling seats (Norway): district seats are won without it
    LEVELING = "leveling"


class Standing(StrEnum):
    PASSED = "passed"
    EXEMPT = "exempt"
    WAIVED = "waived by constituency seats"
    BELOW = "below the threshold"


@dataclass(frozen=True, slots=True)
class Threshold:
    #: a share at or above this percentage passes
    percent: Fraction
    scope: ThresholdScope = ThresholdScope.NATIONAL
    base: ThresholdBase = ThresholdBase.PARTY_VOTES
    #: the rate for parties marked as coalitions (Poland: 8)
    coalition_percent: Fraction | None = None
    #: this many constituency seats pass a party regardless of its share (NZ 1, Germany 3)
    waiver_constituency_seats: int | None = None
    applies_to: ThresholdGate = ThresholdGate.ALL_SEATS


@dataclass(frozen=True, slots=True)
class PartyStanding:
    coalition: bool = False
    #: national-minority parties the law exempts (Poland, Germany)
    threshold_exempt: bool = False
    constituency_seats: int = 0


@dataclass(frozen=True, slots=True)
class ThresholdOutcome:
    #: votes the shares are taken of
    base_votes: int
    standings: Mapping[str, Standing]
    #: each party's rate (percent) it had to reach
    required_percent: Mapping[str, Fraction]

    @property
    def passing(self) -> frozenset[str]:
        return frozenset(p for p, s in self.standings.items() if s is not Standing.BELOW)

    @property
    def failing(self) -> frozenset[str]:
        return frozenset(p for p, s in self.standings.items() if s is Standing.BELOW)

    def line_votes(self, percent: Fraction) -> Fraction:
        """The votes a party needs at `percent` of this base."""
        return percent * self.base_votes / 100


def apply_threshold(
    threshold: Threshold,
    votes: Mapping[str, int],
    *,
    blank_votes: int = 0,
    parties: Mapping[str, PartyStanding] | None = None,
) -> ThresholdOutcome:
    """Each party's standing against the threshold on these votes (national totals for a
    national threshold, one district's for a district threshold)."""
    parties = parties or {}
    base = sum(votes.values())
    if threshold.base is ThresholdBase.PARTY_AND_BLANK_VOTES:
        base += blank_votes
    standings: dict[str, Standing] = {}
    required: dict[str, Fraction] = {}
    for party, count in votes.items():
        standing = parties.get(party, PartyStanding())
        percent = threshold.percent
        if standing.coalition and threshold.coalition_percent is not None:
            percent = threshold.coalition_percent
        required[party] = percent
        # Exact: count / base >= percent / 100, without division.
        if base > 0 and count * 100 >= percent * base:
            standings[party] = Standing.PASSED
        elif standing.threshold_exempt:
            standings[party] = Standing.EXEMPT
        elif (
            threshold.waiver_constituency_seats is not None
            and standing.constituency_seats >= threshold.waiver_constituency_seats
        ):
            standings[party] = Standing.WAIVED
        else:
            standings[party] = Standing.BELOW
    return ThresholdOutcome(base, standings, required)
