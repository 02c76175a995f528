"""Which candidates take a party's seats: closed lists in the order the party filed them, or
open lists by preference votes (Poland), ties by the law's rules and then a drawn lot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tallyroom.domain.electoral_systems.drawn_lot import Lot, LotDraw, NoLot
from tallyroom.domain.electoral_systems.tie_rules import TieRule, break_tie


@dataclass(frozen=True, slots=True)
class ListCandidate:
    id: str
    #: 1-based place on the party's list as filed
    list_position: int
    preference_votes: int = 0
    birth_date: date | None = None
    #: polling stations where the candidate received any vote (Poland's tie rule)
    polling_stations_with_votes: int = 0


@dataclass(frozen=True, slots=True)
class Selection:
    elected: tuple[str, ...]
    lots: tuple[LotDraw, ...] = ()


def closed_list(candidates: Sequence[ListCandidate], seats: int) -> Selection:
    """The first `seats` candidates in list order (the order the party filed)."""
    positions = [c.list_position for c in candidates]
    if len(set(positions)) != len(positions):
        raise ValueError("two candidates share a list position")
    ordered = sorted(candidates, key=lambda c: c.list_position)
    return Selection(tuple(c.id for c in ordered[:seats]))


def by_preference_votes(
    candidates: Sequence[ListCandidate],
    seats: int,
    *,
    tie_rules: Sequence[TieRule] = (TieRule.MORE_POLLING_STATIONS, TieRule.LOT),
    lot: Lot | None = None,
    label: str = "list",
) -> Selection:
    """Open list: the candidates with the most preference votes. The default tie rules are
    Poland's (Electoral Code art. 232 § 2): votes in more polling stations, then a lot."""
    by_id = {c.id: c for c in candidates}
    if len(by_id) != len(candidates):
        raise ValueError("two candidates share an id")
    return _most_voted(
        {c.id: c.preference_votes for c in candidates},
        seats,
        tie_rules=tie_rules,
        birth_dates={c.id: c.birth_date for c in candidates},
        polling_stations={c.id: c.polling_stations_with_votes for c in candidates},
        lot=lot or NoLot(),
        label=label,
    )


class BirthDatesMissing(ValueError):
    """An age rule reached a tie between candidates whose birth dates the definition lacks."""

    def __init__(self, rule: TieRule, candidates: Sequence[str]) -> None:
        self.rule = rule
        self.candidates = tuple(candidates)
        super().__init__(f"the {rule.value} rule needs birth dates: {', '.join(candidates)}")


def _by_age(birth_dates: dict[str, date | None], rule: TieRule) -> dict[str, int]:
    missing = sorted(c for c, born in birth_dates.items() if born is None)
    if missing:
        raise BirthDatesMissing(rule, missing)
    # The older ranks higher by an earlier birth date (its ordinal negated), the younger by a
    # later one. Equal birth dates stay tied for the next rule (the lot).
    sign = -1 if rule is TieRule.OLDER_CANDIDATE else 1
    return {c: sign * born.toordinal() for c, born in birth_dates.items() if born is not None}


def _most_voted(
    votes: dict[str, int],
    seats: int,
    *,
    tie_rules: Sequence[TieRule],
    birth_dates: dict[str, date | None],
    polling_stations: dict[str, int],
    lot: Lot,
    label: str,
) -> Selection:
    if not 0 <= seats <= len(votes):
        raise ValueError("seats must be between 0 and the number of candidates")
    elected: list[str] = []
    lots: list[LotDraw] = []
    for count in sorted(set(votes.values()), reverse=True):
        open_seats = seats - len(elected)
        if open_seats == 0:
            break
        group = sorted(c for c, v in votes.items() if v == count)
        if len(group) <= open_seats:
            elected.extend(group)
            continue
        keys = {
            TieRule.MOST_VOTES: votes.__getitem__,
            TieRule.MORE_POLLING_STATIONS: polling_stations.__getitem__,
        }
        for age_rule in (TieRule.OLDER_CANDIDATE, TieRule.YOUNGER_CANDIDATE):
            if age_rule in tie_rules:
                keys[age_rule] = _by_age(
                    {c: birth_dates.get(c) for c in group}, age_rule
                ).__getitem__
        outcome = break_tie(
            group,
            open_seats,
            rules=tie_rules,
            keys=keys,
            lot=lot,
            seat=f"{label} seat {len(elected) + 1}",
        )
        elected.extend(outcome.winners)
        lots.extend(outcome.lots)
    return Selection(tuple(elected), tuple(lots))


def most_voted(
    votes: dict[str, int],
    seats: int,
    *,
    tie_rules: Sequence[TieRule] = (TieRule.LOT,),
    birth_dates: dict[str, date | None] | None = None,
    lot: Lot | None = None,
    label: str = "contest",
) -> Selection:
    """The `seats` candidates with the most votes (multi-member plurality, or one seat)."""
    return _most_voted(
        votes,
        seats,
        tie_rules=tie_rules,
        birth_dates=birth_dates or dict.fromkeys(votes),
        polling_stations=dict.fromkeys(votes, 0),
        lot=lot or NoLot(),
        label=label,
    )
