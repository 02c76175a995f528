"""The console's rules page: the rule set in force and a form adopting a new version (the
commission's members only), through the same service command as POST /api/v1/rules; hostile
posts (no CSRF token, the wrong role, malformed YAML at its line, an oversized form) change
nothing."""

from __future__ import annotations

import re
from typing import Any

from tallyroom.definition.rules_file import rules_yaml
from tallyroom.domain.rule_set import REFERENCE_RULE_SET, RuleSet
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.people.people import PersonRole
from tallyroom.store.database import transaction
from tests.console_people import Console, make_account

LOOSER = RuleSet(REFERENCE_RULE_SET.rules[:-1])


def _post(console: Console, csrf: str | None, **fields: str) -> Any:
    data = dict(fields)
    if csrf is not None:
        data["csrf_token"] = csrf
    return console.client.post("/console/rules?lang=en", data=data, follow_redirects=False)


def _version(console: Console) -> str:
    return str(console.client.get("/api/v1/rules").json()["version"])


def test_a_member_sees_the_rules_and_adopts_a_new_version(console: Console) -> None:
    leyla = make_account(console.sessions, "leyla")
    csrf = console.sign_in(leyla)
    assert 'href="/console/rules"' in console.client.get("/console?lang=en").text
    page = console.client.get("/console/rules?lang=ru")
    assert page.status_code == 200
    assert REFERENCE_RULE_SET.version in page.text
    shown = re.findall(r'<tr data-rule="([a-z_]+)"', page.text)
    assert shown == [rule.id for rule in REFERENCE_RULE_SET.rules]
    assert dict(REFERENCE_RULE_SET.rules[0].messages)["ru"].split("{")[0].strip() in page.text
    assert 'name="rules_yaml"' in page.text
    assert 'name="csrf_token"' in page.text
    done = _post(console, csrf, rules_yaml=rules_yaml(LOOSER), reason="resolution 12/2024")
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith("/console/rules?version=" + LOOSER.version)
    assert _version(console) == LOOSER.version
    after = console.client.get(done.headers["location"] + "&lang=en")
    assert 'id="rules-changed"' in after.text
    assert f'<code id="rule-set-version">{LOOSER.version}</code>' in after.text
    audit = console.client.get("/console/audit?action=rules.changed&lang=en")
    assert 'data-action="rules.changed"' in audit.text
    assert 'href="/console/rules" data-link="rules"' in audit.text
    with transaction(console.sessions) as session:
        assert audit_discrepancies(session) == []


def test_hostile_rule_changes_change_nothing(console: Console) -> None:
    leyla = make_account(console.sessions, "leyla")
    text = rules_yaml(LOOSER)
    for role, constituency in (
        (PersonRole.COMMISSION_STAFF, None),
        (PersonRole.CONSTITUENCY_MEMBER, 1),
    ):
        other = make_account(
            console.sessions, f"x{role.value[:5]}", role, constituency=constituency
        )
        csrf = console.sign_in(other)
        assert console.client.get("/console/rules").status_code == 403
        refused = _post(console, csrf, rules_yaml=text, reason="mine")
        assert refused.status_code == 403, role
        assert 'href="/console/rules"' not in console.client.get("/console").text
        console.client.cookies.clear()
    csrf = console.sign_in(leyla)
    assert _post(console, None, rules_yaml=text, reason="no token").status_code == 403
    assert _post(console, "forged", rules_yaml=text, reason="forged").status_code == 403
    broken = _post(
        console,
        csrf,
        rules_yaml="format: tallyroom-rules/1\nrules:\n  - id: x\n    check: ballots_cast <<< 2\n"
        "    message: {az: a, en: b, ru: c}\n",
        reason="typo",
    )
    assert broken.status_code == 422
    assert 'data-code="invalid_rules"' in broken.text
    assert "rules.yaml:4: x.check:" in broken.text
    not_yaml = _post(console, csrf, rules_yaml="rules: [\n", reason="x")
    assert not_yaml.status_code == 422
    assert _post(console, csrf, rules_yaml=text, reason="").status_code == 422
    assert _post(console, csrf, rules_yaml=text, reason="x" * 3000).status_code == 422
    huge = console.client.post(
        "/console/rules",
        content=b"csrf_token=" + csrf.encode() + b"&rules_yaml=" + b"x" * 3_000_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    assert _version(console) == REFERENCE_RULE_SET.version
