"""Accounts: the rules of creating, deactivating and resetting, by whom, audited with the
person named; the principal a person acts as; the account delay's growth."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import (
    IssuedCredentials,
    Principal,
    Role,
    authenticate,
)
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput
from tallyroom.service.people import login_throttle
from tallyroom.service.people.people import (
    PersonRole,
    SecondFactor,
    create_person,
    deactivate_person,
    list_people,
    person_by_login,
    principal_of_person,
    reset_password,
    reset_second_factor,
)
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow
from tests.console_people import make_account


def test_a_person_acts_as_a_principal_named_by_her_id(
    loaded_election: sessionmaker[Session],
) -> None:
    leyla = make_account(loaded_election, "leyla")
    aynur = make_account(loaded_election, "aynur", PersonRole.CONSTITUENCY_MEMBER, constituency=2)
    with loaded_election() as session:
        member = principal_of_person(person_by_login(session, "leyla"))
        local = principal_of_person(person_by_login(session, "aynur"))
    assert member.role is Role.COMMISSION
    assert member.actor == f"commission:person-{leyla.person_id}"
    assert member.token_id is None
    assert local.role is Role.CONSTITUENCY_COMMISSION
    assert local.actor == f"constituency_commission:person-{aynur.person_id}"
    assert local.constituency_id is not None


def test_only_another_commission_member_resets_and_it_is_audited(
    loaded_election: sessionmaker[Session],
) -> None:
    make_account(loaded_election, "leyla")
    nigar = make_account(loaded_election, "nigar")
    make_account(loaded_election, "tural", PersonRole.COMMISSION_STAFF)
    with transaction(loaded_election) as session:
        leyla = principal_of_person(person_by_login(session, "leyla"))
        tural = principal_of_person(person_by_login(session, "tural"))
        with pytest.raises(Forbidden) as own:
            reset_password(session, principal=leyla, login="leyla")
        assert own.value.code == "another_member_required"
        with pytest.raises(Forbidden) as staff:
            reset_password(session, principal=tural, login="leyla")
        assert staff.value.code == "commission_member_only"
        secret = reset_second_factor(
            session, principal=leyla, login="nigar", second_factor=SecondFactor.WEBAUTHN
        )
        assert secret.enrolment_code is not None
        assert secret.totp_secret is None
    with loaded_election() as session:
        entry = session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "person.second_factor_reset")
        ).one()
        assert entry.actor == f"commission:person-{leyla.person_id}"
        assert f'"person":{nigar.person_id}' in entry.payload
        assert audit_discrepancies(session) == []


def test_a_machine_token_does_not_manage_people(
    loaded_election: sessionmaker[Session], credentials: IssuedCredentials
) -> None:
    with transaction(loaded_election) as session:
        token = authenticate(session, credentials.commission_token)
        with pytest.raises(Forbidden):
            list_people(session, principal=token)


def test_the_last_active_commission_member_stays(loaded_election: sessionmaker[Session]) -> None:
    make_account(loaded_election, "leyla")
    make_account(loaded_election, "nigar")
    with transaction(loaded_election) as session:
        leyla = principal_of_person(person_by_login(session, "leyla"))
        deactivate_person(session, principal=leyla, login="nigar")
        with pytest.raises(Conflict) as last:
            deactivate_person(session, principal=leyla, login="leyla")
        assert last.value.code == "last_commission_member"
        people = list_people(session, principal=leyla)
    assert [(p.login, p.active) for p in people] == [("leyla", True), ("nigar", False)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"login": "Has Spaces"}, "login"),
        ({"full_name": "  "}, "full_name"),
        ({"full_name": "bell\x07"}, "full_name"),
        ({"email": "not-an-address"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 300}, "password"),
        ({"constituency": 2}, "constituency"),
        ({"second_factor": SecondFactor.NONE}, "second_factor"),
    ],
)
def test_an_invalid_account_is_refused_and_nothing_is_stored(
    loaded_election: sessionmaker[Session], changes: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {
        "login": "leyla",
        "full_name": "Leyla",
        "email": None,
        "role": PersonRole.COMMISSION_MEMBER,
        "constituency": None,
        "password": "correct horse battery",
        "second_factor": SecondFactor.TOTP,
    } | changes
    with pytest.raises(InvalidInput) as refused, transaction(loaded_election) as session:
        create_person(session, principal=None, **values)  # type: ignore[arg-type]
    assert field in {problem["field"] for problem in refused.value.details["problems"]}
    with loaded_election() as session:
        assert list_people(session) == []


def test_a_constituency_member_needs_an_existing_constituency(
    loaded_election: sessionmaker[Session],
) -> None:
    with pytest.raises(InvalidInput), transaction(loaded_election) as session:
        create_person(
            session,
            principal=None,
            login="aynur",
            full_name="Aynur",
            email=None,
            role=PersonRole.CONSTITUENCY_MEMBER,
            constituency=99,
            password=None,
            second_factor=SecondFactor.NONE,
        )


def test_the_account_delay_grows_and_is_never_longer_than_five_minutes() -> None:
    delays = [login_throttle.account_delay(failures) for failures in range(1, 20)]
    assert delays[:5] == [timedelta(0)] * 5
    assert delays[5:9] == [timedelta(seconds=s) for s in (1, 2, 4, 8)]
    assert max(delays) == timedelta(minutes=5)


def test_failures_from_many_addresses_delay_the_account(
    loaded_election: sessionmaker[Session],
) -> None:
    leyla = make_account(loaded_election, "leyla")
    now = datetime.now(UTC)
    with transaction(loaded_election) as session:
        for number in range(8):
            login_throttle.note_failure(
                session, address=f"10.0.0.{number}", person_id=leyla.person_id, now=now
            )
        refusal = login_throttle.delayed_account_refusal(session, leyla.person_id, now)
        assert refusal is not None
        assert refusal.details["retry_after"] == 5
        assert login_throttle.busy_address_refusal(session, "10.0.0.1", now) is None
        later = now + timedelta(seconds=5)
        assert login_throttle.delayed_account_refusal(session, leyla.person_id, later) is None


def test_two_members_deactivating_each_other_at_once_leave_one(
    loaded_election: sessionmaker[Session],
) -> None:
    make_account(loaded_election, "leyla")
    make_account(loaded_election, "nigar")
    with loaded_election() as session:
        leyla = principal_of_person(person_by_login(session, "leyla"))
        nigar = principal_of_person(person_by_login(session, "nigar"))
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def deactivate(principal: Principal, login: str) -> None:
        start.wait()
        try:
            with transaction(loaded_election) as session:
                deactivate_person(session, principal=principal, login=login)
            outcomes.append("deactivated")
        except Conflict as refused:
            outcomes.append(refused.code)

    threads = [
        threading.Thread(target=deactivate, args=(leyla, "nigar")),
        threading.Thread(target=deactivate, args=(nigar, "leyla")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["deactivated", "last_commission_member"]
    with loaded_election() as session:
        assert [p.active for p in list_people(session)].count(True) == 1
