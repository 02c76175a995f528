"""The lot a law orders for an unbreakable tie: drawn from a recorded seed, or replayed from a
recorded physical draw, and always listed with the result; never list or dictionary order."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LotDraw:
    """One lot drawn: what it was for, between whom (sorted), and who won it."""

    seat: str
    between: tuple[str, ...]
    won_by: str


class TieNeedsLot(Exception):
    """A tie the law leaves to a lot, with no lot given to draw it."""

    def __init__(self, seat: str, between: Iterable[str]) -> None:
        self.seat = seat
        self.between = tuple(sorted(between))
        super().__init__(
            f"a tie for {seat} between {', '.join(self.between)} needs a drawn lot "
            "(give a lot seed, or the recorded result of the draw)"
        )


class Lot(Protocol):
    def draw(self, seat: str, between: Iterable[str]) -> LotDraw: ...


@dataclass(frozen=True, slots=True)
class NoLot:
    """No lot available: a tie that needs one is an error, never settled silently."""

    def draw(self, seat: str, between: Iterable[str]) -> LotDraw:
        raise TieNeedsLot(seat, between)


@dataclass(frozen=True, slots=True)
class SeededLot:
    """A reproducible lot: the winner follows from a published seed, the seat drawn for and
    the sorted contenders, so anyone holding the seed re-draws the same result."""

    seed: bytes

    def draw(self, seat: str, between: Iterable[str]) -> LotDraw:
        contenders = tuple(sorted(set(between)))
        if len(contenders) < 2:
            raise ValueError("a lot needs at least two contenders")
        # Length-prefixed fields so that no two (seat, contenders) pairs hash the same text.
        material = self.seed + b"".join(
            len(part.encode()).to_bytes(4, "big") + part.encode() for part in (seat, *contenders)
        )
        index = int.from_bytes(hashlib.sha256(material).digest(), "big") % len(contenders)
        return LotDraw(seat, contenders, contenders[index])


@dataclass(frozen=True, slots=True)
class RecordedLot:
    """The results of lots drawn by hand (as the law's body drew them), by seat label."""

    results: Mapping[str, str] = field(default_factory=dict)

    def draw(self, seat: str, between: Iterable[str]) -> LotDraw:
        contenders = tuple(sorted(set(between)))
        won_by = self.results.get(seat)
        if won_by is None:
            raise TieNeedsLot(seat, contenders)
        if won_by not in contenders:
            raise ValueError(f"the recorded lot for {seat} names {won_by}, not a contender")
        return LotDraw(seat, contenders, won_by)
