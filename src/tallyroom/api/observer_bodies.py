"""Request and answer bodies of the observers' routes: accreditation, observers' protocol
copies and complaints (pydantic models, the OpenAPI contract of those routes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from tallyroom.api.request_bodies import (
    EXAMPLE_PROTOCOL,
    CommissionBody,
    ProtocolFiguresBody,
    Reason,
    ReasonBody,
    StationCode,
)
from tallyroom.domain.complaint import (
    ComplaintCategory,
    ComplaintSubject,
    ReporterKind,
    StationRemedy,
)
from tallyroom.domain.observer import ObserverKind
from tallyroom.domain.observer_accreditation import OrganisationKind

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s;,]+$")]
Name = Annotated[str, Field(min_length=1, max_length=300, pattern=r"\S")]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]
#: a file in base64; its type is sniffed from the content, whatever the name says
Base64File = Annotated[str, Field(min_length=1, max_length=7_200_000)]


class OrganisationApplicationBody(CommissionBody):
    model_config = ConfigDict(
        title="OrganisationApplication",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "ep-res",
                    "name": "Exit Poll Research",
                    "kind": "exit_poll",
                    "country": "AZ",
                    "partner_name": "Ricerca Srl",
                    "partner_country": "IT",
                }
            ]
        },
    )
    code: Code
    name: Name
    kind: OrganisationKind
    country: Country
    represents: Code | None = None
    partner_name: Name | None = None
    partner_country: Country | None = None


class ApplicationDecisionBody(CommissionBody):
    model_config = ConfigDict(
        title="ApplicationDecision",
        extra="forbid",
        json_schema_extra={"examples": [{"decision": "accredit", "reason": "complete"}]},
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "reason": ("reason_required", "a decision needs a reason")
    }
    decision: Literal["accredit", "refuse"]
    reason: Reason


class ApplicationBody(BaseModel):
    model_config = ConfigDict(title="Application")
    code: str
    kind: str
    status: str


class ObserverRequestBody(BaseModel):
    model_config = ConfigDict(title="ObserverRequest", extra="forbid")
    code: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[^\s;,]+$")]
    full_name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
    kind: ObserverKind
    country: Country
    organisation: Code | None = None
    represents: Code | None = None
    stations: Annotated[list[StationCode], Field(max_length=100)] = Field(default_factory=list)
    constituency: Annotated[int, Field(ge=1, le=100_000)] | None = None


class AccreditationBody(CommissionBody):
    """Observers to accredit, all or none (the CLI takes a file of any size)."""

    model_config = ConfigDict(
        title="Accreditation",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "observers": [
                        {
                            "code": "N1",
                            "full_name": "Leyla Quliyeva",
                            "kind": "local_ngo",
                            "organisation": "seçki-izləmə",
                            "country": "AZ",
                            "stations": ["002-0001"],
                        }
                    ]
                }
            ]
        },
    )
    observers: Annotated[list[ObserverRequestBody], Field(min_length=1, max_length=200)]


class IssuedObserverBody(BaseModel):
    """Shown once: the credential is not stored, only its SHA-256."""

    model_config = ConfigDict(title="IssuedObserver")
    code: str
    badge_number: str
    credential: str
    #: the printable badge, the credential as a QR code
    badge_svg: str


class IssuedObserversBody(BaseModel):
    model_config = ConfigDict(title="IssuedObservers")
    observers: list[IssuedObserverBody]


class RevocationReasonBody(ReasonBody):
    model_config = ConfigDict(
        title="RevocationReason",
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "left"}]},
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "reason": ("reason_required", "a revocation needs a reason")
    }


class CountBody(BaseModel):
    model_config = ConfigDict(title="ObserverCount")
    key: str
    name: str
    observers: int


class ObserverStatisticsBody(BaseModel):
    """Accredited observers by kind, organisation and country; never names."""

    model_config = ConfigDict(title="ObserverStatistics")
    local: int
    international: int
    international_organisations: int
    international_countries: int
    local_by_kind: list[CountBody]
    local_by_organisation: list[CountBody]
    international_by_organisation: list[CountBody]
    international_by_country: list[CountBody]


class ProtocolCopyBody(CommissionBody):
    """The figures of the protocol copy an observer received, and a photo of it."""

    model_config = ConfigDict(
        title="ProtocolCopy",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "station": "001-0001",
                    # the figures of the station's own example protocol
                    "figures": EXAMPLE_PROTOCOL["figures"],
                }
            ]
        },
    )
    station: StationCode
    figures: ProtocolFiguresBody
    photo_base64: Base64File | None = None


class DifferenceBody(BaseModel):
    model_config = ConfigDict(title="FieldDifference")
    field: str
    copy_value: int | None
    station_value: int | None


class CopyComparisonBody(BaseModel):
    model_config = ConfigDict(title="CopyComparison")
    badge_number: str
    submitted_at: datetime
    counted_version: int | None
    matches: bool
    against_counted: list[DifferenceBody]
    version_at_copy: int | None
    against_version_at_copy: list[DifferenceBody]
    has_photo: bool


class StationCopiesBody(BaseModel):
    model_config = ConfigDict(title="StationCopies")
    station: str
    copies: list[CopyComparisonBody]


class CopyCountsBody(BaseModel):
    model_config = ConfigDict(title="CopyCounts")
    copies: int
    matching: int
    mismatching: int
    not_comparable: int
    stations_with_mismatch: list[str]


class CopyStoredBody(BaseModel):
    model_config = ConfigDict(title="CopyStored")
    station: str
    copy_id: int


class AttachmentBody(BaseModel):
    model_config = ConfigDict(title="Attachment", extra="forbid")
    content_type: Annotated[str, Field(max_length=100)] | None = None
    content_base64: Base64File


class ComplaintFilingBody(CommissionBody):
    """A complaint. Reporter's name and contact are for the commission only."""

    model_config = ConfigDict(
        title="ComplaintFiling",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "category": "multiple_voting",
                    "about": "station",
                    "station": "001-0001",
                    "description": "A man voted twice at 11:20.",
                    "reporter_kind": "voter",
                }
            ]
        },
    )
    category: ComplaintCategory
    about: ComplaintSubject
    station: StationCode | None = None
    constituency: Annotated[int, Field(ge=1, le=100_000)] | None = None
    description: Annotated[str, Field(min_length=1, max_length=5000, pattern=r"\S")]
    reporter_kind: ReporterKind
    reporter_name: Annotated[str, Field(max_length=200)] | None = None
    reporter_contact: Annotated[str, Field(max_length=200)] | None = None
    #: the id of an outage of the station's camera the complaint cites
    webcam_outage: Annotated[int, Field(ge=1, le=2_000_000_000)] | None = None
    attachments: Annotated[list[AttachmentBody], Field(max_length=5)] = Field(default_factory=list)


class ComplaintFiledBody(BaseModel):
    model_config = ConfigDict(title="ComplaintFiled")
    tracking_number: str
    status: str
    due_at: datetime


class ComplaintStepBody(ReasonBody):
    model_config = ConfigDict(
        title="ComplaintStep", extra="forbid", json_schema_extra={"examples": [{"reason": "x"}]}
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "reason": ("reason_required", "a step needs a reason")
    }


class ComplaintDecisionBody(ComplaintStepBody):
    model_config = ConfigDict(
        title="ComplaintDecision",
        extra="forbid",
        json_schema_extra={
            "examples": [{"decision": "uphold", "reason": "video", "remedy": "recount"}]
        },
    )
    decision: Literal["uphold", "dismiss"]
    remedy: StationRemedy | None = None


class AppealBody(ComplaintStepBody):
    model_config = ConfigDict(
        title="Appeal",
        extra="forbid",
        json_schema_extra={"examples": [{"appeal_body": "Baku Court of Appeal", "reason": "x"}]},
    )
    appeal_body: Name


class AppealDecisionBody(ComplaintStepBody):
    model_config = ConfigDict(
        title="AppealDecision",
        extra="forbid",
        json_schema_extra={"examples": [{"outcome": "dismissed", "reason": "x"}]},
    )
    outcome: Literal["upheld", "dismissed"]


class PublicationBody(CommissionBody):
    model_config = ConfigDict(
        title="ComplaintPublication",
        extra="forbid",
        json_schema_extra={"examples": [{"description": "A [man] voted twice."}]},
    )
    description: Annotated[str, Field(min_length=1, max_length=5000, pattern=r"\S")]
    attachments: Annotated[
        list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]], Field(max_length=5)
    ] = Field(default_factory=list)


class OutageCitationBody(CommissionBody):
    model_config = ConfigDict(
        title="ComplaintOutageCitation",
        extra="forbid",
        json_schema_extra={"examples": [{"outage": 17, "reason": "the camera was down then"}]},
    )
    outage: Annotated[int, Field(ge=1, le=2_000_000_000)]
    reason: Reason


class StepBody(BaseModel):
    model_config = ConfigDict(title="ComplaintStepRecord")
    kind: str
    body: str
    decided_by: str
    decided_at: datetime
    reason: str
    outcome: str | None


class CitedOutageBody(BaseModel):
    model_config = ConfigDict(title="CitedWebcamOutage")
    id: int
    started_at: datetime
    ended_at: datetime


class PublicComplaintBody(BaseModel):
    """A complaint in the public register: never the reporter."""

    model_config = ConfigDict(title="PublicComplaint")
    tracking_number: str
    category: str
    about: str
    station: str | None
    constituency: int | None
    filed_at: datetime
    due_at: datetime
    status: str
    overdue: bool
    steps: list[StepBody]
    description: str | None
    attachments: list[str]
    station_decision: str | None
    #: the webcam outage the complaint cites
    webcam_outage: CitedOutageBody | None


class ComplaintRegisterBody(BaseModel):
    model_config = ConfigDict(title="ComplaintRegister")
    complaints: list[PublicComplaintBody]


class WithheldComplaintBody(BaseModel):
    model_config = ConfigDict(title="WithheldComplaint")
    complaint: PublicComplaintBody
    description: str
    attachments: list[str]
    reporter_kind: str
    reporter_name: str | None
    reporter_contact: str | None


class DoneBody(BaseModel):
    model_config = ConfigDict(title="Done")
    done: bool


class AssignmentBody(CommissionBody):
    """Stations (all in the constituency, when one is named) an observer is assigned to."""

    model_config = ConfigDict(
        title="Assignment",
        extra="forbid",
        json_schema_extra={"examples": [{"stations": ["001-0001"], "constituency": 1}]},
    )
    stations: Annotated[list[StationCode], Field(max_length=100)] = Field(default_factory=list)
    constituency: Annotated[int, Field(ge=1, le=100_000)] | None = None


class AccreditedObserverBody(BaseModel):
    model_config = ConfigDict(title="AccreditedObserver")
    code: str
    full_name: str
    kind: str
    organisation: str | None
    country: str
    badge_number: str
    stations: str
    revoked: bool


class AccreditedObserversBody(BaseModel):
    """Names: for the commission only."""

    model_config = ConfigDict(title="AccreditedObservers")
    observers: list[AccreditedObserverBody]
