"""Defining a two-round contest's round 2 from its certified round 1: the qualified
candidates by the two-round rule, withdrawals recorded and audited; refused before the
certification, when round 1 elected someone, twice, for candidates who did not qualify or
do not stand there, and for anyone but the commission."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.errors import ServiceError
from tallyroom.service.results.runoffs import define_runoff, defined_runoffs
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow
from tests.polled_election import poll_small_election
from tests.runoff_election import poll_and_certify, two_round_copy
from tests.station_client import Api


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return two_round_copy(tmp_path / "two-round-election")


def _refusal(api: Api, token: str, contest: str, *withdrawals: str) -> ServiceError:
    with transaction(api.sessions) as session, pytest.raises(ServiceError) as refused:
        define_runoff(
            session,
            principal=authenticate(session, token),
            contest=contest,
            withdrawals=list(withdrawals),
        )
    return refused.value


def test_round_two_from_the_certified_round_one_with_a_withdrawal(api: Api) -> None:
    poll_and_certify(api, 1)
    with transaction(api.sessions) as session:
        commission = authenticate(session, api.credentials.commission_token)
        defined = define_runoff(
            session,
            principal=commission,
            contest="constituency-1",
            withdrawals=["C002"],
            reason="C002 withdrew (declaration 7)",
        )
    # 650 of 1,395 valid is no majority; 12.5 % of 2,150 registered is 268.75, which C001
    # (650) and C002 (590) reach and C003 (155) does not.
    assert defined.code == "constituency-1/round-2"
    assert [(c.code, c.round_one_votes, c.status) for c in defined.candidates] == [
        ("C001", 650, "standing"),
        ("C002", 590, "withdrawn"),
    ]
    assert defined.standing == ("C001",)
    assert defined.registered_voters == 2150
    with transaction(api.sessions) as session:
        assert [r.as_dict() for r in defined_runoffs(session, 1)] == [defined.as_dict()]
        entry = session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "runoff.defined")
        ).one()
        assert '"withdrawn":["C002"]' in entry.payload.replace(" ", "")
        assert audit_discrepancies(session) == []


def test_refused_before_round_one_is_certified(api: Api) -> None:
    poll_small_election(api)
    refusal = _refusal(api, api.credentials.commission_token, "constituency-1")
    assert (refusal.code, refusal.status) == ("round_one_not_certified", 409)


def test_refused_when_round_one_elected_someone(api: Api) -> None:
    poll_and_certify(api, 2)
    refusal = _refusal(api, api.credentials.commission_token, "constituency-2")
    assert (refusal.code, refusal.status) == ("elected_in_round_one", 409)
    assert refusal.details["elected"] == "C004"


def test_hostile_definitions(api: Api) -> None:
    poll_and_certify(api, 1)
    commission = api.credentials.commission_token
    cases = [
        (("constituency-1", "C999"), "unknown_candidate", 422),
        # a candidate of another constituency does not stand here
        (("constituency-1", "C004"), "unknown_candidate", 422),
        (("constituency-1", "C003"), "not_qualified", 409),
        (("constituency-1", "C001", "C002"), "no_candidates_left", 409),
        (("constituency-1", "C001", "C001"), "withdrawal_repeated", 422),
        (("constituency-9",), "unknown_contest", 404),
        (("national-list",), "unknown_contest", 404),
        (("constituency-1/round-2",), "unknown_contest", 404),
    ]
    for arguments, code, status in cases:
        refusal = _refusal(api, commission, *arguments)
        assert (refusal.code, refusal.status) == (code, status), arguments
    # Nothing was stored by the refusals; the definition is taken once.
    with transaction(api.sessions) as session:
        assert defined_runoffs(session, 1) == []
    with transaction(api.sessions) as session:
        define_runoff(
            session, principal=authenticate(session, commission), contest="constituency-1"
        )
    refusal = _refusal(api, commission, "constituency-1")
    assert (refusal.code, refusal.status) == ("runoff_defined", 409)


def test_only_the_commission_defines_a_runoff(api: Api) -> None:
    poll_and_certify(api, 1)
    for token in (api.credentials.observer_token, api.station_token("001-0001")):
        refusal = _refusal(api, token, "constituency-1")
        assert (refusal.code, refusal.status) == ("commission_only", 403)
