"""A voter on the register: who they are, where they vote, and the age rules (18 on polling
day, first-time voters since the previous national election) the register is judged by."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

#: the voting age
VOTING_AGE = 18
#: the CSV columns of a register file, in order (`tallyroom register load/export`)
REGISTER_COLUMNS = (
    "voter_id",
    "surname",
    "given_name",
    "patronymic",
    "sex",
    "birth_date",
    "address",
    "station",
    "status",
    "removal_reason",
)
#: a published extract's columns: no ID numbers, no exact birth dates (the privacy rule)
EXTRACT_COLUMNS = (
    "surname",
    "given_name",
    "patronymic",
    "sex",
    "birth_year",
    "address",
    "station",
)


class Sex(enum.StrEnum):
    FEMALE = "F"
    MALE = "M"


class VoterStatus(enum.StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class IdentityMatch(enum.StrEnum):
    """The desk's record of the identity check; the fingerprint itself stays on the scanner."""

    YES = "yes"
    NO = "no"
    NOT_SCANNED = "not_scanned"


class AdditionReason(enum.StrEnum):
    """Legal grounds for adding a voter to a station's list on polling day."""

    COURT_DECISION = "court_decision"
    MILITARY_SERVICE = "military_service"
    HOSPITAL_PATIENT = "hospital_patient"
    DETENTION = "detention"
    OMITTED_BY_ERROR = "omitted_by_error"


@dataclass(frozen=True, slots=True)
class Voter:
    voter_id: str
    surname: str
    given_name: str
    patronymic: str
    sex: Sex
    birth_date: date
    address: str
    station: str
    status: VoterStatus = VoterStatus.ACTIVE
    removal_reason: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.surname} {self.given_name} {self.patronymic}"


def age_on(birth_date: date, day: date) -> int:
    """Whole years lived by `day`."""
    years = day.year - birth_date.year
    return years - 1 if (day.month, day.day) < (birth_date.month, birth_date.day) else years


def eighteenth_birthday(birth_date: date) -> date:
    """The day a person turns 18 (a 29 February birthday counts from 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + VOTING_AGE)
    except ValueError:
        return date(birth_date.year + VOTING_AGE, 3, 1)


def turns_18_on(birth_date: date, polling_day: date) -> bool:
    return eighteenth_birthday(birth_date) == polling_day


def is_first_time_voter(birth_date: date, previous_election: date, polling_day: date) -> bool:
    """Turned 18 after the previous national election and by polling day: never able to vote
    in a national election before."""
    return previous_election < eighteenth_birthday(birth_date) <= polling_day
