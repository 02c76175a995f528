"""What the scenario's watchers do on polling day, for the demo: observers submit copies of
their stations' protocols (a handful differing in one field), and complaints are filed and
taken through each state."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tallyroom.domain.complaint import ComplaintCategory, ComplaintSubject, ReporterKind
from tallyroom.domain.protocol_document import FIGURE_FIELDS
from tallyroom.scenarios.polling_day import PollingDayPlan

COPIES = 100
MISMATCHES = 6


@dataclass(frozen=True, slots=True)
class PlannedCopy:
    observer: str
    station: str
    figures: Mapping[str, Any]
    differs: bool


def planned_copies(
    plan: PollingDayPlan, assignments: Sequence[tuple[str, str]], seed: int = 2024
) -> list[PlannedCopy]:
    """Copies by (observer code, station code) pairs; a few with one figure misread."""
    rng = random.Random(seed * 11 + 3)
    protocols = {s.station: s.protocol for s in plan.stations if not s.annulled}
    usable = [(o, s) for o, s in assignments if s in protocols]
    chosen = rng.sample(usable, min(COPIES, len(usable)))
    differing = set(rng.sample(range(len(chosen)), min(MISMATCHES, len(chosen))))
    copies = []
    for index, (observer, station) in enumerate(chosen):
        protocol = protocols[station]
        figures: dict[str, Any] = {name: getattr(protocol, name) for name in FIGURE_FIELDS}
        figures["votes"] = dict(protocol.votes)
        if index in differing:
            candidate = rng.choice(sorted(figures["votes"]))
            figures["votes"][candidate] += rng.choice([10, 20, 50, 100])
        copies.append(PlannedCopy(observer, station, figures, index in differing))
    return copies


@dataclass(frozen=True, slots=True)
class PlannedComplaint:
    category: ComplaintCategory
    station: str
    description: str
    #: received, under_review, upheld or dismissed
    ends: str


def planned_complaints(stations: Sequence[str], seed: int = 2024) -> list[PlannedComplaint]:
    rng = random.Random(seed * 13 + 5)
    texts = {
        ComplaintCategory.MULTIPLE_VOTING: "A voter was seen voting a second time.",
        ComplaintCategory.BALLOT_STUFFING: "Several ballots were put in the box at once.",
        ComplaintCategory.PRESSURE_ON_VOTERS: "Voters were told whom to vote for at the door.",
        ComplaintCategory.OBSTRUCTION_OF_OBSERVERS: "Observers were kept away from the count.",
        ComplaintCategory.CAMPAIGNING_AT_STATION: "Leaflets of a candidate inside the station.",
        ComplaintCategory.PROTOCOL_DISCREPANCY: "The copy handed out differs from the protocol.",
    }
    plans = []
    for index, ends in enumerate(
        [
            "received",
            "received",
            "under_review",
            "under_review",
            "upheld",
            "upheld",
            "dismissed",
            "dismissed",
        ]
    ):
        category = list(texts)[index % len(texts)]
        plans.append(PlannedComplaint(category, rng.choice(list(stations)), texts[category], ends))
    return plans


SUBJECT = ComplaintSubject.STATION
REPORTER = ReporterKind.VOTER
