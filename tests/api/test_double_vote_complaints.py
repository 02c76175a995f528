"""A voter checked in at two places while one poll book was offline becomes a complaint in
the complaints workflow, filed by the commission's poll-book monitor, with no personal data
in public, and counted in the public figures."""

from __future__ import annotations

from sqlalchemy import select

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow, ComplaintRow, DoubleVoteIncidentRow, VoterRow
from tests.api.test_poll_book import check_in, desks, post, voter_of
from tests.station_client import Api

__all__ = ["desks"]


def double_vote_away_and_at_home(api: Api) -> str:
    """A voter votes away with an absentee certificate, then at home at a desk that was
    offline (it had no way to know)."""
    voter = voter_of(api, "001-0001", 15)
    api.client.post(
        "/api/v1/register/absentee-certificates",
        json={"voter": voter, "number": "AC-9"},
        headers=api.commission,
    )
    assert check_in(api, voter, "002-0001", "away", certificate="AC-9").status_code == 201
    batch = post(
        api,
        "check-ins/batch",
        {
            "check_ins": [
                {
                    "voter": voter,
                    "client_reference": "home",
                    "checked_in_at": "2024-02-07T09:30:00+04:00",
                }
            ]
        },
    )
    assert batch.json()["outcomes"][0]["status"] == "double_vote", batch.text
    return voter


def test_a_double_vote_is_filed_as_a_multiple_voting_complaint(desks: Api) -> None:
    voter = double_vote_away_and_at_home(desks)
    register = desks.client.get("/api/v1/complaints").json()["complaints"]
    assert len(register) == 1
    (public,) = register
    assert (public["category"], public["about"], public["station"], public["status"]) == (
        "multiple_voting",
        "station",
        "001-0001",
        "received",
    )
    assert public["description"] is None  # published only once the commission redacts it
    full = desks.client.get(
        f"/api/v1/complaints/{public['tracking_number']}", headers=desks.commission
    ).json()
    assert (full["reporter_kind"], full["reporter_name"]) == ("commission", "poll-book monitor")
    assert "002-0001" in full["description"]
    assert "001-0001" in full["description"]
    assert "offline" in full["description"]
    assert "05:30 UTC" in full["description"]
    with transaction(desks.sessions) as session:
        person = session.scalars(select(VoterRow).where(VoterRow.voter_number == voter)).one()
        personal = [voter, str(person.surname), str(person.given_name), str(person.birth_date)]
        incident = session.scalars(select(DoubleVoteIncidentRow)).one()
        complaint = session.scalars(select(ComplaintRow)).one()
        logged = " ".join(session.scalars(select(AuditEntryRow.payload)))
        assert audit_discrepancies(session) == []
    assert (incident.status, incident.complaint_id) == ("filed", complaint.id)
    assert not any(value in full["description"] for value in personal)
    assert not any(value in logged for value in personal)
    # the commission takes it up in the ordinary workflow
    review = desks.client.post(
        f"/api/v1/complaints/{public['tracking_number']}/review",
        json={"reason": "the two desks' logs are requested"},
        headers=desks.commission,
    )
    assert review.status_code == 201, review.text


def test_double_votes_and_their_complaints_are_counted_in_public(desks: Api) -> None:
    double_vote_away_and_at_home(desks)
    national = desks.client.get("/api/v1/pollbook/figures").json()
    assert (national["double_votes_recorded"], national["double_vote_complaints"]) == (1, 1)
    home = desks.client.get("/api/v1/pollbook/stations/001-0001/figures").json()
    away = desks.client.get("/api/v1/pollbook/stations/002-0001/figures").json()
    assert (home["double_vote_complaints"], away["double_vote_complaints"]) == (1, 0)


def test_a_resent_batch_files_no_second_complaint(desks: Api) -> None:
    double_vote_away_and_at_home(desks)
    voter = voter_of(desks, "001-0001", 15)
    again = post(
        desks, "check-ins/batch", {"check_ins": [{"voter": voter, "client_reference": "home"}]}
    )
    assert again.json()["outcomes"][0]["status"] == "already_recorded"
    assert len(desks.client.get("/api/v1/complaints").json()["complaints"]) == 1


def test_the_public_cannot_file_as_the_monitor(desks: Api) -> None:
    answer = desks.client.post(
        "/api/v1/complaints",
        json={
            "category": "multiple_voting",
            "about": "station",
            "station": "001-0001",
            "description": "a forged monitor report",
            "reporter_kind": "commission",
        },
    )
    assert answer.status_code == 422, answer.text
