"""What the API answers, as pydantic models: the OpenAPI contract of every success body.
The routes answer the service's JSON directly (rendered once per revision, for speed);
the schemathesis test holds every answer to these models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tallyroom.domain.candidate import Nomination

ProtocolStatusName = Literal["received", "accepted", "flagged", "rejected"]


class PhotoOutcomeBody(BaseModel):
    """The photo of a version's signed paper protocol, stored under its SHA-256."""

    model_config = ConfigDict(title="PhotoOutcome")
    station: str
    version: int
    photo_sha256: str = Field(pattern="^[0-9a-f]{64}$")
    already_stored: bool


class SubmissionOutcomeBody(BaseModel):
    """A protocol as stored: `status` accepted (counted), flagged (held for the commission,
    `reasons` say which control checks failed), received (stored, not counted: the station
    is annulled) or rejected."""

    model_config = ConfigDict(
        title="SubmissionOutcome",
        json_schema_extra={
            "examples": [
                {
                    "station": "001-0001",
                    "version": 1,
                    "status": "accepted",
                    "reasons": [],
                    "already_stored": False,
                }
            ]
        },
    )

    station: str
    version: int
    status: ProtocolStatusName
    reasons: list[dict[str, Any]]
    already_stored: bool = Field(description="this exact version had been stored already")
    rule_set_version: str | None = Field(
        None, description="the version of the rule set (GET /api/v1/rules) that judged it"
    )


class TurnoutOutcomeBody(BaseModel):
    model_config = ConfigDict(
        title="TurnoutOutcome",
        json_schema_extra={
            "examples": [
                {
                    "station": "001-0001",
                    "as_of": "10:00",
                    "voters": 212,
                    "status": "accepted",
                    "reasons": [],
                    "already_stored": False,
                }
            ]
        },
    )

    station: str
    as_of: str
    voters: int
    status: str
    reasons: list[dict[str, Any]]
    already_stored: bool


class TurnoutBatchOutcomeBody(BaseModel):
    model_config = ConfigDict(title="TurnoutBatchOutcome")

    reports: list[TurnoutOutcomeBody]


class DecisionStateFields(BaseModel):
    state: Literal["decided", "pending_confirmation"] = Field(
        description="decided: in effect; pending_confirmation: the election's decision policy "
        "wants a second person to confirm it (POST /api/v1/decisions/{id}/confirmation)"
    )
    decision_id: int | None = Field(description="the proposed decision, while pending")


class AnnulmentBody(DecisionStateFields):
    model_config = ConfigDict(title="Annulment")

    station: str
    annulled: bool


class RecountOrderBody(DecisionStateFields):
    model_config = ConfigDict(title="RecountOrder")

    station: str
    recount_ordered: bool


class DecisionOutcomeBody(DecisionStateFields):
    model_config = ConfigDict(title="DecisionOutcome")

    station: str
    decision: Literal["accept", "reject", "recount", "annul"]
    version: int | None
    status: str = Field(
        description="accepted, rejected, recount_ordered, annulled or pending_confirmation"
    )


class ReexaminedProtocolBody(BaseModel):
    model_config = ConfigDict(title="ReexaminedProtocol")

    station: str
    version: int
    previous_status: Literal["accepted", "flagged"]
    status: Literal["accepted", "flagged"]
    reasons: list[str] = Field(description="the codes of the checks it fails now")


class RuleSetChangeBody(BaseModel):
    model_config = ConfigDict(title="RuleSetChangeOutcome")

    version: str = Field(description="the rule set now in force (SHA-256, as GET /api/v1/rules)")
    previous_version: str
    changed: bool = Field(description="false: the rule set sent was the one in force already")
    reexamined: int = Field(description="protocols no person had decided, judged again")
    status_changed: list[ReexaminedProtocolBody]
    frozen_stations: list[str] = Field(
        description="undecided protocols of certified contests, left as they were"
    )


class CertificationBody(BaseModel):
    model_config = ConfigDict(title="Certification")

    constituency: int | None = Field(description="None: the national certification")
    certified: bool
    document: dict[str, Any] | None = Field(
        default=None, description="the signed document (canonical JSON, RFC 8785)"
    )
    public_key: str | None = None
    signature: str | None = None


class PublishedCertificationBody(BaseModel):
    model_config = ConfigDict(title="PublishedCertification")

    id: int
    scope: Literal["constituency", "nation"]
    constituency: int | None
    document: dict[str, Any]
    public_key: str = Field(description="hex Ed25519: the commission's announced key")
    signature: str = Field(description="hex Ed25519 over the document's RFC 8785 JSON")
    withdrawn_at: str | None
    withdrawal_reason: str | None


class CertificationsBody(BaseModel):
    model_config = ConfigDict(title="Certifications")

    election: str
    final: bool = Field(description="the national result stands certified")
    certifications: list[PublishedCertificationBody]


class QueueItemBody(BaseModel):
    model_config = ConfigDict(title="QueueItem")

    station: str
    station_name: str
    constituency: int
    version: int | None
    status: Literal["flagged", "pending_confirmation"]
    failed_checks: list[dict[str, Any]]
    figures: dict[str, Any] | None
    submitted_at: str | None
    history: list[dict[str, Any]]
    proposed_decision: dict[str, Any] | None


class QueueBody(BaseModel):
    model_config = ConfigDict(title="Queue")

    items: list[QueueItemBody]


class UnreportedStationBody(BaseModel):
    model_config = ConfigDict(title="UnreportedStation")

    station: str
    name: str
    constituency: int
    waiting_for: Literal["nothing_received", "amendment", "recount"]
    registered_voters: int
    last_turnout_as_of: str | None
    last_turnout_at: str | None
    minutes_since_turnout: int | None
    contact: str | None = Field(description="personal data: commission staff only")


class UnreportedStationsBody(BaseModel):
    model_config = ConfigDict(title="UnreportedStations")

    constituency: int
    stations: list[UnreportedStationBody]


class RevocationBody(BaseModel):
    model_config = ConfigDict(title="Revocation")

    revoked: Literal[True]


# --- public reads ---------------------------------------------------------------------------


class CandidateResultBody(BaseModel):
    model_config = ConfigDict(title="CandidateResult")

    code: str
    full_name: str
    party: str | None
    nomination: Nomination
    votes: int
    share: float = Field(description="percentage of the valid votes")


class ConstituencyResultBody(BaseModel):
    model_config = ConfigDict(title="ConstituencyResult")

    number: int
    name: str
    kind: str
    stations_total: int
    stations_reporting: int
    stations_annulled: int = Field(description="stations annulled by decision: in no total")
    ballots_annulled: int = Field(description="ballots cast at the annulled stations")
    count_complete: bool = Field(description="every station counted or annulled by decision")
    registered_voters: int
    registered_voters_reporting: int
    voters_added: int
    ballots_cast: int
    invalid_ballots: int
    valid_votes: int
    candidates: list[CandidateResultBody] = Field(description="by votes, most first")
    leader: str | None = Field(description="the leading candidate's code; null on a tie")
    tie: bool
    leaders: list[str]
    margin_votes: int
    margin_percent: float
    too_close: bool
    certified: bool
    seat_status: Literal["won", "leading"] | None = Field(
        description="won once the count is complete or certified, leading before; "
        "null with nothing counted or a tied lead"
    )
    too_close_to_call: bool = Field(description="leading by less than the too-close margin")
    blank_votes: int | None = Field(
        default=None, description="blank ballots, once a counted protocol has that line"
    )
    district_list: DistrictListBody | None = Field(
        default=None,
        description="a district list contest's seats: its quotient table, threshold line and "
        "seat holders (absent for a candidate contest)",
    )
    leveling_seats: list[LevelingSeatBody] | None = Field(
        default=None, description="the leveling seats placed in this district, if any"
    )
    tie_decision: TieDecisionBody | None = Field(
        default=None,
        description="a tied candidate contest: the seats by the tie rule and drawn lots, and "
        "any tie awaiting its lot (absent with no tie)",
    )


class SeatHolderBody(BaseModel):
    model_config = ConfigDict(title="SeatHolder")

    candidate: str
    status: Literal["won", "leading"]


class PendingTieBody(BaseModel):
    model_config = ConfigDict(title="PendingTie")

    seat: str = Field(description='the seat the lot is drawn for ("constituency-4 seat 1")')
    between: list[str] = Field(description="the tied candidates' codes")
    reason: Literal["lot_pending", "birth_dates_missing"] = Field(
        description="lot_pending: the commission has not drawn (and confirmed) the lot yet; "
        "birth_dates_missing: the age rule cannot be applied"
    )


class TieDecisionBody(BaseModel):
    model_config = ConfigDict(title="TieDecision")

    seat_holders: list[SeatHolderBody] = Field(
        description="who holds the seats by the election's tie rule and the drawn lots"
    )
    pending: PendingTieBody | None = Field(
        description="tied, lot pending: the seat stays open until the lot is drawn"
    )


class SeatGroupBody(BaseModel):
    model_config = ConfigDict(title="SeatGroup")

    party: str | None = Field(description="null for independents with no party")
    nomination: Nomination
    seats: int = Field(description="constituencies this group leads (won and leading)")
    won: int
    leading: int


class PartyResultBody(BaseModel):
    model_config = ConfigDict(title="PartyResult")

    short_name: str
    name: str
    colour: str
    votes: int
    seats: int
    seats_won: int
    member_seats: int = Field(description="seats of its members standing as independents")
    member_seats_won: int


class ExactNumberBody(BaseModel):
    model_config = ConfigDict(title="ExactNumber")

    exact: str = Field(description='the exact fraction as text, e.g. "100000/3"')
    decimal: str = Field(description="rounded to two decimals, for reading")


class ListQuotientBody(BaseModel):
    model_config = ConfigDict(title="ListQuotient")

    divisor: str
    quotient: ExactNumberBody
    seat: int | None = Field(description="the number of the seat this quotient won, if any")


class ListRowBody(BaseModel):
    model_config = ConfigDict(title="ListRow")

    party: str
    votes: int
    passed: bool = Field(description="at or above the threshold")
    seats: int
    quotients: list[ListQuotientBody] | None = None
    quota_seats: int | None = None
    remainder: ExactNumberBody | None = None
    remainder_seat: bool | None = None


class ListContestBody(BaseModel):
    model_config = ConfigDict(title="ListContest")

    contest: str
    seats: int
    method: str = Field(description="dhondt, sainte-lague, hare or droop")
    threshold_percent: str
    base_votes: int = Field(description="valid list votes the threshold is a share of")
    threshold_votes: ExactNumberBody = Field(description="the threshold line in votes")
    quota: ExactNumberBody | None
    status: str | None = Field(description="won (national count complete) or leading")
    open_seats: int = Field(description="seats a tie leaves to the law's lot")
    lot_needed_between: list[str]
    rows: list[ListRowBody] = Field(description="the quotient table, party by party")
    threshold_counts_blank: bool | None = Field(
        default=None, description="true when blank votes count in the threshold's base"
    )
    first_divisor: str | None = Field(
        default=None, description="modified Sainte-Laguë: the first divisor (exact, e.g. 7/5)"
    )


class DistrictSeatHolderBody(BaseModel):
    model_config = ConfigDict(title="DistrictSeatHolder")

    candidate: str
    party: str | None
    status: Literal["won", "leading"]


class DistrictListBody(ListContestBody):
    model_config = ConfigDict(title="DistrictList")

    seat_holders: list[DistrictSeatHolderBody] = Field(
        description="the candidates taking the seats, in their party's closed list order"
    )


class LevelingSeatBody(BaseModel):
    model_config = ConfigDict(title="LevelingSeat")

    order: int = Field(description="the order the geographic step placed it in")
    party: str
    candidate: str | None = Field(description="the party's next list candidate in the district")
    status: Literal["won", "leading"] | None
    quotient: ExactNumberBody = Field(
        description="the party's district quotient over the district's votes per ordinary seat"
    )


class LevelingNationalSeatsBody(BaseModel):
    model_config = ConfigDict(title="LevelingNationalSeats")

    party: str
    district_seats: int
    leveling_seats: int


class LevelingBody(BaseModel):
    model_config = ConfigDict(title="Leveling")

    rule: dict[str, Any] = Field(description="the leveling rule as the definition declares it")
    seats: int = Field(description="leveling seats in all")
    status: str | None = Field(
        description="won once every district list station is counted or certified, leading before"
    )
    base_votes: int = Field(description="national list votes the threshold is a share of")
    threshold_votes: ExactNumberBody = Field(description="the national threshold line in votes")
    national_votes: dict[str, int]
    passed: list[str] = Field(description="parties past the national threshold")
    lot_needed_between: list[str]
    lot_needed_for: str = Field(
        default="",
        description="the leveling seat a tie holds open until the commission's lot is entered",
    )
    lots: list[dict[str, Any]] = Field(
        default_factory=list, description="the commission's lots that decided leveling ties"
    )
    unfilled: list[dict[str, Any]] = Field(
        default_factory=list,
        description="leveling seats a party is owed that no list could take: party, seats, "
        "reason (list_used_up); counted in its leveling seats",
    )
    national_steps: list[dict[str, Any]] = Field(
        description="each national step's seats and quotients; the last one counts"
    )
    over_represented: list[str] = Field(description="parties dropped, in the order dropped")
    party_leveling_seats: dict[str, int]
    national_seats: list[LevelingNationalSeatsBody]
    placements: list[dict[str, Any]] = Field(
        description="the geographic step: order, district, party, candidate, quotient"
    )


class NationalSeatsBody(BaseModel):
    model_config = ConfigDict(title="NationalSeats")

    party: str
    constituency_seats: int
    list_seats: int


class NationalSummaryBody(BaseModel):
    model_config = ConfigDict(title="NationalSummary")

    election: str
    status: str = Field(description="preliminary or final")
    revision: int = Field(description="the results revision: ask /changes?since= with it")
    as_of: datetime
    seats_total: int
    majority: int
    stations_total: int
    stations_reporting: int
    stations_annulled: int
    ballots_annulled: int
    registered_voters: int
    registered_voters_reporting: int
    ballots_cast: int
    invalid_ballots: int
    seats: list[SeatGroupBody]
    seats_declared: int = Field(description="constituency leaders: seats won plus leading")
    seats_won: int
    seats_leading: int
    parties_with_seats: int
    parties: list[PartyResultBody]
    votes_party_members: int
    votes_non_party: int
    ties: list[int] = Field(description="constituencies whose leaders are tied")
    too_close_to_call: list[int] = Field(description="constituencies too close to call")
    blank_votes: int | None = Field(
        default=None, description="blank ballots, once a counted protocol has that line"
    )
    list_contest: ListContestBody | None = Field(
        default=None, description="the party-list contest's allocation, where there is one"
    )
    national_seats: list[NationalSeatsBody] | None = Field(
        default=None, description="seats by party: constituency and list, with a list contest"
    )
    leveling: LevelingBody | None = Field(
        default=None, description="leveling seats over the district list contests, if any"
    )


class NationalResultsBody(NationalSummaryBody):
    model_config = ConfigDict(title="NationalResults")

    constituencies: list[ConstituencyResultBody]


class ProgressBody(BaseModel):
    model_config = ConfigDict(title="Progress")

    status: str
    stations_total: int
    stations_reporting: int
    stations_annulled: int
    registered_voters: int
    registered_voters_reporting: int
    revision: int


class TurnoutHourBody(BaseModel):
    model_config = ConfigDict(title="TurnoutHour")

    as_of: str = Field(description="the reporting hour, HH:MM local time")
    voters: int
    stations_reporting: int
    percent: float


class TurnoutByHourBody(BaseModel):
    model_config = ConfigDict(title="TurnoutByHour")

    hours: list[TurnoutHourBody]


class ConstituencyRefBody(BaseModel):
    model_config = ConfigDict(title="ConstituencyRef")

    number: int
    name: str


class StationTagsBody(BaseModel):
    model_config = ConfigDict(title="StationTags")

    idp: bool
    special_territory: bool
    abroad: bool
    webcam: bool
    exit_poll: bool
    observers: bool


class StationDecisionBody(BaseModel):
    model_config = ConfigDict(title="StationDecision")

    kind: str = Field(description="annulled or recount")
    reason: str
    decided_at: datetime


class ProtocolVersionBody(BaseModel):
    model_config = ConfigDict(title="ProtocolVersion")

    version: int
    status: ProtocolStatusName
    counted: bool
    protocol: dict[str, Any] = Field(description="the document as the station signed it")
    body_sha256: str
    signature: str
    public_key: str
    reasons: list[dict[str, Any]]
    rule_set_version: str | None = Field(
        None, description="the rule set that judged it; null: judged before rules were data"
    )
    amendment_reason: str | None
    submitted_at: datetime
    decision_reason: str | None


class StationTurnoutReportBody(BaseModel):
    model_config = ConfigDict(title="StationTurnoutReport")

    as_of: str
    voters: int
    status: str
    reasons: list[dict[str, Any]]


class BallotCandidateBody(BaseModel):
    model_config = ConfigDict(title="BallotCandidate")

    code: str
    full_name: str
    party: str | None
    ballot_position: int | None = Field(description="null: after the positioned candidates")


class StationDetailBody(BaseModel):
    model_config = ConfigDict(title="StationDetail")

    code: str
    name: str
    constituency: ConstituencyRefBody
    contest: str = Field(description="the contest's id, as format 2 protocols name it")
    candidates: list[BallotCandidateBody] = Field(
        description="the standing candidates, in ballot order"
    )
    kind: str
    registered_voters: int
    turning_18: int
    tags: StationTagsBody
    annulled: bool
    decisions: list[StationDecisionBody]
    protocol_versions: list[ProtocolVersionBody]
    turnout_reports: list[StationTurnoutReportBody]


class SignedTreeHeadBody(BaseModel):
    model_config = ConfigDict(title="SignedTreeHead")

    tree_size: int = Field(description="audit entries the head covers")
    root_hash: str = Field(description="RFC 9162 Merkle tree root of those entries, hex")
    timestamp: str
    key: str = Field(description="the commission's tree-head public key, hex")
    signature: str = Field(description="Ed25519 over the head's signed bytes, hex")


class SignedTreeHeadsBody(BaseModel):
    model_config = ConfigDict(title="SignedTreeHeads")

    keys: list[str]
    heads: list[SignedTreeHeadBody]


class ConsistencyProofBody(BaseModel):
    model_config = ConfigDict(title="ConsistencyProof")

    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str] = Field(description="RFC 9162 consistency proof nodes, hex")


class AuditHeadBody(BaseModel):
    model_config = ConfigDict(title="AuditHead")

    sequence: int
    entry_hash: str
    signed_head: SignedTreeHeadBody | None = Field(
        description="the newest signed tree head; null before the first is signed"
    )


class StationChangeBody(BaseModel):
    model_config = ConfigDict(title="StationChange")

    station: str
    constituency: int
    revision: int = Field(description="the last revision that changed this station's result")
    counted_version: int | None = Field(
        description="the protocol version counted now; null when none is (annulled, or "
        "taken out for a recount)"
    )


class ChangesBody(BaseModel):
    """Stations whose counted result changed after `since`, up to `revision`: ask next with
    `since` set to this `revision`."""

    model_config = ConfigDict(
        title="Changes",
        json_schema_extra={
            "examples": [
                {
                    "since": 41,
                    "revision": 44,
                    "as_of": "2024-09-01T19:04:12+00:00",
                    "stations": [
                        {
                            "station": "001-0001",
                            "constituency": 1,
                            "revision": 43,
                            "counted_version": 2,
                        }
                    ],
                }
            ]
        },
    )

    since: int
    revision: int
    as_of: datetime
    stations: list[StationChangeBody]


class RuleToleranceBody(BaseModel):
    model_config = ConfigDict(title="RuleTolerance")

    kind: Literal["absolute", "relative"]
    value: int = Field(
        ge=0, description="a count (absolute) or basis points of the larger side (relative)"
    )


class RuleBody(BaseModel):
    model_config = ConfigDict(title="Rule")

    id: str
    check: str = Field(description="a comparison in the rules' expression language")
    tolerance: RuleToleranceBody
    action: Literal["flag", "refuse"]
    message: dict[str, str] = Field(description="language → text with {expression} placeholders")


class RuleSetBody(BaseModel):
    """The control rules of the election, as the station app applies them while a protocol is
    typed and the server applies them when it arrives."""

    model_config = ConfigDict(title="RuleSet")

    election: str
    version: str = Field(description="SHA-256 of the canonical JSON of {rules}")
    fields: list[str] = Field(description="the protocol's figures a check may name")
    station_facts: list[str] = Field(description="facts a check names as station.<fact>")
    rules: list[RuleBody]


class EnrolmentOutcomeBody(BaseModel):
    """An enrolled device's station token (keep it with the key) and its key's fingerprint
    (show it to observers at the station)."""

    model_config = ConfigDict(title="EnrolmentOutcome")

    station: str
    token: str
    fingerprint: str
    enrolled_at: str


class EnrolmentCodeBody(BaseModel):
    """A new one-time enrolment code for a station; its previous key is revoked from now."""

    model_config = ConfigDict(title="EnrolmentCode")

    station: str
    code: str


class SetupCandidateBody(BaseModel):
    code: str
    name: str
    party: str | None
    ballot_position: int


class LatestVersionBody(BaseModel):
    version: int
    status: str
    body_sha256: str
    reasons: list[dict[str, Any]]
    figures: dict[str, Any]


class StationRoundBody(BaseModel):
    """One round the station votes in: its contest, candidates, hours, versions."""

    model_config = ConfigDict(title="StationRound")

    round: int = Field(description="1, or 2 for a two-round contest's round 2")
    contest: str = Field(description='"constituency-5" or "constituency-5/round-2"')
    polling_date: str | None
    certified: bool | None = None
    candidates: list[SetupCandidateBody] = Field(description="on this round's ballot, in order")
    turnout_hours: list[str]
    turnout_reported: dict[str, int]
    latest: LatestVersionBody | None


class StationSetupBody(BaseModel):
    """What a station's device needs to enter, check and sign its protocol."""

    model_config = ConfigDict(title="StationSetup")

    election: str
    election_name: str
    station: str
    station_name: str
    constituency: int
    constituency_name: str
    contest: str = Field(
        description='the contest\'s id as signed documents name it: "constituency-5"'
    )
    registered_voters: int
    candidates: list[SetupCandidateBody]
    turnout_hours: list[str]
    turnout_reported: dict[str, int]
    protocol_formats: list[int]
    two_clerk_entry: bool
    key_fingerprint: str | None
    latest: LatestVersionBody | None
    rounds: list[StationRoundBody] = Field(description="round 1, and round 2 once defined")
    round_in_progress: int


class RunoffCandidateBody(BaseModel):
    model_config = ConfigDict(title="RunoffCandidate")

    code: str
    full_name: str
    round_one_votes: int
    status: Literal["standing", "withdrawn"]


class RunoffBody(BaseModel):
    """A two-round contest's round 2 as the commission defined it from round 1."""

    model_config = ConfigDict(title="Runoff")

    contest: str = Field(description='the round-2 contest: "constituency-5/round-2"')
    round_one_contest: str
    constituency: int
    registered_voters: int = Field(
        description="round 1's registered voters (the 25 % and 12.5 % base)"
    )
    round_one_votes: dict[str, int]
    candidates: list[RunoffCandidateBody] = Field(description="the qualified, most votes first")
    standing: list[str]
    withdrawn: list[str]
    defined_at: str
    reason: str | None
    polling_date: str | None = Field(description="round 2's own polling day (YYYY-MM-DD)")
    certified: bool = Field(description="round 2's certification stands: it is frozen")


class RoundTwoCountBody(BaseModel):
    """Round 2 as counted: the newest accepted protocol of each station."""

    model_config = ConfigDict(title="RoundTwoCount")

    contest: str
    stations_total: int
    stations_counted: int
    registered_voters: int
    ballots_cast: int
    invalid_ballots: int
    votes: dict[str, int] = Field(description="the standing candidates' votes, most first")
    leader: str | None
    tied: list[str]
    status: Literal["won", "leading"] | None
    certified: bool = Field(description="round 2's certification stands")


class RoundTwoTurnoutBody(BaseModel):
    """Round 2's accepted turnout at one reporting hour of its own polling day."""

    model_config = ConfigDict(title="RoundTwoTurnout")

    as_of: str
    voters: int
    stations_reporting: int


class PublishedRunoffBody(RunoffBody):
    model_config = ConfigDict(title="PublishedRunoff")

    round_two: RoundTwoCountBody
    turnout: list[RoundTwoTurnoutBody] = Field(description="round 2's turnout by hour")


class RunoffsBody(BaseModel):
    model_config = ConfigDict(title="Runoffs")

    election: str
    runoffs: list[PublishedRunoffBody]


class LotBody(BaseModel):
    """A lot drawn for a tie: entered by one commission member, deciding the seat once a
    second confirms it."""

    model_config = ConfigDict(title="Lot")

    id: int
    seat: str
    between: list[str] = Field(description="the tied candidates' codes")
    won_by: str
    state: Literal["pending", "confirmed"] = Field(
        description="pending: awaiting a second member's confirmation (the seat stays tied)"
    )
    entered_by: str
    confirmed_by: str | None


class LotsBody(BaseModel):
    model_config = ConfigDict(title="Lots")

    election: str
    lots: list[LotBody]
