"""Who holds a constituency contest's seats under the election's system, for the seat tally:
the plurality leader, the `seats` most voted (multi-member), or a round-1 majority winner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from tallyroom.domain.contest import contest_code
from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.candidate_selection import BirthDatesMissing
from tallyroom.domain.electoral_systems.drawn_lot import RecordedLot, TieNeedsLot
from tallyroom.domain.electoral_systems.multi_member_plurality import multi_member_plurality
from tallyroom.domain.electoral_systems.tie_rules import TieRule
from tallyroom.domain.electoral_systems.two_round_majority import first_round
from tallyroom.domain.results import CandidateResult, ConstituencyResult, PendingTie
from tallyroom.domain.seat_status import SeatStatus, seat_status


@dataclass(frozen=True, slots=True)
class ContestTies:
    """How the election's law decides a contest's ties after most votes: its rule (the older
    or the younger candidate, or the lot alone), the candidates' birth dates the age rules
    read, and the lots the commission drew, by the seat they were drawn for."""

    rule: TieRule = TieRule.LOT
    birth_dates: Mapping[str, date | None] = field(default_factory=dict)
    lots: Mapping[str, str] = field(default_factory=dict)

    @property
    def rules(self) -> tuple[TieRule, ...]:
        # A rule that leaves candidates equal (same birth date) falls to the lot.
        return (TieRule.LOT,) if self.rule is TieRule.LOT else (self.rule, TieRule.LOT)


NO_RULE = ContestTies()


@dataclass(frozen=True, slots=True)
class ContestSeats:
    #: candidates holding (winning or leading for) a seat, most votes first
    holders: tuple[str, ...]
    #: seats nobody holds yet: a tie awaiting the law's lot, or a round 2 to come
    open_seats: int
    #: two-round contests: the candidates who may stand in round 2 as the count stands
    runoff: tuple[str, ...] = ()
    #: the tie holding a seat (or a round-2 place) open, if any
    pending: PendingTie | None = None


def contest_seats(
    kind: ContestKind,
    votes: Mapping[str, int],
    *,
    seats: int,
    registered_voters: int,
    ties: ContestTies = NO_RULE,
    contest: str = "constituency",
) -> ContestSeats:
    """The seat holders as the count stands, a tie decided by the law's rule (`ties`) and the
    lots the commission recorded; a tie left to a lot not yet drawn is never settled here:
    the tied seats stay open and the tie is named (`pending`)."""
    counted = {code: count for code, count in votes.items() if count > 0}
    lot = RecordedLot(ties.lots)
    if kind is ContestKind.TWO_ROUND_MAJORITY:
        if not counted:
            return ContestSeats((), 1)
        try:
            outcome = first_round(
                counted,
                valid_votes=sum(counted.values()),
                registered=registered_voters,
                tie_rules=ties.rules,
                birth_dates=ties.birth_dates,
                lot=lot,
                constituency=contest,
            )
        except (TieNeedsLot, BirthDatesMissing) as tie:
            return ContestSeats((), 1, pending=_pending(tie))
        if outcome.elected is not None:
            return ContestSeats((outcome.elected,), 0)
        return ContestSeats((), 1, outcome.runoff)
    places = 1 if kind is ContestKind.SINGLE_MEMBER_PLURALITY else seats
    pending = None
    try:
        chosen = multi_member_plurality(
            counted,
            places,
            tie_rules=ties.rules,
            birth_dates=ties.birth_dates,
            lot=lot,
            constituency=contest,
        ).elected
    except (TieNeedsLot, BirthDatesMissing) as tie:
        # Only the candidates ahead of the tie hold seats: strictly more votes than the
        # tied group at the last seat.
        pending = _pending(tie)
        ranked = sorted(counted.values(), reverse=True)
        boundary = ranked[places - 1]
        chosen = tuple(c for c, v in counted.items() if v > boundary)
    # Most votes first; within equal votes, the order the law's rule and the lot placed them.
    placed = {code: place for place, code in enumerate(chosen)}
    holders = tuple(sorted(chosen, key=lambda c: (-counted[c], placed[c])))
    return ContestSeats(holders, places - len(holders), pending=pending)


def _pending(tie: TieNeedsLot | BirthDatesMissing) -> PendingTie:
    if isinstance(tie, TieNeedsLot):
        return PendingTie(tie.seat, tie.between)
    return PendingTie("", tie.candidates, "birth_dates_missing")


def held_seats(
    kind: ContestKind,
    result: ConstituencyResult,
    *,
    seats: int,
    round_two: tuple[str, SeatStatus] | None = None,
    ties: ContestTies = NO_RULE,
) -> tuple[list[tuple[CandidateResult, SeatStatus]], PendingTie | None]:
    """A constituency's seat holders with each seat's status (won once the count is complete
    or certified, leading before), for the seat tally of a system other than single-member
    plurality. A two-round contest whose round 1 elected nobody gives its seat to round 2's
    leader (`round_two`: the candidate and the status of round 2's count), if any; and the
    tie awaiting the commission's lot, if one holds a seat open."""
    by_code = {candidate.code: candidate for candidate in result.candidates}
    if kind is ContestKind.TWO_ROUND_MAJORITY and round_two is not None:
        return [(by_code[round_two[0]], round_two[1])], None
    outcome = contest_seats(
        kind,
        {candidate.code: candidate.votes for candidate in result.candidates},
        seats=seats,
        registered_voters=result.registered_voters_total,
        ties=ties,
        contest=contest_code(result.number),
    )
    status = seat_status(
        has_leader=bool(outcome.holders),
        stations_counted=result.stations_reporting,
        complete=result.count_complete,
        certified=result.certified,
    )
    if status is None:
        return [], outcome.pending
    return [(by_code[code], status) for code in outcome.holders], outcome.pending
