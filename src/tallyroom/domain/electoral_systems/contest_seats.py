"""Who holds a constituency contest's seats under the election's system, for the seat tally:
the plurality leader, the `seats` most voted (multi-member), or a round-1 majority winner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.drawn_lot import TieNeedsLot
from tallyroom.domain.electoral_systems.multi_member_plurality import multi_member_plurality
from tallyroom.domain.electoral_systems.two_round_majority import first_round
from tallyroom.domain.results import CandidateResult, ConstituencyResult
from tallyroom.domain.seat_status import SeatStatus, seat_status


@dataclass(frozen=True, slots=True)
class ContestSeats:
    #: candidates holding (winning or leading for) a seat, most votes first
    holders: tuple[str, ...]
    #: seats nobody holds yet: a tie awaiting the law's lot, or a round 2 to come
    open_seats: int
    #: two-round contests: the candidates who may stand in round 2 as the count stands
    runoff: tuple[str, ...] = ()


def contest_seats(
    kind: ContestKind,
    votes: Mapping[str, int],
    *,
    seats: int,
    registered_voters: int,
) -> ContestSeats:
    """The seat holders as the count stands; a tie is never settled here (no lot is drawn on
    running totals): the tied seats stay open."""
    counted = {code: count for code, count in votes.items() if count > 0}
    if kind is ContestKind.TWO_ROUND_MAJORITY:
        if not counted:
            return ContestSeats((), 1)
        outcome = first_round(
            counted, valid_votes=sum(counted.values()), registered=registered_voters
        )
        if outcome.elected is not None:
            return ContestSeats((outcome.elected,), 0)
        return ContestSeats((), 1, outcome.runoff)
    places = 1 if kind is ContestKind.SINGLE_MEMBER_PLURALITY else seats
    try:
        chosen = multi_member_plurality(counted, places).elected
    except TieNeedsLot:
        # Only the candidates ahead of the tie hold seats: strictly more votes than the
        # tied group at the last seat.
        ranked = sorted(counted.values(), reverse=True)
        boundary = ranked[places - 1]
        chosen = tuple(c for c, v in counted.items() if v > boundary)
    holders = tuple(sorted(chosen, key=lambda c: (-counted[c], c)))
    return ContestSeats(holders, places - len(holders))


def held_seats(
    kind: ContestKind,
    result: ConstituencyResult,
    *,
    seats: int,
    round_two: tuple[str, SeatStatus] | None = None,
) -> list[tuple[CandidateResult, SeatStatus]]:
    """A constituency's seat holders with each seat's status (won once the count is complete
    or certified, leading before), for the seat tally of a system other than single-member
    plurality. A two-round contest whose round 1 elected nobody gives its seat to round 2's
    leader (`round_two`: the candidate and the status of round 2's count), if any."""
    by_code = {candidate.code: candidate for candidate in result.candidates}
    if kind is ContestKind.TWO_ROUND_MAJORITY and round_two is not None:
        return [(by_code[round_two[0]], round_two[1])]
    outcome = contest_seats(
        kind,
        {candidate.code: candidate.votes for candidate in result.candidates},
        seats=seats,
        registered_voters=result.registered_voters_total,
    )
    status = seat_status(
        has_leader=bool(outcome.holders),
        stations_counted=result.stations_reporting,
        complete=result.count_complete,
        certified=result.certified,
    )
    if status is None:
        return []
    return [(by_code[code], status) for code in outcome.holders]
