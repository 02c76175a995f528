"""An election: one polling day with its voting hours and the body it elects."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, time

from tallyroom.domain.complaint import ComplaintCategory
from tallyroom.domain.decision_policy import DecisionKind
from tallyroom.domain.electoral_systems.tie_rules import TieRule
from tallyroom.domain.leveling_rule import LevelingRule
from tallyroom.domain.list_contest import ListContest


class ContestKind(enum.StrEnum):
    """How the seats of a contest are filled."""

    SINGLE_MEMBER_PLURALITY = "single_member_plurality"
    #: each constituency elects `seats_per_constituency` (≥ 2) candidates with the most votes
    MULTI_MEMBER_PLURALITY = "multi_member_plurality"
    #: one seat; elected in round 1 with > 50 % of valid votes and ≥ 25 % of registered
    #: voters, otherwise a round 2 (France)
    TWO_ROUND_MAJORITY = "two_round_majority"
    #: a district list contest: `seats` shared among the constituency's party lists by the
    #: party-list ballot's votes, with D'Hondt, Sainte-Laguë, Hare or Droop
    DHONDT = "dhondt"
    SAINTE_LAGUE = "sainte-lague"
    HARE = "hare"
    DROOP = "droop"

    @classmethod
    def _missing_(cls, value: object) -> ContestKind | None:
        # "sainte_lague" as the other kinds are spelt
        if value == "sainte_lague":
            return cls.SAINTE_LAGUE
        return None

    @property
    def is_list(self) -> bool:
        """Whether the contest is a district list contest (its seats go to party lists)."""
        return self in _LIST_KINDS


_LIST_KINDS = frozenset(
    {ContestKind.DHONDT, ContestKind.SAINTE_LAGUE, ContestKind.HARE, ContestKind.DROOP}
)


@dataclass(frozen=True, slots=True)
class VotingHours:
    opens: time
    closes: time

    def contains(self, moment: time) -> bool:
        return self.opens <= moment <= self.closes


@dataclass(frozen=True, slots=True)
class Election:
    code: str
    name: str
    country: str
    polling_day: date
    timezone: str
    voting_hours: VotingHours
    turnout_report_times: tuple[time, ...]
    seats: int
    contest_kind: ContestKind = ContestKind.SINGLE_MEMBER_PLURALITY
    seats_per_constituency: int = 1
    too_close_margin_percent: float = 1.0
    #: the name in other languages, (language, name) pairs: `name` where a language has none
    names: tuple[tuple[str, str], ...] = ()
    #: the party-list contest beside the constituency contests (a parallel system), if any
    list_contest: ListContest | None = None
    #: the decision policy: decisions final only once a second person confirms them
    four_eyes_decisions: tuple[DecisionKind, ...] = ()
    #: the complaint deadlines the definition sets (category, days); the rest are the default
    complaint_deadline_days: tuple[tuple[ComplaintCategory, int], ...] = ()
    #: two clerks enter each tally sheet in turn on the station's device, and it is signed
    #: only when both entries agree (docs/station-app.md)
    two_clerk_entry: bool = False
    #: how a tie for a seat or a round-2 place is decided (after most votes): the older or
    #: the younger candidate, then a lot the commission draws; or the lot alone
    tie_rule: TieRule = TieRule.LOT
    #: leveling seats over the district list contests (the Norwegian rule), if any
    leveling: LevelingRule | None = None

    def name_in(self, language: str) -> str:
        """The election's name in a language (ISO 639-1 code), else its one `name`."""
        return dict(self.names).get(language, self.name)

    @property
    def majority(self) -> int:
        """Seats needed for an absolute majority of the body (63 of 125)."""
        return self.seats // 2 + 1
