"""The bulk command stores exactly what submitting the same protocols one by one stores: the
same versions, counted results, totals, audit payloads and refusals, whatever the batches."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.rule_set import REFERENCE_RULE_SET
from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import IssuedCredentials, Principal, Role
from tallyroom.service.errors import ServiceError
from tallyroom.service.protocols.bulk_submission import (
    BulkOutcome,
    Envelope,
    ProcessPoolExaminer,
    Refusal,
    submit_protocols,
)
from tallyroom.service.protocols.protocols import SubmissionOutcome, annul_station, submit_protocol
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    AuditEntryRow,
    CandidateRow,
    CandidateTotalRow,
    ConstituencyRow,
    ConstituencyTotalRow,
    ElectionRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationResultRow,
)
from tests.station_client import good_figures, protocol, zero_figures

MOMENT = datetime(2024, 9, 1, 20, 15, tzinfo=UTC)


def sign(credentials: IssuedCredentials, document: Any, signer: str | None = None) -> Envelope:
    key = load_private_key(credentials.stations[signer or document["station"]][2])
    return document, sign_document(document, key)


def commission(session: Session) -> Principal:
    election_id = session.scalars(select(ElectionRow.id)).one()
    return Principal(0, Role.COMMISSION, election_id, None, None, "commission")


def polling_night(credentials: IssuedCredentials) -> list[Envelope]:
    """Protocols of every kind, in the order they arrive."""
    amended = good_figures(votes={"C001": 300, "C002": 350, "C003": 100})
    idp_votes = {"C004": 300, "C005": 200}
    idp = good_figures(
        votes=idp_votes,
        registered_voters=600,
        ballots_received=600,
        ballots_issued_in_station=500,
        ballots_issued_portable=20,
        invalid_ballots=10,
        ballots_cast=510,
        unused_ballots=80,
    )
    recounted = good_figures(registered_voters=800, ballots_received=800, unused_ballots=40)
    malformed = protocol("001-0002")
    malformed["figures"]["ballots_cast"] = -5
    return [
        sign(credentials, protocol()),  # accepted
        sign(credentials, protocol("001-0002")),  # flagged: the register has 800 voters
        sign(credentials, protocol()),  # the same again: idempotent
        sign(credentials, protocol(version=2, figures=amended)),  # amendment without a reason
        sign(credentials, protocol(version=2, figures=amended, amendment_reason="typing error")),
        sign(credentials, protocol()),  # version 1 replayed after version 2
        sign(credentials, protocol("001-0003"), signer="001-0001"),  # someone else's key
        sign(credentials, protocol("001-0003") | {"station": "009-0009"}, signer="001-0003"),
        sign(credentials, malformed),
        sign(credentials, protocol("002-0001", figures=good_figures(votes={"C006": 5}))),
        sign(credentials, protocol("002-0001", figures=idp)),  # accepted
        sign(credentials, protocol("001-0003")),  # the station is annulled: received
        sign(credentials, protocol() | {"election": "other-2024"}),
        (protocol("001-0002", version=2, amendment_reason="recount"), ""),  # unsigned
        sign(credentials, protocol("001-0002", version=3, amendment_reason="skipped")),
        sign(
            credentials,
            protocol("001-0002", version=2, figures=recounted, amendment_reason="recount"),
        ),
        sign(credentials, protocol(version=3, amendment_reason="back to the first count")),
        sign(credentials, protocol(version=3, amendment_reason="back to the first count")),
        # format 2: the station's contest, and another's (refused)
        sign(
            credentials,
            protocol("002-0001", version=2, figures=idp, amendment_reason="format 2")
            | {"format": 2, "contest": "constituency-1"},
        ),
        sign(
            credentials,
            protocol(version=4, amendment_reason="format 2")
            | {"format": 2, "contest": "constituency-1", "photo_sha256": "ab" * 32},
        ),
        # an empty form sent by mistake: every figure zero
        sign(credentials, protocol("002-0001", version=2, figures=ZERO, amendment_reason="x")),
    ]


ZERO = zero_figures(("C004", "C005"))


def normalised(outcome: SubmissionOutcome | Refusal | ServiceError) -> tuple[Any, ...]:
    if isinstance(outcome, SubmissionOutcome):
        codes = [reason["code"] for reason in outcome.reasons]
        return (
            outcome.station,
            outcome.version,
            outcome.status.value,
            codes,
            outcome.already_stored,
            outcome.rule_set_version,
        )
    return ("refused", outcome.code)


def snapshot(session: Session) -> dict[str, Any]:
    """Everything a submission writes, keyed by codes rather than generated ids."""
    versions = session.execute(
        select(
            PollingStationRow.code,
            ProtocolVersionRow.version,
            ProtocolVersionRow.body,
            ProtocolVersionRow.body_sha256,
            ProtocolVersionRow.signature,
            ProtocolVersionRow.station_key_id,
            ProtocolVersionRow.status,
            ProtocolVersionRow.reasons,
            ProtocolVersionRow.amendment_reason,
            ProtocolVersionRow.contest_id,
            ProtocolVersionRow.rule_set_version,
        )
        .join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
        .order_by(PollingStationRow.code, ProtocolVersionRow.version)
    ).all()
    results = session.execute(
        select(
            PollingStationRow.code,
            ProtocolVersionRow.version,
            StationResultRow.constituency_id,
            StationResultRow.registered_voters,
            StationResultRow.voters_added,
            StationResultRow.ballots_cast,
            StationResultRow.invalid_ballots,
        )
        .join(PollingStationRow, PollingStationRow.id == StationResultRow.station_id)
        .join(ProtocolVersionRow, ProtocolVersionRow.id == StationResultRow.protocol_version_id)
        .order_by(PollingStationRow.code)
    ).all()
    constituencies = session.execute(
        select(
            ConstituencyRow.number,
            ConstituencyTotalRow.stations_reporting,
            ConstituencyTotalRow.registered_voters,
            ConstituencyTotalRow.voters_added,
            ConstituencyTotalRow.ballots_cast,
            ConstituencyTotalRow.invalid_ballots,
        )
        .join(ConstituencyRow, ConstituencyRow.id == ConstituencyTotalRow.constituency_id)
        .order_by(ConstituencyRow.number)
    ).all()
    candidates = session.execute(
        select(CandidateRow.code, CandidateTotalRow.votes)
        .join(CandidateRow, CandidateRow.id == CandidateTotalRow.candidate_id)
        .order_by(CandidateRow.code)
    ).all()
    audit = session.execute(
        select(AuditEntryRow.actor, AuditEntryRow.action, AuditEntryRow.payload).order_by(
            AuditEntryRow.sequence
        )
    ).all()
    return {
        "versions": [tuple(row) for row in versions],
        "results": [tuple(row) for row in results],
        "constituencies": [tuple(row) for row in constituencies],
        "candidates": [tuple(row) for row in candidates],
        "audit": [tuple(row) for row in audit],
    }


def one_by_one(
    session: Session, principal: Principal, envelopes: list[Envelope]
) -> list[SubmissionOutcome | ServiceError]:
    outcomes: list[SubmissionOutcome | ServiceError] = []
    for document, signature in envelopes:
        try:
            # A savepoint per protocol, as the API's transaction per request.
            with session.begin_nested():
                outcomes.append(
                    submit_protocol(
                        session,
                        principal=principal,
                        document=document,
                        signature=signature,
                        now=MOMENT,
                    )
                )
        except ServiceError as error:
            outcomes.append(error)
    return outcomes


@pytest.fixture
def night(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> tuple[sessionmaker[Session], list[Envelope], dict[str, Any], list[Any]]:
    """The one-by-one reference: its outcomes and the state it leaves, then rolled back."""
    sessions = loaded_election
    with transaction(sessions) as session:
        annul_station(
            session, principal=commission(session), station_code="001-0003", reason="stuffing"
        )
    envelopes = polling_night(credentials)
    with sessions() as session:
        session.begin()
        outcomes = [normalised(o) for o in one_by_one(session, commission(session), envelopes)]
        state = snapshot(session)
        assert audit_discrepancies(session) == []
        session.rollback()
    return sessions, envelopes, state, outcomes


@pytest.mark.parametrize("batch_size", [1000, 4, 1])
def test_bulk_stores_what_one_by_one_stores(night: Any, batch_size: int) -> None:
    sessions, envelopes, reference, reference_outcomes = night
    with transaction(sessions) as session:
        outcome = submit_protocols(
            session,
            principal=commission(session),
            envelopes=envelopes,
            now=MOMENT,
            batch_size=batch_size,
        )
    assert [normalised(o) for o in outcome.outcomes] == reference_outcomes
    with transaction(sessions) as session:
        assert snapshot(session) == reference
        assert audit_discrepancies(session) == []


def test_the_reference_night_covers_every_outcome(night: Any) -> None:
    _, _, reference, outcomes = night
    assert [o[0] if o[0] == "refused" else o[2] for o in outcomes] == [
        "accepted",
        "flagged",
        "accepted",
        "refused",
        "accepted",
        "refused",
        "refused",
        "refused",
        "refused",
        "refused",
        "accepted",
        "received",
        "refused",
        "refused",
        "refused",
        "accepted",
        "accepted",
        "accepted",
        "refused",
        "accepted",
        "refused",
    ]
    assert [o[1] for o in outcomes if o[0] == "refused"] == [
        "amendment_reason_required",
        "replayed_version",
        "signature_invalid",
        "unknown_station",
        "malformed_protocol",
        "unknown_candidate",
        "wrong_election",
        "signature_missing",
        "version_gap",
        "wrong_contest",
        "all_zero_protocol",
    ]
    # 001-0001 counts its fourth version (format 2), 002-0001 its first; 001-0002 is flagged
    # then accepted as amended; 001-0003 is annulled and counts nothing.
    assert [(code, version) for code, version, *_ in reference["results"]] == [
        ("001-0001", 4),
        ("001-0002", 2),
        ("002-0001", 1),
    ]


def test_bulk_outcome_counts_and_refusals(night: Any) -> None:
    sessions, envelopes, _, _ = night
    with transaction(sessions) as session:
        outcome = submit_protocols(
            session, principal=commission(session), envelopes=envelopes, now=MOMENT
        )
    assert isinstance(outcome, BulkOutcome)
    assert outcome.counts == {
        "accepted": 6,
        "flagged": 1,
        "received": 1,
        "already_stored": 2,
        "refused": 11,
    }
    assert outcome.stored == 8
    refusal = outcome.refusals[2]
    assert (refusal.index, refusal.station, refusal.code, refusal.http_status) == (
        6,
        "001-0003",
        "signature_invalid",
        422,
    )
    assert outcome.refusals[3].as_dict()["message"] == "there is no polling station '009-0009'"


def test_a_worker_pool_verifies_the_same(night: Any) -> None:
    sessions, envelopes, reference, reference_outcomes = night
    with ProcessPoolExaminer(workers=2) as examiner, transaction(sessions) as session:
        outcome = submit_protocols(
            session,
            principal=commission(session),
            envelopes=envelopes,
            now=MOMENT,
            batch_size=5,
            examiner=examiner,
        )
    assert [normalised(o) for o in outcome.outcomes] == reference_outcomes
    with transaction(sessions) as session:
        assert snapshot(session) == reference


def test_an_amendment_in_a_later_bulk_replaces_the_counted_figures(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    first = [sign(credentials, protocol())]
    amended = good_figures(votes={"C001": 100, "C002": 550, "C003": 100})
    second = [sign(credentials, protocol(version=2, figures=amended, amendment_reason="recount"))]
    for envelopes in (first, second):
        with transaction(loaded_election) as session:
            submit_protocols(session, principal=commission(session), envelopes=envelopes)
    with transaction(loaded_election) as session:
        state = snapshot(session)
        assert audit_discrepancies(session) == []
    assert state["candidates"][:3] == [("C001", 100), ("C002", 550), ("C003", 100)]
    assert state["constituencies"][0] == (1, 1, 1200, 0, 760, 10)
    assert [(code, version) for code, version, *_ in state["results"]] == [("001-0001", 2)]


def test_a_station_token_submits_only_for_its_station(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    with transaction(loaded_election) as session:
        station_id = session.scalars(
            select(PollingStationRow.id).where(PollingStationRow.code == "001-0001")
        ).one()
        own = Principal(
            1, Role.STATION, commission(session).election_id, None, station_id, "001-0001"
        )
        outcome = submit_protocols(
            session,
            principal=own,
            envelopes=[sign(credentials, protocol("001-0002")), sign(credentials, protocol())],
        )
    assert [normalised(o) for o in outcome.outcomes] == [
        ("refused", "out_of_scope"),
        ("001-0001", 1, "accepted", [], False, REFERENCE_RULE_SET.version),
    ]
    with transaction(loaded_election) as session:
        assert [row[0] for row in snapshot(session)["versions"]] == ["001-0001"]
