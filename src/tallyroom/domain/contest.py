"""A contest: its id as protocol documents name it (stable across databases, made from the
definition; the reference election has one contest per constituency), and a constituency's
contest when its electoral system differs from the election's default (`contests.csv`),
including a district list contest (its seats shared among party lists, above an optional
district threshold)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from tallyroom.domain.election import ContestKind
from tallyroom.domain.list_contest import ListContest, ListMethod

_CONSTITUENCY_CONTEST = re.compile(r"^constituency-([1-9][0-9]{0,8})$")


@dataclass(frozen=True, slots=True)
class Contest:
    """The system that fills a constituency's seats and how many seats it elects."""

    constituency: int
    kind: ContestKind
    seats: int
    #: district list contests: the share of the district's valid list votes a party needs
    threshold_percent: Fraction = Fraction(0)
    #: district list contests: blank votes count in the threshold's base (Spain)
    threshold_counts_blank: bool = False
    #: district list contests by a divisor method: the first divisor in place of the series'
    #: own (modified Sainte-Laguë, 1.4 in Norway); None: the series' own
    first_divisor: Fraction | None = None

    def list_contest(self) -> ListContest | None:
        """A district list contest as the list seats' rules read it (its id is the
        constituency contest's own); None for a candidate contest."""
        return district_list_contest(
            self.constituency,
            self.kind,
            self.seats,
            self.threshold_percent,
            threshold_counts_blank=self.threshold_counts_blank,
            first_divisor=self.first_divisor,
        )


def district_list_contest(
    constituency: int,
    kind: ContestKind,
    seats: int,
    threshold_percent: Fraction,
    *,
    threshold_counts_blank: bool = False,
    first_divisor: Fraction | None = None,
) -> ListContest | None:
    """The list contest of a constituency whose contest is a district list contest."""
    if not kind.is_list:
        return None
    return ListContest(
        code=contest_code(constituency),
        seats=seats,
        method=ListMethod(kind.value),
        threshold_percent=threshold_percent,
        threshold_counts_blank=threshold_counts_blank,
        first_divisor=first_divisor,
    )


def contest_code(constituency_number: int) -> str:
    """The id of the contest of a constituency: "constituency-5"."""
    return f"constituency-{constituency_number}"


def constituency_of_contest(code: str) -> int | None:
    """The constituency number a contest id names, None when it names none."""
    match = _CONSTITUENCY_CONTEST.fullmatch(code)
    return int(match.group(1)) if match else None
