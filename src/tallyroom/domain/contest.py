"""A constituency's contest when its electoral system differs from the election's default
(`contests.csv`): the system that fills its seats and how many seats it elects."""

from __future__ import annotations

from dataclasses import dataclass

from tallyroom.domain.election import ContestKind


@dataclass(frozen=True, slots=True)
class Contest:
    constituency: int
    kind: ContestKind
    seats: int
