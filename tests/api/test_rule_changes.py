"""Changing the rules mid-election (POST /api/v1/rules): a new version, audited with the
election row; protocols no person has decided are judged again under it, while those a person
decided, those with a decision awaiting confirmation and those of a certified contest stay as
they were. A rules text that does not load is refused with its rules.yaml:line; the wrong role,
an oversized body and a missing reason are refused and change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update

from tallyroom.definition.rules_file import rules_yaml
from tallyroom.domain.rule_set import REFERENCE_RULE_SET, Rule, RuleSet
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.protocols.election_rules import stored_rule_set
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    AuditEntryRow,
    ElectionRow,
    PollingStationRow,
    ProtocolVersionRow,
)
from tests.commission_console import flagged_protocol, give_commission_key, set_four_eyes
from tests.polled_election import counted_figures, poll_small_election
from tests.station_client import Api, protocol

#: the check 001-0001's and 001-0002's flagged protocols fail
RECEIVED_RULE = "issued_and_unused_differ_from_received"
REASON = "resolution 12/2024: portable ballots are reconciled separately"


def without(rule_id: str) -> RuleSet:
    return RuleSet(tuple(rule for rule in REFERENCE_RULE_SET.rules if rule.id != rule_id))


def with_extra(rule_set: RuleSet, check: str) -> RuleSet:
    extra = Rule(
        "invalid_above_cast",
        check,
        (
            ("az", "yoxlama {invalid_ballots}"),
            ("en", "check {invalid_ballots}"),
            ("ru", "проверка"),
        ),
    )
    return RuleSet((*rule_set.rules, extra))


def change(
    api: Api, rule_set: RuleSet | str, headers: dict[str, str] | None = None, **body: Any
) -> Any:
    text = rule_set if isinstance(rule_set, str) else rules_yaml(rule_set)
    return api.client.post(
        "/api/v1/rules",
        json={"rules_yaml": text, "reason": REASON} | body,
        headers=api.commission if headers is None else headers,
    )


def stored(api: Api, station: str) -> tuple[str, list[str], str | None, bool]:
    """The latest version's status, failed checks, rule set version, and whether it counts."""
    with api.sessions() as session:
        row = session.scalars(
            select(ProtocolVersionRow)
            .join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
            .where(PollingStationRow.code == station)
            .order_by(ProtocolVersionRow.version.desc())
        ).first()
        assert row is not None
        codes = [reason["code"] for reason in json.loads(row.reasons)]
        version = row.rule_set_version
        status = row.status
    detail = api.client.get(f"/api/v1/stations/{station}").json()
    counted = any(v["counted"] for v in detail["protocol_versions"])
    return status, codes, version, counted


def good_002() -> dict[str, Any]:
    return protocol("002-0001", figures=counted_figures()["002-0001"])


def test_a_rule_set_change_re_examines_undecided_protocols_only(api: Api) -> None:
    assert api.submit(flagged_protocol("001-0001")).json()["status"] == "flagged"
    assert api.submit(flagged_protocol("001-0002")).json()["status"] == "flagged"
    assert api.submit(good_002()).json()["status"] == "accepted"
    assert RECEIVED_RULE in stored(api, "001-0001")[1]
    # A person accepts 001-0002: her decision stands whatever the rules become.
    decided = api.client.post(
        "/api/v1/stations/001-0002/protocols/1/decision",
        json={"decision": "accept", "reason": "checked against the paper copy"},
        headers=api.commission,
    )
    assert decided.status_code == 200, decided.text
    person_decided = stored(api, "001-0002")
    reporting = api.client.get("/api/v1/results").json()["stations_reporting"]

    # 1. The check 001-0001 failed is dropped: judged again, accepted and counted.
    loosened = without(RECEIVED_RULE)
    response = change(api, loosened)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["changed"], answer["version"]) == (True, loosened.version)
    assert answer["previous_version"] == REFERENCE_RULE_SET.version
    assert answer["reexamined"] == 2  # 001-0001 and 002-0001; not 001-0002
    assert [
        (c["station"], c["previous_status"], c["status"]) for c in answer["status_changed"]
    ] == [("001-0001", "flagged", "accepted")]
    assert stored(api, "001-0001") == ("accepted", [], loosened.version, True)
    assert stored(api, "002-0001") == ("accepted", [], loosened.version, True)
    assert stored(api, "001-0002") == person_decided
    assert api.client.get("/api/v1/results").json()["stations_reporting"] == reporting + 1
    assert api.client.get("/api/v1/rules").json()["version"] == loosened.version
    assert [
        item["station"]
        for item in api.client.get("/api/v1/queue/flagged", headers=api.commission).json()["items"]
    ] == []

    # 2. A check every protocol fails: the rules' acceptances are withdrawn, the person's not.
    strict = with_extra(loosened, "invalid_ballots > ballots_cast")
    answer = change(api, strict).json()
    assert sorted((c["station"], c["status"]) for c in answer["status_changed"]) == [
        ("001-0001", "flagged"),
        ("002-0001", "flagged"),
    ]
    assert stored(api, "001-0001") == ("flagged", ["invalid_above_cast"], strict.version, False)
    assert stored(api, "002-0001")[:3] == ("flagged", ["invalid_above_cast"], strict.version)
    assert stored(api, "001-0002") == person_decided
    assert api.client.get("/api/v1/results").json()["stations_reporting"] == 1
    queue = api.client.get("/api/v1/queue/flagged", headers=api.commission).json()["items"]
    assert [item["station"] for item in queue] == ["001-0001", "002-0001"]

    # The same rules again change nothing and log nothing.
    with api.sessions() as session:
        entries = session.scalar(
            select(AuditEntryRow.sequence).order_by(AuditEntryRow.sequence.desc())
        )
    again = change(api, strict).json()
    assert (again["changed"], again["reexamined"]) == (False, 0)
    with api.sessions() as session:
        assert (
            session.scalar(select(AuditEntryRow.sequence).order_by(AuditEntryRow.sequence.desc()))
            == entries
        )
        actions = list(session.scalars(select(AuditEntryRow.action)))
    assert actions.count("rules.changed") == 2
    assert actions.count("protocol.reexamined") == 4
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_a_decision_awaiting_confirmation_is_left_pending_and_uncounted(api: Api) -> None:
    set_four_eyes(api, "accept")
    assert api.submit(flagged_protocol("001-0001")).json()["status"] == "flagged"
    proposed = api.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision",
        json={"decision": "accept", "reason": "checked against the paper copy"},
        headers=api.commission,
    )
    assert proposed.status_code == 202, proposed.text
    before = stored(api, "001-0001")
    answer = change(api, without(RECEIVED_RULE)).json()
    assert answer["reexamined"] == 0
    assert stored(api, "001-0001") == before
    assert before[0] == "flagged"
    assert before[3] is False
    (item,) = api.client.get("/api/v1/queue/flagged", headers=api.commission).json()["items"]
    assert item["status"] == "pending_confirmation"
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_a_certified_contest_is_not_re_examined(api: Api) -> None:
    give_commission_key(api)
    poll_small_election(api)
    certified = api.client.post("/api/v1/constituencies/1/certification", headers=api.commission)
    assert certified.status_code == 201, certified.text
    answer = change(api, with_extra(REFERENCE_RULE_SET, "invalid_ballots > ballots_cast")).json()
    assert answer["frozen_stations"] == ["001-0001", "001-0002", "001-0003"]
    assert [c["station"] for c in answer["status_changed"]] == ["002-0001"]
    assert stored(api, "001-0001")[0] == "accepted"
    assert api.client.get("/api/v1/results/constituencies/1").json()["certified"] is True
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


# --- hostile ---------------------------------------------------------------------------------


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_only_the_commission_changes_the_rules(api: Api) -> None:
    rules = without(RECEIVED_RULE)
    assert error(change(api, rules, headers={})) == (401, "token_missing")
    for headers in (
        api.headers(api.station_token("001-0001")),
        api.headers(api.credentials.constituency_tokens[1]),
        api.headers(api.credentials.observer_token),
    ):
        assert error(change(api, rules, headers=headers)) == (403, "commission_only")
    # The wrong role learns nothing of the rules text: refused before it is read.
    assert error(change(api, "rules: [", headers=api.headers(api.station_token("001-0001")))) == (
        403,
        "commission_only",
    )
    assert api.client.get("/api/v1/rules").json()["version"] == REFERENCE_RULE_SET.version


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("format: tallyroom-rules/1\nrules: [\n", 3, "-"),
        ("format: tallyroom-rules/9\nrules: []\n", 1, "format"),
        ("format: tallyroom-rules/1\nrules: 5\n", 2, "rules"),
        (
            "format: tallyroom-rules/1\nrules:\n  - id: broken\n    check: ballots_cast <=\n"
            "    message: {az: a, en: b, ru: c}\n",
            4,
            "broken.check",
        ),
        (
            "format: tallyroom-rules/1\nrules:\n  - id: strange\n    check: turnout > 1\n"
            "    message: {az: a, en: b, ru: c}\n",
            4,
            "strange.check",
        ),
    ],
)
def test_a_rule_set_that_does_not_load_is_refused_at_its_line(
    api: Api, text: str, line: int, field: str
) -> None:
    response = change(api, text)
    assert error(response) == (422, "invalid_rules"), response.text
    problem = response.json()["error"]["details"]["problems"][0]
    assert (problem["file"], problem["line"], problem["field"]) == ("rules.yaml", line, field)
    assert f"rules.yaml:{line}:" in response.json()["error"]["message"]
    assert api.client.get("/api/v1/rules").json()["version"] == REFERENCE_RULE_SET.version


def test_malformed_and_oversized_changes_are_refused(api: Api) -> None:
    rules = rules_yaml(without(RECEIVED_RULE))
    assert error(change(api, rules, reason="")) == (422, "reason_required")
    missing = api.client.post("/api/v1/rules", json={"reason": REASON}, headers=api.commission)
    assert error(missing) == (422, "invalid_rules")
    wrong_type = api.client.post(
        "/api/v1/rules", json={"rules_yaml": ["x"], "reason": REASON}, headers=api.commission
    )
    assert error(wrong_type) == (422, "invalid_rules")
    huge = api.client.post(
        "/api/v1/rules",
        content=b'{"reason": "x", "rules_yaml": "' + b"#" * 600_000 + b'"}',
        headers=api.commission | {"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    too_long = change(api, "# " + "x" * 300_000 + "\n" + rules)
    assert too_long.status_code == 422
    not_json = api.client.post(
        "/api/v1/rules",
        content=b"format: x",
        headers=api.commission | {"Content-Type": "application/json"},
    )
    assert not_json.status_code == 400
    bomb = "format: tallyroom-rules/1\nrules: &a [*a]\n"
    assert change(api, bomb).status_code == 422
    for deep in ("[" * 100_000, "{a: " * 50_000):
        assert error(change(api, deep)) == (422, "invalid_rules")
    assert api.client.get("/api/v1/rules").json()["version"] == REFERENCE_RULE_SET.version


def test_audit_verify_catches_a_re_examined_protocol_or_the_rules_edited_behind_its_back(
    api: Api,
) -> None:
    assert api.submit(flagged_protocol("001-0001")).json()["status"] == "flagged"
    assert change(api, without(RECEIVED_RULE)).status_code == 200
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []
    with transaction(api.sessions) as session:
        session.execute(
            update(ProtocolVersionRow)
            .where(ProtocolVersionRow.version == 1)
            .values(status="flagged", reasons="[]")
        )
        session.execute(update(ElectionRow).values(rule_set=stored_rule_set(REFERENCE_RULE_SET)))
    with transaction(api.sessions) as session:
        found = "\n".join(audit_discrepancies(session))
    assert "table protocol_version, key station 001-0001 version 1, column status" in found
    assert "column rule_set" in found
    assert "table election" in found


def test_a_protocol_signed_with_a_revoked_key_stays_flagged_for_that_reason(api: Api) -> None:
    from tallyroom.domain.signature import load_private_key, sign_document
    from tallyroom.service.definition.credentials import issue_credentials

    old_key = load_private_key(api.credentials.stations["001-0001"][2])
    with transaction(api.sessions) as session:
        fresh = issue_credentials(session, actor="test")
    document = flagged_protocol("001-0001")
    response = api.client.post(
        "/api/v1/protocols",
        json={"protocol": document, "signature": sign_document(document, old_key)},
        headers=api.headers(fresh.stations["001-0001"][1]),
    )
    assert response.json()["status"] == "flagged"
    loosened = without(RECEIVED_RULE)
    assert change(api, loosened).json()["reexamined"] == 1
    # The rule it broke is gone; the key it was signed with is still revoked.
    assert stored(api, "001-0001") == (
        "flagged",
        ["signed_with_revoked_key"],
        loosened.version,
        False,
    )
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_a_protocol_arriving_after_a_change_is_judged_by_the_new_rules(api: Api) -> None:
    # The server's intake keeps the election's structure between groups; the rules it reads
    # afresh in each group's transaction, so the first protocol after a change meets them.
    assert api.submit(good_002()).json()["status"] == "accepted"
    loosened = without(RECEIVED_RULE)
    assert change(api, loosened).status_code == 200
    answer = api.submit(flagged_protocol("001-0001")).json()
    assert (answer["status"], answer["rule_set_version"]) == ("accepted", loosened.version)
    strict = with_extra(loosened, "invalid_ballots > ballots_cast")
    assert change(api, strict).status_code == 200
    answer = api.submit(flagged_protocol("001-0002")).json()
    assert answer["status"] == "flagged"
    assert [reason["code"] for reason in answer["reasons"]] == ["invalid_above_cast"]
    assert stored(api, "001-0002")[1:3] == (["invalid_above_cast"], strict.version)
