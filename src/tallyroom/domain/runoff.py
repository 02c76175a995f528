"""A two-round contest's second round, defined from the first round's result: who
qualified (the two-round rule of `electoral_systems.two_round_majority`), who withdrew, who
stands; and the id of the round-2 contest ("constituency-5/round-2")."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from tallyroom.domain.contest import contest_code
from tallyroom.domain.electoral_systems.contest_seats import NO_RULE, ContestTies
from tallyroom.domain.electoral_systems.drawn_lot import RecordedLot
from tallyroom.domain.electoral_systems.two_round_majority import FRANCE, MajorityRule, first_round

#: the second round of constituency N's contest
_RUNOFF_CONTEST = re.compile(r"^constituency-([1-9][0-9]{0,8})/round-2$")


def runoff_contest_code(constituency_number: int) -> str:
    """The id of a constituency's round-2 contest: "constituency-5/round-2"."""
    return f"{contest_code(constituency_number)}/round-2"


def constituency_of_runoff(code: str) -> int | None:
    """The constituency number a round-2 contest id names, None when it names none."""
    match = _RUNOFF_CONTEST.fullmatch(code)
    return int(match.group(1)) if match else None


class RunoffRefused(ValueError):
    """Round 2 cannot be defined as asked: a stable code and the reason."""

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


@dataclass(frozen=True, slots=True)
class SecondRound:
    #: the candidates round 1 qualified, most votes first
    qualified: tuple[str, ...]
    #: qualified candidates who withdrew before round 2, in the qualified order
    withdrawn: tuple[str, ...]
    #: who is on the round-2 ballot, most round-1 votes first
    standing: tuple[str, ...]


def second_round_of(
    votes: Mapping[str, int],
    *,
    registered: int,
    withdrawals: Collection[str] = (),
    rule: MajorityRule = FRANCE,
    constituency: str = "constituency",
    ties: ContestTies = NO_RULE,
) -> SecondRound:
    """Round 2 from round 1's votes (the valid votes are the candidates' votes together) and
    the constituency's registered voters. Refused (`RunoffRefused`) when round 1 elected
    someone, when a withdrawal names a candidate who did not qualify, or when nobody would
    be left standing. A tie deciding the last qualifying place goes by the election's tie
    rule and the commission's lots (`ties`); one still awaiting its lot raises `TieNeedsLot`."""
    counted = {code: count for code, count in votes.items() if count > 0}
    if not counted:
        raise RunoffRefused("no_round_one_votes", f"{constituency}: round 1 has no votes")
    outcome = first_round(
        counted,
        valid_votes=sum(counted.values()),
        registered=registered,
        rule=rule,
        constituency=constituency,
        tie_rules=ties.rules,
        birth_dates=ties.birth_dates,
        lot=RecordedLot(ties.lots),
    )
    if outcome.elected is not None:
        raise RunoffRefused(
            "elected_in_round_one",
            f"{constituency}: {outcome.elected} was elected in round 1; there is no round 2",
            elected=outcome.elected,
        )
    unqualified = sorted(set(withdrawals) - set(outcome.runoff))
    if unqualified:
        raise RunoffRefused(
            "not_qualified",
            f"{constituency}: {', '.join(unqualified)} did not qualify for round 2, so cannot "
            "withdraw from it",
            candidates=unqualified,
        )
    withdrawn = tuple(code for code in outcome.runoff if code in withdrawals)
    standing = tuple(code for code in outcome.runoff if code not in withdrawals)
    if not standing:
        raise RunoffRefused(
            "no_candidates_left", f"{constituency}: every qualified candidate withdrew"
        )
    return SecondRound(outcome.runoff, withdrawn, standing)


@dataclass(frozen=True, slots=True)
class RoundTwoRow:
    """A round-2 candidate as the constituency pages show it, beside round 1."""

    code: str
    full_name: str
    round_one_votes: int
    #: None for a withdrawn candidate
    round_two_votes: int | None
    withdrawn: bool
    #: "won" or "leading" for round 2's leader, else None
    seat_status: str | None


def round_two_rows(runoff: Mapping[str, Any] | None) -> tuple[RoundTwoRow, ...]:
    """A published round 2's candidates (runoffs.json's shape), most round-2 votes first,
    the withdrawn last."""
    if runoff is None:
        return ()
    count = runoff["round_two"]
    counted = count["votes"]
    rows = [
        RoundTwoRow(
            code=c["code"],
            full_name=c["full_name"],
            round_one_votes=c["round_one_votes"],
            round_two_votes=None if c["status"] == "withdrawn" else counted.get(c["code"], 0),
            withdrawn=c["status"] == "withdrawn",
            seat_status=count["status"] if c["code"] == count["leader"] else None,
        )
        for c in runoff["candidates"]
    ]
    return tuple(
        sorted(rows, key=lambda r: (r.withdrawn, -(r.round_two_votes or 0), -r.round_one_votes))
    )
