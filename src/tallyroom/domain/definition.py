"""An election's whole definition, as loaded from files or built by a scenario."""

from __future__ import annotations

from dataclasses import dataclass, field

from tallyroom.domain.candidate import Candidate
from tallyroom.domain.constituency import Constituency
from tallyroom.domain.contest import Contest
from tallyroom.domain.election import ContestKind, Election
from tallyroom.domain.observer import Observer
from tallyroom.domain.organisation import ExitPollSample, Organisation
from tallyroom.domain.party import Party
from tallyroom.domain.polling_station import PollingStation
from tallyroom.domain.rule_set import REFERENCE_RULE_SET, RuleSet


@dataclass(slots=True)
class ElectionDefinition:
    election: Election
    constituencies: list[Constituency] = field(default_factory=list)
    stations: list[PollingStation] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    observers: list[Observer] = field(default_factory=list)
    exit_poll_samples: list[ExitPollSample] = field(default_factory=list)
    #: the control rules its protocols are judged by
    rule_set: RuleSet = REFERENCE_RULE_SET
    #: the commission's Ed25519 tree-head public keys (hex), oldest first: the keys anyone
    #: checks the audit log's signed heads with (made by `tallyroom audit keygen`)
    tree_head_keys: list[str] = field(default_factory=list)
    #: contests whose system differs from the election's `contest` (by constituency)
    contests: list[Contest] = field(default_factory=list)

    def contest_systems(self) -> dict[int, tuple[ContestKind, int]]:
        """Each constituency's contest system and seats, by constituency number."""
        default = (self.election.contest_kind, self.election.seats_per_constituency)
        systems = {constituency.number: default for constituency in self.constituencies}
        systems.update({c.constituency: (c.kind, c.seats) for c in self.contests})
        return systems

    def contest_of(self, constituency: int) -> Contest:
        """A constituency's contest as defined (the election's default when contests.csv
        does not name it)."""
        for contest in self.contests:
            if contest.constituency == constituency:
                return contest
        return Contest(
            constituency, self.election.contest_kind, self.election.seats_per_constituency
        )
