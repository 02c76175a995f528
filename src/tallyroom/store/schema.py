"""Tables of the store. Geography and everything else is keyed by election."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints keep Alembic's batch mode working on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ElectionRow(Base):
    __tablename__ = "election"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: the name in other languages: a JSON object of language code → name
    names: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    country: Mapped[str] = mapped_column(String(8))
    polling_day: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    #: "HH:MM"
    opens: Mapped[str] = mapped_column(String(5))
    closes: Mapped[str] = mapped_column(String(5))
    #: ";"-separated "HH:MM" list
    turnout_report_times: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(Integer)
    contest_kind: Mapped[str] = mapped_column(String(40))
    seats_per_constituency: Mapped[int] = mapped_column(Integer)
    too_close_margin_percent: Mapped[float] = mapped_column(Float)
    #: sha256 of the definition as loaded, so an export can be compared with its source
    definition_digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: served under a drill clock at least once: everything published from it says DRILL
    drill: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: the control rules as served (canonical JSON of domain/rule_set.py's form); NULL for an
    #: election loaded before rules were data, which is judged by the reference rules
    rule_set: Mapped[str | None] = mapped_column(Text)
    #: the party-list contest (canonical JSON of ListContest.as_json); NULL: none
    list_contest: Mapped[str | None] = mapped_column(Text)
    #: the decision policy: ";"-separated decision kinds (accept, reject, recount, annul) that
    #: are final only once a second person confirms them (four-eyes); not part of the rule set
    four_eyes_decisions: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: the station app has two clerks enter each protocol in turn and signs only when they
    #: agree field by field (a per-election setting of the definition)
    two_clerk_entry: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: days the commission has to decide a complaint, per category (a JSON object of category
    #: → days, from the definition's `complaints: {deadline_days: …}`); NULL: the default table
    complaint_deadlines: Mapped[str | None] = mapped_column(Text)
    #: how ties for a seat or a round-2 place are decided (domain TieRule: older_candidate,
    #: younger_candidate, lot); a rule that leaves them tied falls to the commission's lot
    tie_rule: Mapped[str] = mapped_column(String(30), default="lot", server_default="lot")
    #: leveling seats over the district list contests (canonical JSON of LevelingRule.as_json);
    #: NULL: none
    leveling: Mapped[str | None] = mapped_column(Text)


class ConstituencyRow(Base):
    __tablename__ = "constituency"
    __table_args__ = (UniqueConstraint("election_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))


class ContestRow(Base):
    __tablename__ = "contest"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    seats: Mapped[int] = mapped_column(Integer)
    #: a district list contest's threshold, exact ("3", "13/2"); NULL: a candidate contest
    threshold_percent: Mapped[str | None] = mapped_column(String(40))
    #: a district list contest counts blank votes in its threshold's base
    threshold_counts_blank: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    #: a district list contest's first divisor in place of its series' own ("7/5"); NULL: none
    first_divisor: Mapped[str | None] = mapped_column(String(40))
    certified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RunoffRow(Base):
    """A two-round contest's second round, defined by the commission from the certified
    round 1 (service/results/runoffs.py); round 1's figures as they were used are kept with it."""

    __tablename__ = "runoff"
    __table_args__ = (UniqueConstraint("election_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    #: the round-1 contest
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), unique=True)
    #: the round-2 contest's id: "constituency-5/round-2"
    code: Mapped[str] = mapped_column(String(64))
    #: canonical JSON: round 1's votes per candidate and the registered voters it was judged by
    round_one: Mapped[str] = mapped_column(Text)
    defined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    defined_by: Mapped[str] = mapped_column(String(200))
    #: why candidates withdrew (their declarations); None without withdrawals
    reason: Mapped[str | None] = mapped_column(Text)
    #: round 2's own polling day (its election clock); None when the definition named none
    polling_date: Mapped[date | None] = mapped_column(Date)
    #: set while round 2's certification stands: the round-2 contest is frozen
    certified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RunoffCandidateRow(Base):
    """A candidate round 1 qualified for round 2: standing, or withdrawn."""

    __tablename__ = "runoff_candidate"
    __table_args__ = (UniqueConstraint("runoff_id", "candidate_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runoff_id: Mapped[int] = mapped_column(ForeignKey("runoff.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"))
    round_one_votes: Mapped[int] = mapped_column(Integer)
    #: "standing" or "withdrawn"
    status: Mapped[str] = mapped_column(String(16))


class RunoffProtocolRow(Base):
    """One submitted version of a station's round-2 protocol (its document names the
    round-2 contest); never overwritten. The newest accepted version counts."""

    __tablename__ = "runoff_protocol"
    __table_args__ = (UniqueConstraint("runoff_id", "station_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runoff_id: Mapped[int] = mapped_column(ForeignKey("runoff.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: the RFC 8785 canonical JSON the station signed
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    station_key_id: Mapped[int] = mapped_column(ForeignKey("station_key.id"))
    #: accepted or flagged (by the election's control rules)
    status: Mapped[str] = mapped_column(String(16))
    #: JSON list of failed control checks
    reasons: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RunoffTurnoutReportRow(Base):
    """A station's voters so far at a reporting hour of round 2's own polling day (round
    1's are turnout_report); never overwritten."""

    __tablename__ = "runoff_turnout_report"
    __table_args__ = (UniqueConstraint("runoff_id", "station_id", "as_of"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runoff_id: Mapped[int] = mapped_column(ForeignKey("runoff.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    #: "HH:MM" local time of the published reporting hour
    as_of: Mapped[str] = mapped_column(String(5))
    voters: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: the station key's signature over the report (its document names the round-2 contest)
    signature: Mapped[str | None] = mapped_column(String(128))


class PollingStationRow(Base):
    __tablename__ = "polling_station"
    __table_args__ = (UniqueConstraint("election_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    idp: Mapped[bool] = mapped_column(Boolean)
    special_territory: Mapped[bool] = mapped_column(Boolean)
    abroad: Mapped[bool] = mapped_column(Boolean)
    webcam: Mapped[bool] = mapped_column(Boolean)
    registered_voters: Mapped[int] = mapped_column(Integer)
    turning_18: Mapped[int] = mapped_column(Integer)
    #: whom the commission calls about the station (personal data: never published, exported
    #: or snapshotted, and only a salted hash in the audit log)
    contact: Mapped[str | None] = mapped_column(Text)


class PartyRow(Base):
    __tablename__ = "party"
    __table_args__ = (UniqueConstraint("election_id", "short_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    short_name: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    colour: Mapped[str] = mapped_column(String(7))


class CandidateRow(Base):
    __tablename__ = "candidate"
    __table_args__ = (UniqueConstraint("election_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(200))
    nomination: Mapped[str] = mapped_column(String(16))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    status: Mapped[str] = mapped_column(String(16))
    #: place on the ballot paper; NULL: after the positioned ones, in the definition's order
    ballot_position: Mapped[int | None] = mapped_column(Integer)
    #: for the law's age tie rule; NULL: not given (a tie the rule needs it for is refused)
    birth_date: Mapped[date | None] = mapped_column(Date)


class OrganisationRow(Base):
    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("election_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(8))
    observer_role: Mapped[bool] = mapped_column(Boolean)
    exit_poll_role: Mapped[bool] = mapped_column(Boolean)
    partner_code: Mapped[str | None] = mapped_column(String(64))


class ObserverRow(Base):
    __tablename__ = "observer"
    __table_args__ = (UniqueConstraint("election_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    code: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    country: Mapped[str] = mapped_column(String(8))
    represents: Mapped[str | None] = mapped_column(String(64))
    #: ";"-separated station codes as accredited (the join table below is for queries)
    stations: Mapped[str] = mapped_column(Text)


class ObserverStationRow(Base):
    __tablename__ = "observer_station"
    observer_id: Mapped[int] = mapped_column(ForeignKey("observer.id"), primary_key=True)
    station_id: Mapped[int] = mapped_column(
        ForeignKey("polling_station.id"), primary_key=True, index=True
    )


class ExitPollSampleRow(Base):
    __tablename__ = "exit_poll_sample"
    __table_args__ = (UniqueConstraint("organisation_id", "station_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)


class StationKeyRow(Base):
    """A station's Ed25519 public key; re-issuing revokes the previous one."""

    __tablename__ = "station_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: how the key pair was made: "device" (born in the station's browser, the private half
    #: never left it) or "central" (the commission generated it: drills and benchmarks only)
    made: Mapped[str] = mapped_column(String(8), default="central", server_default="central")


class StationEnrolmentRow(Base):
    """A one-time enrolment code for a station's device: only its hash is kept; used once,
    before it expires, to bind a public key made on the device to the station."""

    __tablename__ = "station_enrolment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: when a device enrolled with it (or a newer code replaced it unused)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    station_key_id: Mapped[int | None] = mapped_column(ForeignKey("station_key.id"))
    #: what the code enrols: "signing_device" (the station's protocol-signing device) or
    #: "poll_book" (one more check-in desk); a code never enrols the other kind
    purpose: Mapped[str] = mapped_column(
        String(16), default="signing_device", server_default="signing_device"
    )


class PollBookDeviceRow(Base):
    """A station's check-in desk, enrolled with a poll-book code: the public key it made
    itself and the poll-book token enrolment gave it. Its key signs no protocol."""

    __tablename__ = "poll_book_device"
    __table_args__ = (UniqueConstraint("station_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    #: the desk's number at its station: its name is station-<code>/pollbook-<number>
    number: Mapped[int] = mapped_column(Integer)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("station_enrolment.id"), unique=True)
    access_token_id: Mapped[int] = mapped_column(ForeignKey("access_token.id"), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AccessTokenRow(Base):
    """A role token; only its SHA-256 is stored."""

    __tablename__ = "access_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    constituency_id: Mapped[int | None] = mapped_column(ForeignKey("constituency.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("polling_station.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProtocolVersionRow(Base):
    """One submitted version of a station's protocol; never overwritten."""

    __tablename__ = "protocol_version"
    __table_args__ = (UniqueConstraint("station_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    version: Mapped[int] = mapped_column(Integer)
    #: the RFC 8785 canonical JSON the station signed
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    station_key_id: Mapped[int] = mapped_column(ForeignKey("station_key.id"))
    status: Mapped[str] = mapped_column(String(16))
    #: JSON list of failed control checks
    reasons: Mapped[str] = mapped_column(Text)
    #: the version (SHA-256) of the rule set that judged it; NULL before rules were data
    rule_set_version: Mapped[str | None] = mapped_column(String(64))
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)


class StationResultRow(Base):
    """The station's current counted protocol (absent while none is accepted or if annulled)."""

    __tablename__ = "station_result"
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), primary_key=True)
    protocol_version_id: Mapped[int] = mapped_column(ForeignKey("protocol_version.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id"), index=True)
    registered_voters: Mapped[int] = mapped_column(Integer)
    voters_added: Mapped[int] = mapped_column(Integer)
    ballots_cast: Mapped[int] = mapped_column(Integer)
    invalid_ballots: Mapped[int] = mapped_column(Integer)
    #: blank ballots, where the protocol has that line; NULL where it has none
    blank_votes: Mapped[int | None] = mapped_column(Integer)


class StationDecisionRow(Base):
    """Commission decisions on a station: annulment or a recount order."""

    __tablename__ = "station_decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProposedDecisionRow(Base):
    """A decision the election's policy makes final only once a second person confirms it
    (four-eyes): until then its protocol is pending confirmation and counts for nothing."""

    __tablename__ = "proposed_decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    #: the protocol version decided on (accept, reject); None for station decisions
    protocol_version_id: Mapped[int | None] = mapped_column(ForeignKey("protocol_version.id"))
    #: accept, reject, recount or annul
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(200))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: pending, confirmed
    state: Mapped[str] = mapped_column(String(16))
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DrawnLotRow(Base):
    """A lot the commission drew for a tie its law leaves to the lot: drawn by hand in a
    public session, its outcome entered by one member and confirmed by a second (four-eyes);
    it decides the seat only once confirmed."""

    __tablename__ = "drawn_lot"
    __table_args__ = (UniqueConstraint("election_id", "seat"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    #: the seat drawn for, as the tally names it ("constituency-4 seat 1")
    seat: Mapped[str] = mapped_column(String(200))
    #: the tied candidates' codes, sorted, ";"-separated
    between: Mapped[str] = mapped_column(Text)
    won_by: Mapped[str] = mapped_column(String(32))
    #: how it was drawn, where and before whom (the session's minutes in a sentence)
    account: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: pending (entered), confirmed (a second member confirmed it)
    state: Mapped[str] = mapped_column(String(16))
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CertificationRow(Base):
    """The commission's signed act certifying a constituency's contest (or, with no contest,
    the nation's result); withdrawn with a reason, never deleted."""

    __tablename__ = "certification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    #: None: the national certification
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id"))
    #: a round-2 contest's certification (contest_id is then its round 1); None otherwise
    runoff_id: Mapped[int | None] = mapped_column(ForeignKey("runoff.id"))
    certified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    certified_by: Mapped[str] = mapped_column(String(200))
    #: why a too-close result is certified (None when it was not too close)
    reason: Mapped[str | None] = mapped_column(Text)
    #: the canonical JSON document signed
    document: Mapped[str] = mapped_column(Text)
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)


class ConstituencyTotalRow(Base):
    """Running totals per constituency, kept in step with station_result."""

    __tablename__ = "constituency_total"
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id"), primary_key=True)
    stations_reporting: Mapped[int] = mapped_column(Integer, default=0)
    registered_voters: Mapped[int] = mapped_column(BigInteger, default=0)
    voters_added: Mapped[int] = mapped_column(BigInteger, default=0)
    ballots_cast: Mapped[int] = mapped_column(BigInteger, default=0)
    invalid_ballots: Mapped[int] = mapped_column(BigInteger, default=0)
    #: blank ballots of the counted protocols that have the line (0 where none has)
    blank_votes: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class CandidateTotalRow(Base):
    __tablename__ = "candidate_total"
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), primary_key=True)
    votes: Mapped[int] = mapped_column(BigInteger, default=0)


class TurnoutReportRow(Base):
    __tablename__ = "turnout_report"
    __table_args__ = (UniqueConstraint("station_id", "as_of"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    #: "HH:MM" local time of the published reporting hour
    as_of: Mapped[str] = mapped_column(String(5))
    voters: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: the station key's signature over the report (the station app signs its reports)
    signature: Mapped[str | None] = mapped_column(String(128))


class TurnoutTotalRow(Base):
    __tablename__ = "turnout_total"
    __table_args__ = (Index("ix_turnout_total_key", "constituency_id", "as_of", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id"))
    as_of: Mapped[str] = mapped_column(String(5))
    voters: Mapped[int] = mapped_column(BigInteger, default=0)
    stations_reporting: Mapped[int] = mapped_column(Integer, default=0)


class ResultsRevisionRow(Base):
    """One row per election, bumped by every change to results: cache key and ETag source."""

    __tablename__ = "results_revision"
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StationResultChangeRow(Base):
    """Append-only: at which results revision a station's counted result changed (counted,
    replaced, taken out or annulled), for the incremental feed `GET /api/v1/changes`."""

    __tablename__ = "station_result_change"
    __table_args__ = (Index("ix_station_result_change_revision", "election_id", "revision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"))
    revision: Mapped[int] = mapped_column(BigInteger)


class AuditEntryRow(Base):
    """Append-only, hash-chained log of every command."""

    __tablename__ = "audit_entry"
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    #: canonical JSON of what the command did
    payload: Mapped[str] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The single row locked by every appender, so the chain never forks."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))


class TreeHeadKeyRow(Base):
    """The public half of the commission's Ed25519 key for signing the audit log's tree
    heads (the private half never enters the database)."""

    __tablename__ = "tree_head_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignedTreeHeadRow(Base):
    """A signed RFC 9162 tree head over the audit log, as published."""

    __tablename__ = "signed_tree_head"
    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    #: ISO 8601 UTC, exactly as signed
    timestamp: Mapped[str] = mapped_column(String(40))
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))


class PersonRow(Base):
    """A member of the commission's staff with a console account: deactivated, never
    deleted. Names, e-mail, the password hash and second-factor secrets enter the audit log
    only as salted hashes (service/audit/row_ledger.py PERSONAL_COLUMNS)."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    #: commission_member, commission_staff or constituency_member
    role: Mapped[str] = mapped_column(String(32))
    constituency_id: Mapped[int | None] = mapped_column(ForeignKey("constituency.id"))
    #: Argon2id, as argon2-cffi encodes it
    password_hash: Mapped[str] = mapped_column(String(200))
    #: base32 TOTP secret (RFC 6238), when the second factor is an authenticator app
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: base64url credential id and COSE public key of the WebAuthn security key or passkey
    webauthn_credential_id: Mapped[str | None] = mapped_column(String(400))
    webauthn_public_key: Mapped[str | None] = mapped_column(Text)
    webauthn_sign_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: SHA-256 of the one-time code that lets the person enrol a security key
    enrolment_code_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConsoleSessionRow(Base):
    """A console sign-in: the cookie's SHA-256, its CSRF token, how far the sign-in got."""

    __tablename__ = "console_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    #: second_factor, enrolment or active
    stage: Mapped[str] = mapped_column(String(16))
    #: base64url WebAuthn challenge of the ceremony under way
    challenge: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttemptRow(Base):
    """A failed console sign-in, for the per-address rate limit (kept a few minutes)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_address", "address", "attempted_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AccountDelayRow(Base):
    """Failed sign-ins in a row on one account and the moment it may try again: a delay that
    grows, never a lock-out (the commission can lift it)."""

    __tablename__ = "account_delay"
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the last TOTP time step used, so a code is never accepted twice
    last_totp_step: Mapped[int | None] = mapped_column(BigInteger)


class VoterRow(Base):
    """A person on the voter register. Rows arrive in bulk loads, logged as one salted hash
    per chunk of rows (`chunk`), never as personal data (service/register/voter_register.py)."""

    __tablename__ = "voter"
    __table_args__ = (
        UniqueConstraint("election_id", "voter_number"),
        Index("ix_voter_chunk", "election_id", "chunk"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    #: the ID-card number; None once purged
    voter_number: Mapped[str | None] = mapped_column(String(32))
    surname: Mapped[str | None] = mapped_column(String(100))
    given_name: Mapped[str | None] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    #: "F" or "M"
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(String(300))
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    #: "active" or "removed"
    status: Mapped[str] = mapped_column(String(16))
    removal_reason: Mapped[str | None] = mapped_column(String(300))
    #: the bulk-load chunk whose logged hash covers this row
    chunk: Mapped[int] = mapped_column(Integer)


class AbsenteeCertificateRow(Base):
    """An absentee certificate: issued to a voter, used once at any station."""

    __tablename__ = "absentee_certificate"
    __table_args__ = (UniqueConstraint("election_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    number: Mapped[str] = mapped_column(String(32))
    voter_id: Mapped[int] = mapped_column(ForeignKey("voter.id"), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_station_id: Mapped[int | None] = mapped_column(ForeignKey("polling_station.id"))


class VoterAdditionRow(Base):
    """A voter added to a station's list on polling day, with the legal reason."""

    __tablename__ = "voter_addition"
    __table_args__ = (UniqueConstraint("election_id", "voter_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    voter_number: Mapped[str | None] = mapped_column(String(32))
    full_name: Mapped[str | None] = mapped_column(String(300))
    birth_date: Mapped[date | None] = mapped_column(Date)
    legal_reason: Mapped[str] = mapped_column(String(40))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CheckInRow(Base):
    """A voter checked in at a poll book desk: the ballot was handed over."""

    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("station_id", "client_reference"),
        Index("ix_check_in_voter", "voter_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("voter.id"))
    addition_id: Mapped[int | None] = mapped_column(ForeignKey("voter_addition.id"))
    absentee_certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("absentee_certificate.id")
    )
    #: the desk's verdict on identity: "yes", "no" or "not_scanned"
    identity_match: Mapped[str] = mapped_column(String(16))
    portable: Mapped[bool] = mapped_column(Boolean)
    #: the poll book's own id for the check-in, so a re-sent batch is not counted twice
    client_reference: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(200))
    #: when the desk checked the voter in (the device's clock) and when the server heard of it
    checked_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    offline: Mapped[bool] = mapped_column(Boolean)
    #: the round the ballot was for: 1, or 2 for a two-round contest's round 2 (a voter who
    #: voted in round 1 votes again in round 2)
    round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class DoubleVoteIncidentRow(Base):
    """A voter checked in twice (at two desks while one was offline): an incident for the
    complaints workflow, counted in public statistics."""

    __tablename__ = "double_vote_incident"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("voter.id"))
    first_check_in_id: Mapped[int] = mapped_column(ForeignKey("check_in.id"))
    second_check_in_id: Mapped[int] = mapped_column(ForeignKey("check_in.id"), unique=True)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: "open" until the complaints workflow takes it up; "filed" once the poll-book monitor
    #: filed it as a complaint (complaint_id)
    status: Mapped[str] = mapped_column(String(16))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))


class OrganisationApplicationRow(Base):
    """An organisation's application to observe or to run an exit poll, and its decision."""

    __tablename__ = "organisation_application"
    __table_args__ = (UniqueConstraint("election_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    #: local_ngo, party, candidate, international, exit_poll
    kind: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(8))
    #: the party short name or candidate code a party or candidate applies for
    represents: Mapped[str | None] = mapped_column(String(64))
    partner_name: Mapped[str | None] = mapped_column(String(300))
    partner_country: Mapped[str | None] = mapped_column(String(8))
    #: applied, accredited, refused
    status: Mapped[str] = mapped_column(String(16))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))


class ObserverAccreditationRow(Base):
    """An observer's accreditation: badge number, the SHA-256 of their personal credential,
    the constituency they are assigned to (stations: the observer's own row) and revocation."""

    __tablename__ = "observer_accreditation"
    __table_args__ = (UniqueConstraint("election_id", "badge_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    observer_id: Mapped[int] = mapped_column(ForeignKey("observer.id"), unique=True)
    badge_number: Mapped[str] = mapped_column(String(32))
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)
    constituency_id: Mapped[int | None] = mapped_column(ForeignKey("constituency.id"))
    accredited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revocation_reason: Mapped[str | None] = mapped_column(Text)


class StoredFileRow(Base):
    """An uploaded file (photo or PDF), stored once under its SHA-256."""

    __tablename__ = "stored_file"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ObserverProtocolCopyRow(Base):
    """The figures of the protocol copy an observer received at a station; never counted."""

    __tablename__ = "observer_protocol_copy"
    __table_args__ = (UniqueConstraint("idempotency_key", "accreditation_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    accreditation_id: Mapped[int] = mapped_column(ForeignKey("observer_accreditation.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    #: canonical JSON of the figures as the copy shows them
    figures: Mapped[str] = mapped_column(Text)
    #: the station's counted version when the copy was submitted (None: nothing counted yet)
    counted_version_id: Mapped[int | None] = mapped_column(ForeignKey("protocol_version.id"))
    photo_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_file.sha256"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: chosen by the observer's phone for this copy: sent again from its outbox, it is
    #: stored once
    idempotency_key: Mapped[str | None] = mapped_column(String(64))


class ComplaintRow(Base):
    """A complaint or incident report about a station, a constituency or the commission."""

    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("election_id", "tracking_number"),
        UniqueConstraint("idempotency_key", "election_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    tracking_number: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(40))
    #: station, constituency or commission
    about: Mapped[str] = mapped_column(String(16))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("polling_station.id"), index=True)
    constituency_id: Mapped[int | None] = mapped_column(ForeignKey("constituency.id"))
    #: observer, party, candidate, voter
    reporter_kind: Mapped[str] = mapped_column(String(16))
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_contact: Mapped[str | None] = mapped_column(String(200))
    accreditation_id: Mapped[int | None] = mapped_column(ForeignKey("observer_accreditation.id"))
    description: Mapped[str] = mapped_column(Text)
    #: the description as the commission publishes it (redacted); None: not published
    published_description: Mapped[str | None] = mapped_column(Text)
    #: received, under_review, upheld, dismissed
    status: Mapped[str] = mapped_column(String(16))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: the recount or annulment an upheld complaint led to
    station_decision_id: Mapped[int | None] = mapped_column(ForeignKey("station_decision.id"))
    #: chosen by the sender (an observer's phone) so that a complaint sent again is filed once
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    #: the webcam outage the complaint cites (the camera was down when it happened)
    webcam_outage_id: Mapped[int | None] = mapped_column(ForeignKey("webcam_outage.id"))


class ComplaintStepRow(Base):
    """One step of a complaint's handling: review, decision, appeal or publication."""

    __tablename__ = "complaint_step"
    __table_args__ = (UniqueConstraint("complaint_id", "sequence"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    #: under_review, upheld, dismissed, appealed, appeal_decided, published
    kind: Mapped[str] = mapped_column(String(24))
    deciding_body: Mapped[str] = mapped_column(String(200))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text)
    #: for a decided appeal: upheld or dismissed
    outcome: Mapped[str | None] = mapped_column(String(16))


class ComplaintAttachmentRow(Base):
    __tablename__ = "complaint_attachment"
    __table_args__ = (UniqueConstraint("complaint_id", "file_sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    file_sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256"))
    #: the commission published it (after redaction)
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OrganisationCredentialRow(Base):
    """An organisation's own credential (an exit-poll firm declares its sample and submits
    its estimates with it); only its SHA-256 is stored."""

    __tablename__ = "organisation_credential"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExitPollEstimateRow(Base):
    """An exit-poll organisation's estimate at one sampled station: turnout and shares."""

    __tablename__ = "exit_poll_estimate"
    __table_args__ = (UniqueConstraint("organisation_id", "station_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    #: percent of registered voters
    turnout_percent: Mapped[float] = mapped_column(Float)
    #: canonical JSON: candidate code → percent of voters
    shares: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebcamRow(Base):
    """A station's camera and its public viewing link."""

    __tablename__ = "webcam"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), unique=True)
    viewing_url: Mapped[str] = mapped_column(String(500))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebcamHeartbeatRow(Base):
    """A camera monitor's "still up" (ephemeral: the outages derived from them are kept)."""

    __tablename__ = "webcam_heartbeat"
    __table_args__ = (Index("ix_webcam_heartbeat_key", "webcam_id", "seen_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webcam_id: Mapped[int] = mapped_column(ForeignKey("webcam.id"))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebcamOutageRow(Base):
    """A span in which a camera sent no heartbeat: the record of its uptime."""

    __tablename__ = "webcam_outage"
    __table_args__ = (UniqueConstraint("webcam_id", "started_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webcam_id: Mapped[int] = mapped_column(ForeignKey("webcam.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: Every table, declared once by what it holds (`tallyroom audit tables`): authoritative
#: tables record a fact or an act and must be explained by the audit log; derived tables are
#: recomputable from the authoritative ones; ephemeral ones hold nothing anyone relies on
#: later. tests/store/test_table_kinds.py fails for a table missing here.
TABLE_KINDS: dict[str, str] = {
    "election": "authoritative",
    "constituency": "authoritative",
    "contest": "authoritative",
    "runoff": "authoritative",
    "runoff_candidate": "authoritative",
    "drawn_lot": "authoritative",
    "runoff_protocol": "authoritative",
    "runoff_turnout_report": "authoritative",
    "polling_station": "authoritative",
    "party": "authoritative",
    "candidate": "authoritative",
    "organisation": "authoritative",
    "observer": "authoritative",
    "observer_station": "derived",
    "exit_poll_sample": "authoritative",
    "station_key": "authoritative",
    "station_enrolment": "authoritative",
    "poll_book_device": "authoritative",
    "access_token": "authoritative",
    "protocol_version": "authoritative",
    "station_result": "derived",
    "station_decision": "authoritative",
    "constituency_total": "derived",
    "candidate_total": "derived",
    "turnout_report": "authoritative",
    "turnout_total": "derived",
    "results_revision": "ephemeral",
    # the change feed's index for mirrors (which stations a revision touched): a publication
    # convenience, like the revision counter itself; nothing is decided by it
    "station_result_change": "ephemeral",
    "audit_entry": "authoritative",
    "audit_head": "derived",
    "tree_head_key": "authoritative",
    "signed_tree_head": "authoritative",
    "personal_data_salt": "authoritative",
    "proposed_decision": "authoritative",
    "certification": "authoritative",
    "person": "authoritative",
    # sign-ins and throttles: nothing is decided by them after they end
    "console_session": "ephemeral",
    "login_attempt": "ephemeral",
    "account_delay": "ephemeral",
    "voter": "authoritative",
    "absentee_certificate": "authoritative",
    "voter_addition": "authoritative",
    "check_in": "authoritative",
    "double_vote_incident": "authoritative",
    "organisation_application": "authoritative",
    "observer_accreditation": "authoritative",
    "stored_file": "authoritative",
    "observer_protocol_copy": "authoritative",
    "complaint": "authoritative",
    "complaint_step": "authoritative",
    "complaint_attachment": "authoritative",
    "organisation_credential": "authoritative",
    "exit_poll_estimate": "authoritative",
    "webcam": "authoritative",
    # the monitor's pings: only the outages derived from them are kept and audited
    "webcam_heartbeat": "ephemeral",
    "webcam_outage": "authoritative",
}


class PersonalDataSaltRow(Base):
    """The secret salt personal data is hashed with before it enters the audit log, so the
    log can be published whole without revealing names."""

    __tablename__ = "personal_data_salt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
