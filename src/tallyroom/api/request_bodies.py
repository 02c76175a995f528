"""What the API's commands accept, as pydantic models: the OpenAPI contract of every body.

Protocol and turnout bodies are declared here but parsed by the fast path (`json_body` and
the domain's strict parser, which names every problem with its own code); the commission's
small bodies are validated with these models (`validated`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tallyroom.domain.protocol_document import MAXIMUM_FIGURE
from tallyroom.service.errors import InvalidInput
from tallyroom.service.protocols.turnout import MAXIMUM_REPORTS

Count = Annotated[int, Field(ge=0, le=MAXIMUM_FIGURE)]
#: text with something in it besides white space
Reason = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]
StationCode = Annotated[str, Field(min_length=1, max_length=32, examples=["001-0001"])]
ReportingHour = Annotated[
    str, Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$", examples=["10:00"], description="HH:MM")
]

EXAMPLE_PROTOCOL: dict[str, Any] = {
    "format": 2,
    "election": "az-2024-milli-majlis",
    "station": "001-0001",
    "contest": "constituency-1",
    "photo_sha256": None,
    "version": 1,
    "figures": {
        "registered_voters": 1200,
        "voters_added": 0,
        "ballots_received": 1200,
        "ballots_issued_in_station": 740,
        "ballots_issued_portable": 20,
        "ballots_cast": 760,
        "invalid_ballots": 10,
        "unused_ballots": 440,
        "votes": {"C001": 400, "C002": 250, "C003": 100},
    },
}


class ProtocolFiguresBody(BaseModel):
    """The figures of a station's protocol; `votes` maps candidate codes to their votes."""

    model_config = ConfigDict(extra="forbid", title="ProtocolFigures")

    registered_voters: Count
    voters_added: Count
    ballots_received: Count
    ballots_issued_in_station: Count
    ballots_issued_portable: Count
    ballots_cast: Count
    invalid_ballots: Count
    unused_ballots: Count
    votes: dict[str, Count]
    #: blank ballots, only where the protocol has the line (null is the same as absent)
    blank_votes: Count | None = None


class ProtocolDocumentBody(BaseModel):
    """The document a station signs. A version above 1 is an amendment and says why.
    Format 2 names the contest (required) and the SHA-256 of the protocol's photo (null or
    absent without one); a document without `format` is format 1, which has neither."""

    model_config = ConfigDict(extra="forbid", title="ProtocolDocument")

    format: Annotated[
        Literal[1, 2] | None,
        Field(description="2 for the current format; absent (or 1) for the first"),
    ] = None
    election: Annotated[str, Field(min_length=1)]
    station: StationCode
    contest: Annotated[
        str | None,
        Field(
            min_length=1,
            examples=["constituency-1"],
            description="the contest's id: constituency-<number> in a single-member election;"
            " required in format 2, absent in format 1",
        ),
    ] = None
    photo_sha256: Annotated[
        str | None,
        Field(
            pattern=r"^[0-9a-f]{64}$",
            description="SHA-256 of the photo of the signed paper protocol (format 2)",
        ),
    ] = None
    version: Annotated[int, Field(ge=1, le=MAXIMUM_FIGURE)]
    amendment_reason: Reason | None = None
    figures: ProtocolFiguresBody


class ProtocolSubmissionBody(BaseModel):
    """A signed protocol: the signature is Ed25519 over the document's RFC 8785 canonical
    JSON, by the station's key, in hex."""

    model_config = ConfigDict(
        title="ProtocolSubmission",
        json_schema_extra={"examples": [{"protocol": EXAMPLE_PROTOCOL, "signature": "ab" * 64}]},
    )

    protocol: ProtocolDocumentBody
    signature: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{128}$")]
    entry: Annotated[
        Literal["two_clerks"] | None,
        Field(
            description="the station app's two-clerk entry: the version was entered twice and "
            "signed once both agreed (recorded in the audit log as protocol.double_entered)"
        ),
    ] = None


class TurnoutReportBody(BaseModel):
    """Voters who had voted by a published reporting hour."""

    model_config = ConfigDict(
        title="TurnoutReport", json_schema_extra={"examples": [{"as_of": "10:00", "voters": 212}]}
    )

    as_of: ReportingHour
    voters: Count
    signature: Annotated[
        str | None,
        Field(
            default=None,
            pattern=r"^[0-9a-f]{128}$",
            description="optional: the station key's Ed25519 signature (hex) over the RFC 8785 "
            'form of {"election", "station", "as_of", "voters"} (and "contest" in round 2)',
        ),
    ] = None
    contest: Annotated[
        str | None,
        Field(
            default=None,
            max_length=64,
            examples=["constituency-1/round-2"],
            description="a round-2 contest: the report is of round 2's own polling day",
        ),
    ] = None


class RelayedTurnoutReportBody(TurnoutReportBody):
    model_config = ConfigDict(title="RelayedTurnoutReport")

    station: StationCode


class TurnoutBatchBody(BaseModel):
    """Many stations' reports, stored all or nothing."""

    model_config = ConfigDict(
        title="TurnoutBatch",
        json_schema_extra={
            "examples": [{"reports": [{"station": "001-0001", "as_of": "10:00", "voters": 212}]}]
        },
    )

    reports: Annotated[
        list[RelayedTurnoutReportBody], Field(min_length=1, max_length=MAXIMUM_REPORTS)
    ]


class CommissionBody(BaseModel):
    """A body the commission's routes validate with the model itself; a failing field is
    refused with that field's stable code."""

    #: field name → (error code, message) when that field is missing or not valid
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {}


class ReasonBody(CommissionBody):
    """Why: every decision of the commission is published with its reason."""

    model_config = ConfigDict(
        title="Reason",
        json_schema_extra={"examples": [{"reason": "ballot box seal broken (act 17/2024)"}]},
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "reason": ("reason_required", "a decision needs a reason")
    }

    reason: Reason


class RuleSetChangeRequestBody(ReasonBody):
    """A new version of the election's control rules, as a rules.yaml's text, and why."""

    model_config = ConfigDict(
        title="RuleSetChange",
        json_schema_extra={
            "examples": [
                {
                    "rules_yaml": "format: tallyroom-rules/1\nrules:\n  - id: cast_exceeds_issued"
                    "\n    check: ballots_cast <= ballots_issued_in_station + "
                    "ballots_issued_portable\n    message: {az: ..., en: ..., ru: ...}\n",
                    "reason": "the commission's resolution 12/2024 on portable boxes",
                }
            ]
        },
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "rules_yaml": ("invalid_rules", "rules_yaml must be a rules.yaml's text"),
        **ReasonBody.error_codes,
    }

    rules_yaml: Annotated[
        str,
        Field(
            min_length=1,
            max_length=256 * 1024,
            description="the whole rule set in rules.yaml's format (docs/definition-format.md)",
        ),
    ]


class DecisionBody(ReasonBody):
    model_config = ConfigDict(
        title="Decision",
        json_schema_extra={
            "examples": [{"decision": "accept", "reason": "figures checked against the copy"}]
        },
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        # the decision first, as it was checked before the reason
        "decision": ("invalid_decision", "decision must be accept or reject"),
        **ReasonBody.error_codes,
    }

    decision: Literal["accept", "reject"]


class AnnulmentOrderBody(ReasonBody):
    """An annulment takes the station's result out of every total: the reason, and the
    decider's explicit confirmation."""

    model_config = ConfigDict(
        title="AnnulmentOrder",
        json_schema_extra={
            "examples": [{"reason": "ballot box seal broken (act 17/2024)", "confirmed": True}]
        },
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        **ReasonBody.error_codes,
        "confirmed": (
            "confirmation_required",
            "an annulment takes the station's result out of every total: confirm it",
        ),
    }
    confirmed: Literal[True]


class CertificationRequestBody(CommissionBody):
    """Why a too-close result is certified; optional otherwise."""

    model_config = ConfigDict(
        title="CertificationRequest",
        json_schema_extra={"examples": [{"reason": "recounted under observation (act 31/2024)"}]},
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "reason": ("invalid_reason", "a reason is text of at most 2,000 characters")
    }
    reason: Reason | None = None


CandidateCode = Annotated[str, Field(min_length=1, max_length=32, examples=["C002"])]


class RunoffRequestBody(CommissionBody):
    """Round 2 of a two-round contest: the qualified candidates who withdrew (their
    declarations) and why; both optional."""

    model_config = ConfigDict(
        title="RunoffRequest",
        json_schema_extra={
            "examples": [
                {
                    "withdrawals": ["C003"],
                    "reason": "C003 withdrew (declaration 4/2024)",
                    "polling_date": "2024-02-21",
                }
            ]
        },
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "withdrawals": ("invalid_withdrawals", "withdrawals is a list of candidate codes"),
        "reason": ("invalid_reason", "a reason is text of at most 2,000 characters"),
        "polling_date": ("invalid_polling_date", "polling_date is a date: YYYY-MM-DD"),
    }
    withdrawals: Annotated[list[CandidateCode], Field(max_length=100)] = []
    reason: Reason | None = None
    #: round 2's own polling day (its hourly turnout is judged by that day's clock)
    polling_date: date | None = None


class TokenRevocationBody(CommissionBody):
    model_config = ConfigDict(
        title="TokenRevocation",
        json_schema_extra={"examples": [{"token": "the token as it was issued"}]},
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "token": ("token_required", "name the token to revoke")
    }

    token: Annotated[str, Field(min_length=1)]


Body = TypeVar("Body", bound=CommissionBody)


def validated(model: type[Body], body: dict[str, Any]) -> Body:
    """The body as `model`; otherwise InvalidInput (422) with the code of the first failing
    field in `error_codes` order, and every problem listed."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        failures = error.errors(include_url=False, include_input=False)
        failing = {str(failure["loc"][0]) for failure in failures if failure["loc"]}
        code, message = next(
            (codes for name, codes in model.error_codes.items() if name in failing),
            ("invalid_request", "the body is not valid"),
        )
        problems = [
            {"field": ".".join(str(part) for part in failure["loc"]), "message": failure["msg"]}
            for failure in failures
        ]
        raise InvalidInput(code, message, problems=problems) from None


class EnrolmentBody(BaseModel):
    """A device enrolling: its station, the one-time code from the station's envelope, and
    the public half of the key pair it made (the private half never leaves it)."""

    model_config = ConfigDict(
        title="Enrolment",
        json_schema_extra={
            "examples": [
                {
                    "station": "001-0001",
                    "code": "7K3QD-9XF2M",
                    "public_key": "d75a980182b10ab7d54bfed3c964073a"
                    "0ee172f3daa62325af021a68f707511a",
                }
            ]
        },
    )

    station: StationCode
    code: Annotated[str, Field(min_length=1, max_length=40, examples=["7K3QD-9XF2M"])]
    public_key: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="raw Ed25519, hex")]


class LotEntryBody(CommissionBody):
    """The outcome of a lot the commission drew by hand for a tie: the seat as the results
    name it, the candidate who drew the winning lot, and how, where and before whom."""

    model_config = ConfigDict(
        title="LotEntry",
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "seat": "constituency-2 seat 1",
                    "won_by": "C005",
                    "account": "drawn from an urn at the public session of 3 September 2024, "
                    "both candidates' agents and two observers present",
                }
            ]
        },
    )
    error_codes: ClassVar[dict[str, tuple[str, str]]] = {
        "seat": ("invalid_seat", "seat names the tied seat, at most 200 characters"),
        "won_by": ("invalid_candidate", "won_by is a candidate code"),
        "account": (
            "account_required",
            "say how, where and before whom the lot was drawn (at most 2,000 characters)",
        ),
    }
    seat: Annotated[str, Field(min_length=1, max_length=200)]
    won_by: CandidateCode
    account: Reason
