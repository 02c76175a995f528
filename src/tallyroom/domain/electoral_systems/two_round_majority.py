"""Two-round majority in single-member constituencies (France, Code électoral L126 and L162):
who is elected in round 1, who may stand in round 2, and who wins round 2."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from tallyroom.domain.electoral_systems.candidate_selection import most_voted
from tallyroom.domain.electoral_systems.drawn_lot import Lot, LotDraw
from tallyroom.domain.electoral_systems.tie_rules import TieRule


@dataclass(frozen=True, slots=True)
class MajorityRule:
    #: elected in round 1 with more than this share of valid votes (exprimés)
    majority_of_valid: Fraction = Fraction(1, 2)
    #: ... and at least this share of registered voters (inscrits)
    minimum_of_registered: Fraction = Fraction(1, 4)
    #: round 2 is open to candidates with at least this share of registered voters ...
    qualifying_share_of_registered: Fraction = Fraction(1, 8)
    #: ... or, when fewer qualify, to the best placed up to this many
    qualifiers_at_least: int = 2
    #: round 2 ties: the older candidate (L126)
    runoff_tie_rules: tuple[TieRule, ...] = (TieRule.OLDER_CANDIDATE,)


FRANCE = MajorityRule()


@dataclass(frozen=True, slots=True)
class FirstRound:
    elected: str | None
    #: candidates allowed into round 2 (empty when someone was elected)
    runoff: tuple[str, ...]
    #: candidates with a majority of valid votes but short of the registered-voters floor
    majority_short_of_registered: tuple[str, ...]
    lots: tuple[LotDraw, ...] = ()


def first_round(
    votes: Mapping[str, int],
    *,
    valid_votes: int,
    registered: int,
    rule: MajorityRule = FRANCE,
    tie_rules: Sequence[TieRule] = (TieRule.LOT,),
    birth_dates: Mapping[str, date | None] | None = None,
    lot: Lot | None = None,
    constituency: str = "constituency",
) -> FirstRound:
    """`valid_votes` are the exprimés (blank and spoilt ballots excluded) the majority is
    taken of; `registered` the inscrits. The qualifying tie rules apply only when a tie
    decides who is among the best placed."""
    if sum(votes.values()) > valid_votes:
        raise ValueError("candidates' votes exceed the valid votes")
    majority = [
        c
        for c, v in votes.items()
        if v > rule.majority_of_valid * valid_votes  # strictly more than half
    ]
    elected = [c for c in majority if _at_least(votes[c], rule.minimum_of_registered, registered)]
    short = tuple(sorted(c for c in majority if c not in elected))
    if elected:
        return FirstRound(elected[0], (), short)
    qualified = [
        c
        for c, v in votes.items()
        if v > 0 and _at_least(v, rule.qualifying_share_of_registered, registered)
    ]
    lots: tuple[LotDraw, ...] = ()
    if len(qualified) < rule.qualifiers_at_least:
        # L162: when fewer qualify, the best placed stand, up to the minimum.
        best = most_voted(
            {c: v for c, v in votes.items() if v > 0},
            min(rule.qualifiers_at_least, sum(1 for v in votes.values() if v > 0)),
            tie_rules=tie_rules,
            birth_dates=dict(birth_dates) if birth_dates is not None else None,
            lot=lot,
            label=f"{constituency} round 2 place",
        )
        qualified = sorted(set(qualified) | set(best.elected))
        lots = best.lots
    ranked = tuple(sorted(qualified, key=lambda c: (-votes[c], c)))
    return FirstRound(None, ranked, short, lots)


def _at_least(votes: int, share: Fraction, of: int) -> bool:
    """votes ≥ share × of, exactly."""
    return votes >= share * of


def second_round(
    votes: Mapping[str, int],
    *,
    rule: MajorityRule = FRANCE,
    birth_dates: Mapping[str, date | None] | None = None,
    lot: Lot | None = None,
    constituency: str = "constituency",
) -> str:
    """The most votes wins round 2; a tie goes by the rule's tie rules (France: the older)."""
    outcome = most_voted(
        dict(votes),
        1,
        tie_rules=rule.runoff_tie_rules,
        birth_dates=dict(birth_dates) if birth_dates is not None else None,
        lot=lot,
        label=f"{constituency} round 2",
    )
    return outcome.elected[0]
