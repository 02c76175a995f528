"""What the poll book's routes accept and answer, as pydantic models (the OpenAPI contract)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from tallyroom.api.request_bodies import CommissionBody
from tallyroom.domain.voter import AdditionReason, IdentityMatch
from tallyroom.service.register.poll_book import MAXIMUM_BATCH

VoterNumber = Annotated[
    str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$", examples=["AZE10000019"])
]
ClientReference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="the poll book's own id for the check-in: a re-sent one is not counted twice",
        examples=["desk1-000042"],
    ),
]
CertificateNumber = Annotated[
    str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$", examples=["AC-000123"])
]


class LookUpBody(CommissionBody):
    """A voter to look up, by ID-card number or absentee certificate number (in the body,
    so that neither is written into web servers' access logs)."""

    model_config = ConfigDict(
        title="VoterLookUp",
        extra="forbid",
        json_schema_extra={"examples": [{"voter": "AZE10000019"}]},
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "voter": ("voter_required", "name the voter by their ID-card number"),
    }

    voter: VoterNumber
    certificate: CertificateNumber | None = None


class CheckInBody(CommissionBody):
    """One check-in at the desk: identity as the desk recorded it ("matched: yes / no / not
    scanned"; the fingerprint itself stays on the scanner)."""

    model_config = ConfigDict(
        title="CheckIn",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "voter": "AZE10000019",
                    "client_reference": "desk1-000042",
                    "identity_match": "yes",
                    "portable": False,
                }
            ]
        },
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "voter": ("voter_required", "name the voter by their ID-card number"),
        "client_reference": ("client_reference_required", "give the check-in a reference"),
    }

    voter: VoterNumber
    client_reference: ClientReference
    identity_match: IdentityMatch = IdentityMatch.NOT_SCANNED
    portable: bool = False
    certificate: CertificateNumber | None = None
    checked_in_at: datetime | None = Field(
        default=None, description="the desk's clock (with its offset); the server's if absent"
    )
    contest: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None,
        description="the contest the ballot is for: absent for round 1; a two-round "
        'contest\'s round 2 ("constituency-5/round-2") once it is defined',
    )


class CheckInBatchBody(CommissionBody):
    """Check-ins a poll book recorded while it could not reach the server (or gathered over a
    few seconds), oldest first."""

    model_config = ConfigDict(
        title="CheckInBatch",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "check_ins": [
                        {
                            "voter": "AZE10000019",
                            "client_reference": "desk1-000042",
                            "identity_match": "yes",
                            "checked_in_at": "2024-09-01T09:12:00+04:00",
                        }
                    ]
                }
            ]
        },
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "check_ins": ("invalid_batch", f"send 1 to {MAXIMUM_BATCH} check-ins"),
    }

    check_ins: Annotated[list[CheckInBody], Field(min_length=1, max_length=MAXIMUM_BATCH)]
    offline: bool = Field(
        default=True, description="recorded while offline: a conflict becomes an incident"
    )


class AdditionBody(CommissionBody):
    """A voter added to the station's list on polling day, with the legal reason."""

    model_config = ConfigDict(
        title="VoterAddition",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "voter": "AZE99000001",
                    "full_name": "Məmmədov Elçin Rauf oğlu",
                    "birth_date": "1980-05-04",
                    "legal_reason": "court_decision",
                    "client_reference": "desk1-000043",
                }
            ]
        },
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "legal_reason": ("legal_reason_required", "an addition needs its legal reason"),
    }

    voter: VoterNumber
    full_name: Annotated[str, Field(min_length=1, max_length=300, pattern=r"\S")]
    birth_date: date
    legal_reason: AdditionReason
    client_reference: ClientReference
    identity_match: IdentityMatch = IdentityMatch.NOT_SCANNED
    portable: bool = False


class AbsenteeCertificateBody(CommissionBody):
    model_config = ConfigDict(
        title="AbsenteeCertificate",
        extra="forbid",
        json_schema_extra={"examples": [{"voter": "AZE10000019", "number": "AC-000123"}]},
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "voter": ("voter_required", "name the voter by their ID-card number"),
    }

    voter: VoterNumber
    number: CertificateNumber


class PollBookCodeBody(BaseModel):
    """A one-time code for one more poll-book desk at a station (shown once; only its hash
    is kept). The station's signing key and its other desks are untouched."""

    model_config = ConfigDict(title="PollBookCode")

    station: str
    code: str
    expires_at: str


class PollBookEnrolmentBody(BaseModel):
    """An enrolled desk: its name, its poll-book token (keep it with the key) and its key's
    fingerprint."""

    model_config = ConfigDict(title="PollBookEnrolment")

    station: str
    device: str = Field(description="the desk's name on its check-ins and in the audit log")
    token: str = Field(description="shown once: poll-book calls for this station only")
    fingerprint: str
    enrolled_at: str
    expires_at: str


class PollBookKeyBody(BaseModel):
    """A desk's key as published, after its revocation."""

    model_config = ConfigDict(title="PollBookKey")

    public_key: str
    fingerprint: str
    made: str
    purpose: str
    device: str
    enrolled_at: str
    revoked_at: str | None


class VoterRecordBody(BaseModel):
    """A look-up's answer: the full record to the voter's own station and the commission;
    any other station gets only `home_station` and `may_vote_here`."""

    home_station: str
    may_vote_here: bool
    voter_id: str | None = None
    surname: str | None = None
    given_name: str | None = None
    patronymic: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    address: str | None = None
    status: str | None = None
    removal_reason: str | None = None
    absentee_certificate: Literal["none", "issued", "used"] | None = None
    checked_in_at_station: str | None = None


class CheckInOutcomeBody(BaseModel):
    client_reference: str
    status: Literal["recorded", "already_recorded", "double_vote", "refused"]
    check_in: int | None = None
    code: str | None = None
    message: str | None = None
    station: str | None = Field(
        default=None, description="where the voter had already voted, when that is the conflict"
    )


class CheckInBatchOutcomeBody(BaseModel):
    outcomes: list[CheckInOutcomeBody]


class AdditionOutcomeBody(BaseModel):
    check_in: int


class AbsenteeCertificateOutcomeBody(BaseModel):
    number: str
    issued: bool


class StationPollBookFiguresBody(BaseModel):
    station: str
    registered_voters: int
    check_ins: int
    portable_check_ins: int
    additions: int
    absentee_certificates_in: int
    absentee_certificates_out: int
    double_votes_recorded: int
    #: multiple-voting complaints the commission's poll-book monitor filed, one a double vote
    double_vote_complaints: int
    second_attempts_refused: int


class PollBookFiguresBody(BaseModel):
    election: str
    check_ins: int
    additions: int
    absentee_certificates_issued: int
    absentee_certificates_used: int
    double_votes_recorded: int
    #: multiple-voting complaints the commission's poll-book monitor filed, one a double vote
    double_vote_complaints: int
    second_attempts_refused: int


class TurnoutCrossCheckHourBody(BaseModel):
    as_of: str
    check_ins: int
    stations_reporting: int
    reported_voters: int
    check_ins_at_reporting_stations: int
    difference: int


class TurnoutCrossCheckBody(BaseModel):
    hours: list[TurnoutCrossCheckHourBody]


def outcome_body(outcome: dict[str, Any]) -> dict[str, Any]:
    return CheckInOutcomeBody.model_validate(outcome).model_dump(exclude_none=True)
