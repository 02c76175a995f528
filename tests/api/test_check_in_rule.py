"""The rule that a protocol's ballots issued match the poll book's check-ins: applied only
where the station used a poll book, judged again when check-ins sync after the protocol, and
never over a decision a person made."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from tallyroom.domain.rule_set import REFERENCE_RULE_SET
from tallyroom.service.audit import audit_log
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.store.database import transaction
from tallyroom.store.schema import ProtocolVersionRow, StationResultRow
from tests.api.test_poll_book import check_in, post, voter_of
from tests.register_fixture import load_small_register
from tests.station_client import Api, good_figures, protocol

RULE = "issued_differs_from_check_ins"


@pytest.fixture
def desks(api: Api) -> Api:
    load_small_register(api.sessions)
    return api


def issued(count: int, portable: int = 0) -> dict[str, Any]:
    """Station 001-0001's protocol with `count` ballots issued (consistent otherwise)."""
    votes = {"C001": count - count // 2, "C002": count // 2, "C003": 0}
    return protocol(
        figures=good_figures(
            votes,
            ballots_issued_in_station=count - portable,
            ballots_issued_portable=portable,
            ballots_cast=count,
            invalid_ballots=0,
            unused_ballots=1200 - count,
        )
    )


def check_in_many(api: Api, first: int, count: int, *, offline: bool = False) -> None:
    items = [
        {"voter": voter_of(api, "001-0001", 40 + n), "client_reference": f"r{n}"}
        for n in range(first, first + count)
    ]
    if offline:
        answer = post(api, "check-ins/batch", {"check_ins": items})
        assert answer.status_code == 200, answer.text
        return
    for item in items:
        assert check_in(api, item["voter"], "001-0001", item["client_reference"]).status_code == 201


def latest(api: Api) -> ProtocolVersionRow:
    with transaction(api.sessions) as session:
        row = session.scalars(
            select(ProtocolVersionRow).order_by(ProtocolVersionRow.id.desc()).limit(1)
        ).one()
        session.expunge(row)
        return row


def counted(api: Api) -> bool:
    with transaction(api.sessions) as session:
        return session.get(StationResultRow, 1) is not None


def reasons(answer: Any) -> list[str]:
    return [reason["code"] for reason in answer.json()["reasons"]]


def test_the_rule_is_in_the_reference_rule_set_with_a_tolerance() -> None:
    (rule,) = [rule for rule in REFERENCE_RULE_SET.rules if rule.id == RULE]
    assert "station.check_ins" in rule.names
    # 1 % of the larger side: 1,000 issued beside 990 check-ins holds, beside 989 it fails
    values = {
        "ballots_issued_in_station": 1_000,
        "ballots_issued_portable": 0,
        "station.check_ins": 990,
    }
    assert rule.failure(values, frozenset(values)) is None
    values["station.check_ins"] = 989
    assert rule.failure(values, frozenset(values)) is not None


def test_not_applied_where_no_poll_book_was_used(desks: Api) -> None:
    answer = desks.submit(issued(300))
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "accepted"
    assert RULE not in reasons(answer)


def test_applied_where_the_poll_book_checked_voters_in(desks: Api) -> None:
    check_in_many(desks, 0, 6)
    answer = desks.submit(issued(9))
    assert (answer.json()["status"], reasons(answer)) == ("flagged", [RULE])
    message = answer.json()["reasons"][0]["message"]
    assert "9" in message
    assert "6" in message
    with transaction(desks.sessions) as session:
        assert audit_discrepancies(session) == []


def test_check_ins_synced_later_judge_the_protocol_again(desks: Api) -> None:
    check_in_many(desks, 0, 4)
    assert desks.submit(issued(6)).json()["status"] == "flagged"
    assert not counted(desks)
    # the offline desk syncs its two check-ins after the protocol was judged
    check_in_many(desks, 4, 2, offline=True)
    row = latest(desks)
    assert (row.status, row.decided_at) == ("accepted", None)
    assert counted(desks)
    # and a late desk with three more makes the count disagree again: uncounted, flagged
    check_in_many(desks, 6, 3, offline=True)
    assert latest(desks).status == "flagged"
    assert RULE in latest(desks).reasons
    assert not counted(desks)
    with transaction(desks.sessions) as session:
        entries = [e for e in audit_log.entries(session) if e.action == "protocol.reexamined"]
        assert [(e.payload["status_before"], e.payload["status"]) for e in entries] == [
            ("flagged", "accepted"),
            ("accepted", "flagged"),
        ]
        assert [e.payload["check_ins"] for e in entries] == [6, 9]
        assert audit_discrepancies(session) == []


def test_check_ins_that_change_nothing_log_nothing(desks: Api) -> None:
    check_in_many(desks, 0, 3)
    assert desks.submit(issued(200)).json()["status"] == "flagged"
    check_in_many(desks, 3, 1, offline=True)  # still far apart: still flagged, same reasons
    with transaction(desks.sessions) as session:
        assert not [e for e in audit_log.entries(session) if e.action == "protocol.reexamined"]


def test_a_persons_decision_is_never_altered(desks: Api) -> None:
    check_in_many(desks, 0, 2)
    assert desks.submit(issued(5)).json()["status"] == "flagged"
    decided = desks.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision",
        json={"decision": "accept", "reason": "the desk's paper list shows five"},
        headers=desks.commission,
    )
    assert decided.status_code == 200, decided.text
    before = latest(desks)
    check_in_many(desks, 2, 9, offline=True)  # now 11 check-ins beside 5 issued
    after = latest(desks)
    assert (after.status, after.decided_at, after.reasons) == (
        "accepted",
        before.decided_at,
        before.reasons,
    )
    assert counted(desks)
    with transaction(desks.sessions) as session:
        assert not [e for e in audit_log.entries(session) if e.action == "protocol.reexamined"]
        assert audit_discrepancies(session) == []


def test_a_station_under_a_recount_order_is_left_to_the_commission(desks: Api) -> None:
    check_in_many(desks, 0, 3)
    assert desks.submit(issued(3)).json()["status"] == "accepted"
    ordered = desks.client.post(
        "/api/v1/stations/001-0001/recount",
        json={"reason": "a candidate asks"},
        headers=desks.commission,
    )
    assert ordered.status_code in (200, 201), ordered.text
    check_in_many(desks, 3, 9, offline=True)  # 12 check-ins beside 3 issued
    assert latest(desks).status == "accepted"
    with transaction(desks.sessions) as session:
        assert not [e for e in audit_log.entries(session) if e.action == "protocol.reexamined"]


def test_a_rule_set_change_judges_with_the_check_ins_too(desks: Api) -> None:
    """A rules change re-examines undecided protocols as intake judged them: the station's
    check-ins stand beside its figures, so the check-ins rule still applies."""
    from tests.api.test_rule_changes import change, without

    check_in_many(desks, 0, 6)
    assert reasons(desks.submit(issued(9))) == [RULE]
    changed = change(desks, without("candidate_missing"))
    assert changed.status_code == 200, changed.text
    row = latest(desks)
    assert (row.status, [reason["code"] for reason in json.loads(row.reasons)]) == (
        "flagged",
        [RULE],
    )
    assert not counted(desks)


def test_a_refusing_rule_flags_a_stored_protocol_and_the_late_check_ins_are_taken(
    desks: Api,
) -> None:
    """A rule whose action is `refuse` keeps a new protocol out, but cannot un-store one:
    check-ins that make a stored protocol break it flag the protocol (as a rules change
    does). Before, the re-examination refused the poll book's batch itself (422)."""
    import dataclasses

    from tallyroom.domain.rule_set import RuleAction, RuleSet
    from tests.api.test_rule_changes import change

    refusing = RuleSet(
        tuple(
            dataclasses.replace(rule, action=RuleAction.REFUSE) if rule.id == RULE else rule
            for rule in REFERENCE_RULE_SET.rules
        )
    )
    assert change(desks, refusing).status_code == 200
    check_in_many(desks, 0, 6)
    assert desks.submit(issued(6)).json()["status"] == "accepted"
    check_in_many(desks, 6, 3, offline=True)  # 9 check-ins beside 6 issued
    row = latest(desks)
    assert (row.status, [reason["code"] for reason in json.loads(row.reasons)]) == (
        "flagged",
        [RULE],
    )
    assert not counted(desks)
    with transaction(desks.sessions) as session:
        assert audit_discrepancies(session) == []


def test_a_proposal_on_a_version_since_amended_does_not_hold_the_amendment(desks: Api) -> None:
    """A decision awaiting its second person on version 1 waits for nothing once the station
    amends (commission_decisions._pending_on): late check-ins judge version 2 again, as a rules
    change would. Before, any pending proposal on the station left version 2 flagged."""
    from tests.commission_console import set_four_eyes

    set_four_eyes(desks, "accept")
    check_in_many(desks, 0, 4)
    assert desks.submit(issued(6)).json()["status"] == "flagged"
    proposed = desks.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision",
        json={"decision": "accept", "reason": "the desk's paper list shows six"},
        headers=desks.commission,
    )
    assert proposed.status_code == 202, proposed.text
    amended = {**issued(6), "version": 2, "amendment_reason": "recounted the spoilt ballots"}
    assert desks.submit(amended).json()["status"] == "flagged"
    check_in_many(desks, 4, 2, offline=True)  # now 6 check-ins beside 6 issued
    row = latest(desks)
    assert (row.version, row.status, row.decided_at) == (2, "accepted", None)
    assert counted(desks)
    with transaction(desks.sessions) as session:
        assert audit_discrepancies(session) == []
