"""Candidates and how they were nominated."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class Nomination(enum.StrEnum):
    #: nominated by a political party
    PARTY = "party"
    #: a party member standing without the party's nomination (counted as independent)
    PARTY_MEMBER = "party_member"
    #: an independent with no party
    NON_PARTY = "non_party"


class CandidateStatus(enum.StrEnum):
    REGISTERED = "registered"
    WITHDRAWN = "withdrawn"
    DEREGISTERED = "deregistered"


@dataclass(frozen=True, slots=True)
class Candidate:
    code: str
    constituency: int
    full_name: str
    nomination: Nomination
    party: str | None
    status: CandidateStatus = CandidateStatus.REGISTERED
    #: place on the constituency's ballot paper (1 = first); None: the definition's order
    ballot_position: int | None = None
    #: for the law's age tie rule (the older/younger candidate); personal data: the site
    #: shows at most the age the law publishes, never the date
    birth_date: date | None = None

    @property
    def is_independent(self) -> bool:
        return self.nomination is not Nomination.PARTY

    @property
    def is_standing(self) -> bool:
        return self.status is CandidateStatus.REGISTERED
