"""GET /api/v1/rules: the election's control rules, public, read-only."""

from __future__ import annotations

from tallyroom.api.response_bodies import RuleSetBody
from tallyroom.domain.rule_set import REFERENCE_RULE_SET, rule_set_of
from tests.station_client import Api


def test_the_rules_are_served_publicly(api: Api) -> None:
    response = api.client.get("/api/v1/rules")
    assert response.status_code == 200
    assert response.headers["etag"]
    body = RuleSetBody.model_validate(response.json())
    assert body.election == "small-2024"
    assert body.version == REFERENCE_RULE_SET.version
    assert [rule.id for rule in body.rules] == [rule.id for rule in REFERENCE_RULE_SET.rules]
    assert "registered_voters" in body.station_facts
    assert rule_set_of(response.json()).version == body.version
    again = api.client.get("/api/v1/rules", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_the_rules_are_changed_only_by_the_commission_s_post(api: Api) -> None:
    # A new version is POSTed as rules.yaml text (tests/api/test_rule_changes.py); nothing
    # else writes them, and the served JSON form is not a way in.
    for method in ("put", "delete", "patch"):
        response = api.client.request(
            method, "/api/v1/rules", json={"rules": []}, headers=api.commission
        )
        assert response.status_code == 405
    served_form = api.client.post("/api/v1/rules", json={"rules": []}, headers=api.commission)
    assert served_form.status_code == 422
    assert served_form.json()["error"]["code"] == "invalid_rules"
    assert api.client.get("/api/v1/rules").json()["version"] == REFERENCE_RULE_SET.version
