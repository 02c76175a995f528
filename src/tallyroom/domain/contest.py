"""A contest: its id as protocol documents name it (stable across databases, made from the
definition; the reference election has one contest per constituency), and a constituency's
contest when its electoral system differs from the election's default (`contests.csv`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tallyroom.domain.election import ContestKind

_CONSTITUENCY_CONTEST = re.compile(r"^constituency-([1-9][0-9]{0,8})$")


@dataclass(frozen=True, slots=True)
class Contest:
    """The system that fills a constituency's seats and how many seats it elects."""

    constituency: int
    kind: ContestKind
    seats: int


def contest_code(constituency_number: int) -> str:
    """The id of the contest of a constituency: "constituency-5"."""
    return f"constituency-{constituency_number}"


def constituency_of_contest(code: str) -> int | None:
    """The constituency number a contest id names, None when it names none."""
    match = _CONSTITUENCY_CONTEST.fullmatch(code)
    return int(match.group(1)) if match else None
