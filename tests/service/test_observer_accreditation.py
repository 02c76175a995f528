"""Accreditation: organisations apply and are decided once; observers are accredited in bulk
or not at all, get badge numbers and credentials that authenticate them, are assigned and
revoked; names stay with the commission and out of the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.observer_accreditation import OrganisationKind, read_accreditation_file
from tallyroom.domain.observer_badge import badge_svg
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.errors import Conflict, Forbidden, InvalidInput, Unauthorised
from tallyroom.service.watchers.observer_accreditation import (
    AccreditationRefused,
    Application,
    accredit_observers,
    accredited_observers,
    apply_organisation,
    assign_observer,
    authenticate_observer,
    decide_application,
    reissue_credential,
    revoke_accreditation,
)
from tallyroom.service.watchers.observer_view import observer_summary
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    AuditEntryRow,
    ObserverAccreditationRow,
    ObserverRow,
    OrganisationRow,
)

DEFINED = """code,full_name,kind,organisation,country,represents,stations
O0001,Kamran Əhmədov,party_representative,,AZ,YAP,001-0001
O0002,Aygün Rzayeva,candidate_representative,,AZ,C003,001-0001;001-0002
O0003,Elvin Mustafayev,local_ngo,seçki-izləmə,AZ,,002-0001
O0004,Anna Schmidt,international,osce-odihr,DE,,001-0001;002-0001
O0005,John Smith,international,osce-odihr,GB,,
"""


def _accredit_defined(session: Session, commission: Any) -> list[Any]:
    requests, problems = read_accreditation_file(DEFINED)
    assert problems == []
    return accredit_observers(session, principal=commission, requests=requests)


def test_bulk_accreditation_issues_badges_and_credentials_that_sign_in(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        seen: list[int] = []
        requests, _ = read_accreditation_file(DEFINED)
        issued = accredit_observers(
            session, principal=commission, requests=requests, progress=seen.append
        )
        assert seen == [5]
    assert [i.badge_number for i in issued] == [
        "L-000001",
        "L-000002",
        "L-000003",
        "I-000001",
        "I-000002",
    ]
    with transaction(loaded_election) as session:
        observer = authenticate_observer(session, issued[3].credential)
        assert observer.code == "O0004"
        assert len(observer.station_ids) == 2
        stored = session.scalars(select(ObserverAccreditationRow.credential_hash)).all()
        assert all(len(h) == 64 for h in stored)
        assert issued[3].credential not in stored
        summary = observer_summary(session, accredited_only=True)
        assert (summary.local, summary.international, summary.international_countries) == (3, 2, 2)
        assert audit_discrepancies(session) == []
        # the names are in no audit entry: only salted hashes
        payloads = " ".join(session.scalars(select(AuditEntryRow.payload)))
        assert "Anna Schmidt" not in payloads


def test_a_file_with_bad_rows_accredits_nobody_and_names_each_row(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    text = DEFINED + (
        "N1,New Person,local_ngo,no-such-org,AZ,,\n"
        "N2,Other,party_representative,,AZ,NOPARTY,\n"
        "N3,Third,local_ngo,seçki-izləmə,AZ,,999-9999\n"
        "N4,,local_ngo,seçki-izləmə,AZ,,\n"
        "O0001,Kamran Əhmədov,party_representative,,AZ,YAP,001-0001\n"
    )
    requests, problems = read_accreditation_file(text)
    assert [(p.line, p.column) for p in problems] == [(10, "full_name")]
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        with pytest.raises(AccreditationRefused) as refused:
            accredit_observers(session, principal=commission, requests=requests)
    assert [(p.line, p.column) for p in refused.value.problems] == [
        (7, "organisation"),
        (8, "represents"),
        (9, "stations"),
        (11, "code"),
    ]
    with transaction(loaded_election) as session:
        assert session.scalar(select(func.count(ObserverAccreditationRow.id))) == 0
        assert session.scalar(select(func.count(ObserverRow.id))) == 5


def test_new_observers_are_created_and_a_second_accreditation_is_refused(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    text = "code,full_name,kind,organisation,country,represents,stations,constituency\n"
    text += "N1,Leyla Quliyeva,local_ngo,seçki-izləmə,AZ,,002-0001,2\n"
    requests, _ = read_accreditation_file(text)
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        (issued,) = accredit_observers(session, principal=commission, requests=requests)
        assert audit_discrepancies(session) == []
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        with pytest.raises(AccreditationRefused):
            accredit_observers(session, principal=commission, requests=requests)
        assert authenticate_observer(session, issued.credential).constituency_id is not None


def test_only_the_commission_accredits_assigns_revokes_and_sees_names(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    with transaction(loaded_election) as session:
        observer_role = authenticate(session, credentials.observer_token)
        station = authenticate(session, credentials.stations["001-0001"][1])
        requests, _ = read_accreditation_file(DEFINED)
        for principal in (observer_role, station):
            with pytest.raises(Forbidden):
                accredit_observers(session, principal=principal, requests=requests)
            with pytest.raises(Forbidden):
                accredited_observers(session, principal=principal)
            with pytest.raises(Forbidden):
                revoke_accreditation(session, principal=principal, code="O0001", reason="x")


def test_assignment_revocation_and_reissue(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        issued = {i.code: i for i in _accredit_defined(session, commission)}
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        with pytest.raises(InvalidInput):
            assign_observer(
                session, principal=commission, code="O0005", stations=["002-0001"], constituency=1
            )
        assign_observer(
            session, principal=commission, code="O0005", stations=["002-0001"], constituency=2
        )
    with transaction(loaded_election) as session:
        assert len(authenticate_observer(session, issued["O0005"].credential).station_ids) == 1
        commission = authenticate(session, credentials.commission_token)
        fresh = reissue_credential(session, principal=commission, code="O0003")
        revoke_accreditation(session, principal=commission, code="O0005", reason="left the country")
        with pytest.raises(Conflict):
            revoke_accreditation(session, principal=commission, code="O0005", reason="again")
        assert audit_discrepancies(session) == []
    with transaction(loaded_election) as session:
        with pytest.raises(Unauthorised):
            authenticate_observer(session, issued["O0005"].credential)
        with pytest.raises(Unauthorised):
            authenticate_observer(session, issued["O0003"].credential)
        assert authenticate_observer(session, fresh.credential).code == "O0003"
        assert observer_summary(session, accredited_only=True).international == 1
        commission = authenticate(session, credentials.commission_token)
        listed = accredited_observers(session, principal=commission)
        assert [o.full_name for o in listed if o.revoked] == ["John Smith"]


def test_organisations_apply_and_are_decided_once(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    with transaction(loaded_election) as session:
        with pytest.raises(InvalidInput):
            apply_organisation(
                session, Application("ep-new", "Poll Co", OrganisationKind.EXIT_POLL, "AZ")
            )
        apply_organisation(
            session,
            Application(
                "ep-new", "Poll Co", OrganisationKind.EXIT_POLL, "AZ", None, "Ricerca Srl", "IT"
            ),
        )
        apply_organisation(
            session, Application("pace", "PACE", OrganisationKind.INTERNATIONAL, "INT")
        )
        with pytest.raises(Conflict):
            apply_organisation(
                session, Application("pace", "PACE", OrganisationKind.INTERNATIONAL, "INT")
            )
        with pytest.raises(InvalidInput):
            apply_organisation(session, Application("p", "P", OrganisationKind.PARTY, "AZ", "NOPE"))
    with transaction(loaded_election) as session:
        commission = authenticate(session, credentials.commission_token)
        observer_role = authenticate(session, credentials.observer_token)
        with pytest.raises(Forbidden):
            decide_application(
                session, principal=observer_role, code="pace", accredit=True, reason="ok"
            )
        decide_application(
            session, principal=commission, code="ep-new", accredit=True, reason="complete"
        )
        decide_application(
            session, principal=commission, code="pace", accredit=False, reason="late"
        )
        with pytest.raises(Conflict):
            decide_application(
                session, principal=commission, code="pace", accredit=True, reason="x"
            )
        poll = session.scalar(select(OrganisationRow).where(OrganisationRow.code == "ep-new"))
        assert poll is not None
        assert poll.exit_poll_role
        assert poll.partner_code == "ep-new-partner"
        assert (
            session.scalar(select(OrganisationRow.id).where(OrganisationRow.code == "pace")) is None
        )
        assert audit_discrepancies(session) == []


def test_the_badge_carries_the_credential_as_a_qr_code() -> None:
    svg = badge_svg(
        full_name="Anna <Schmidt>",
        badge_number="I-000001",
        organisation="OSCE",
        kind="international",
        credential="obs_abc",
    )
    assert svg.startswith("<svg")
    assert "I-000001" in svg
    assert "&lt;Schmidt&gt;" in svg
    assert svg.count("<svg") == 2
    assert "<path" in svg


def test_the_public_figures_follow_the_accreditation(
    loaded_election: sessionmaker[Session], credentials: Any
) -> None:
    with transaction(loaded_election) as session:
        assert observer_summary(session).local == 3  # the definition's, before accreditation
        commission = authenticate(session, credentials.commission_token)
        requests, _ = read_accreditation_file(DEFINED.split("O0002")[0])
        accredit_observers(session, principal=commission, requests=requests)
    with transaction(loaded_election) as session:
        assert (observer_summary(session).local, observer_summary(session).international) == (1, 0)
