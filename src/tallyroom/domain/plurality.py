"""First past the post in one constituency: the leader, ties and too-close leads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PluralityOutcome:
    #: candidates with the most votes; more than one is a tie, never broken here
    leaders: tuple[str, ...]
    #: votes of the leader minus votes of the runner-up
    margin_votes: int
    #: that margin as a percentage of valid votes
    margin_percent: float
    too_close: bool

    @property
    def tie(self) -> bool:
        return len(self.leaders) > 1

    @property
    def leader(self) -> str | None:
        """The single leader, or None while tied or with no votes."""
        return self.leaders[0] if len(self.leaders) == 1 else None


def plurality_outcome(
    votes: Mapping[str, int], *, too_close_margin_percent: float
) -> PluralityOutcome:
    valid_votes = sum(votes.values())
    if valid_votes == 0:
        return PluralityOutcome((), 0, 0.0, False)
    ranked = sorted(votes.values(), reverse=True)
    top = ranked[0]
    leaders = tuple(sorted(code for code, count in votes.items() if count == top))
    runner_up = ranked[1] if len(ranked) > 1 else 0
    margin = top - runner_up
    margin_percent = 100.0 * margin / valid_votes
    return PluralityOutcome(
        leaders=leaders,
        margin_votes=margin,
        margin_percent=margin_percent,
        too_close=len(leaders) == 1 and margin_percent < too_close_margin_percent,
    )
