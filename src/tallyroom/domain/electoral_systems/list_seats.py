"""A party-list contest's seats from its list votes: the threshold, then the contest's method
(D'Hondt, Sainte-Laguë, Hare or Droop), with the quotient table behind the allocation and
whether the seats are won or only led."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from tallyroom.domain.electoral_systems.divisor_methods import (
    DHONDT,
    SAINTE_LAGUE,
    DivisorMethod,
    NoVotesToAllocate,
    allocate_by_divisors,
)
from tallyroom.domain.electoral_systems.drawn_lot import RecordedLot, TieNeedsLot
from tallyroom.domain.electoral_systems.largest_remainder import (
    Quota,
    allocate_by_largest_remainder,
)
from tallyroom.domain.electoral_systems.threshold import (
    Threshold,
    ThresholdBase,
    apply_threshold,
)
from tallyroom.domain.list_contest import ListContest, ListMethod
from tallyroom.domain.seat_status import SeatStatus, list_seat_status


@dataclass(frozen=True, slots=True)
class ListRow:
    """One party's line of the quotient table."""

    party: str
    votes: int
    passed: bool
    seats: int
    #: divisor methods: (divisor, quotient, number of the seat it won or None)
    quotients: tuple[tuple[Fraction, Fraction, int | None], ...] = ()
    #: largest remainder: seats from whole quotas, the votes left, and a remainder seat won
    quota_seats: int = 0
    remainder: Fraction = Fraction(0)
    remainder_seat: bool = False


@dataclass(frozen=True, slots=True)
class ListSeats:
    contest: ListContest
    #: valid list votes the threshold's shares are taken of
    base_votes: int
    #: votes a party needs to pass the threshold (exact)
    threshold_votes: Fraction
    #: parties by list votes, most first (name breaks equal votes, for display only)
    rows: tuple[ListRow, ...]
    #: seats no party holds yet: a tie on the deciding quotient awaits the law's lot
    open_seats: int
    #: won once the national count is complete, leading before; None before any vote
    status: SeatStatus | None
    #: largest remainder methods: the quota
    quota: Fraction | None = None
    lot_needed_between: tuple[str, ...] = field(default_factory=tuple)
    #: the seat the awaited lot is drawn for (as the commission enters it), "" when none
    lot_needed_for: str = ""

    @property
    def seats(self) -> dict[str, int]:
        return {row.party: row.seats for row in self.rows}

    @property
    def seats_won(self) -> int:
        return sum(self.seats.values()) if self.status is SeatStatus.WON else 0

    def quotient_table(self) -> dict[str, Any]:
        """The allocation as open data: exact fractions as text ("100000/3") beside a
        rounded decimal for reading."""
        return (
            {
                "contest": self.contest.code,
                "seats": self.contest.seats,
                "method": self.contest.method.value,
                "threshold_percent": str(self.contest.threshold_percent),
                "base_votes": self.base_votes,
                "threshold_votes": exact_number(self.threshold_votes),
                "quota": exact_number(self.quota) if self.quota is not None else None,
                "status": self.status.value if self.status is not None else None,
                "open_seats": self.open_seats,
                "lot_needed_between": list(self.lot_needed_between),
                "rows": [_row_json(row, self.contest.method) for row in self.rows],
            }
            | ({"threshold_counts_blank": True} if self.contest.threshold_counts_blank else {})
            | ({"lot_needed_for": self.lot_needed_for} if self.lot_needed_for else {})
            | (
                {"first_divisor": str(self.contest.first_divisor)}
                if self.contest.first_divisor is not None
                else {}
            )
        )


def exact_number(value: Fraction, digits: int = 2) -> dict[str, str]:
    """A fraction as open data: exact as text ("100000/3") beside a rounded decimal."""
    return {"exact": str(value), "decimal": f"{float(value):.{digits}f}"}


def _row_json(row: ListRow, method: ListMethod) -> dict[str, Any]:
    data: dict[str, Any] = {
        "party": row.party,
        "votes": row.votes,
        "passed": row.passed,
        "seats": row.seats,
    }
    if method in (ListMethod.HARE, ListMethod.DROOP):
        data |= {
            "quota_seats": row.quota_seats,
            "remainder": exact_number(row.remainder),
            "remainder_seat": row.remainder_seat,
        }
    else:
        data["quotients"] = [
            {"divisor": str(divisor), "quotient": exact_number(quotient), "seat": seat}
            for divisor, quotient, seat in row.quotients
        ]
    return data


def list_seats(
    contest: ListContest,
    votes: Mapping[str, int],
    *,
    count_complete: bool,
    blank_votes: int = 0,
    lots: Mapping[str, str] | None = None,
) -> ListSeats:
    """The list seats as the count stands. A tie on the deciding quotient is never settled
    here (no lot is drawn on running totals): the contest's seats stay open, and the tied
    parties are named. `blank_votes` count in the threshold's base where the contest's rule
    says so (`threshold_counts_blank`), never in the allocation. `lots` are the lots the
    commission drew (seat → party), which decide a tie they were drawn for."""
    lot = RecordedLot(lots or {})
    base_rule = (
        ThresholdBase.PARTY_AND_BLANK_VOTES
        if contest.threshold_counts_blank
        else ThresholdBase.PARTY_VOTES
    )
    outcome = apply_threshold(
        Threshold(contest.threshold_percent, base=base_rule), votes, blank_votes=blank_votes
    )
    base = outcome.base_votes
    passing = {party: votes[party] for party in sorted(outcome.passing)}
    line = outcome.line_votes(contest.threshold_percent)
    order = sorted(votes, key=lambda party: (-votes[party], party))
    status = list_seat_status(
        has_votes=sum(votes.values()) > 0, national_count_complete=count_complete
    )
    empty = tuple(ListRow(p, votes[p], p in passing, 0) for p in order)
    try:
        if contest.method in (ListMethod.HARE, ListMethod.DROOP):
            quota_rule = Quota.HARE if contest.method is ListMethod.HARE else Quota.DROOP
            remainder = allocate_by_largest_remainder(
                passing, contest.seats, quota_rule, label=contest.code, lot=lot
            )
            rows = tuple(
                ListRow(
                    party,
                    votes[party],
                    party in passing,
                    remainder.seats.get(party, 0),
                    quota_seats=remainder.quota_seats.get(party, 0),
                    remainder=remainder.remainders.get(party, Fraction(0)),
                    remainder_seat=party in remainder.remainder_seats,
                )
                for party in order
            )
            return ListSeats(contest, base, line, rows, 0, status, quota=remainder.quota)
        method = DHONDT if contest.method is ListMethod.DHONDT else SAINTE_LAGUE
        if contest.first_divisor is not None:
            method = DivisorMethod(method.series, contest.first_divisor)
        divisor = allocate_by_divisors(passing, contest.seats, method, label=contest.code, lot=lot)
        won_at: dict[tuple[str, Fraction], int] = {}
        held: dict[str, int] = {}
        for award in divisor.awards:
            won_at[award.party, method.divisor(held.get(award.party, 0))] = award.seat
            held[award.party] = held.get(award.party, 0) + 1
        rows = tuple(
            ListRow(
                party,
                votes[party],
                party in passing,
                divisor.seats.get(party, 0),
                quotients=tuple(
                    (
                        method.divisor(n),
                        quotient,
                        won_at.get((party, method.divisor(n))),
                    )
                    for n, quotient in enumerate(divisor.quotients.get(party, ()))
                ),
            )
            for party in order
        )
        return ListSeats(contest, base, line, rows, 0, status)
    except NoVotesToAllocate:
        return ListSeats(contest, base, line, empty, contest.seats, None)
    except TieNeedsLot as tie:
        return ListSeats(
            contest,
            base,
            line,
            empty,
            contest.seats,
            status,
            lot_needed_between=tie.between,
            lot_needed_for=tie.seat,
        )
