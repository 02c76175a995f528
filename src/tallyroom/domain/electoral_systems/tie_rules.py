"""Ties decided by the law's own ordered rules (most votes, the older candidate, ...) and,
last, by a drawn lot: who of several equal contenders takes the seats in question."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tallyroom.domain.electoral_systems.drawn_lot import Lot, LotDraw


class TieRule(StrEnum):
    #: more votes (a party's votes in the allocation, a candidate's own votes) wins
    MOST_VOTES = "most_votes"
    #: the older candidate wins (France, Code électoral L126)
    OLDER_CANDIDATE = "older_candidate"
    #: the younger candidate wins (as some laws favour the younger)
    YOUNGER_CANDIDATE = "younger_candidate"
    #: votes in more polling stations wins (Poland, Electoral Code art. 232)
    MORE_POLLING_STATIONS = "more_polling_stations"
    #: a drawn lot; always the last rule
    LOT = "lot"


#: For each rule but the lot: a contender's standing under it; higher is better.
TieKeys = Mapping[TieRule, Callable[[str], Any]]


class TieRuleNotApplicable(ValueError):
    pass


class TieUnresolved(Exception):
    """The law's rules end without a lot and leave contenders equal."""

    def __init__(self, seat: str, between: Sequence[str]) -> None:
        self.seat = seat
        self.between = tuple(sorted(between))
        super().__init__(
            f"the tie rules leave {', '.join(self.between)} equal for {seat} and name no lot"
        )


@dataclass(frozen=True, slots=True)
class TieOutcome:
    #: the contenders who take the seats, in the order the rules placed them
    winners: tuple[str, ...]
    lots: tuple[LotDraw, ...]


def break_tie(
    contenders: Sequence[str],
    places: int,
    *,
    rules: Sequence[TieRule],
    keys: TieKeys,
    lot: Lot,
    seat: str,
) -> TieOutcome:
    """Choose `places` of the equal `contenders` by the rules in order; the lot, if reached,
    is drawn (and recorded) once per place still open."""
    if not 0 <= places <= len(contenders):
        raise ValueError("places must be between 0 and the number of contenders")
    remaining = sorted(set(contenders))
    winners: list[str] = []
    lots: list[LotDraw] = []
    while len(winners) < places:
        group = _best_by_rules(remaining, rules, keys)
        open_places = places - len(winners)
        if len(group) <= open_places:
            # The rules rank this whole group ahead of the rest and it fits: no lot.
            taken = group
        elif TieRule.LOT not in rules:
            raise TieUnresolved(seat, group)
        else:
            taken = []
            pool = list(group)
            while len(taken) < open_places:
                place = len(winners) + len(taken) + 1
                label = seat if places == 1 else f"{seat} (place {place} of {places})"
                draw = lot.draw(label, pool)
                lots.append(draw)
                taken.append(draw.won_by)
                pool.remove(draw.won_by)
        winners.extend(taken)
        for name in taken:
            remaining.remove(name)
    return TieOutcome(tuple(winners), tuple(lots))


def _best_by_rules(group: list[str], rules: Sequence[TieRule], keys: TieKeys) -> list[str]:
    best = list(group)
    for rule in rules:
        if len(best) == 1 or rule is TieRule.LOT:
            break
        key = keys.get(rule)
        if key is None:
            raise TieRuleNotApplicable(f"the tie rule {rule.value} does not apply here")
        top = max(key(name) for name in best)
        best = [name for name in best if key(name) == top]
    return best
