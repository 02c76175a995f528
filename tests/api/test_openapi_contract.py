"""/openapi.json is the API's contract: every body a command takes is declared with its model
and an example, every error answer with the one error shape, the bearer scheme on every
command; and the models agree with the parsers that really judge the bodies."""

from __future__ import annotations

from typing import Any

import pytest

from tallyroom.api.request_bodies import (
    EXAMPLE_PROTOCOL,
    DecisionBody,
    ProtocolSubmissionBody,
    TokenRevocationBody,
    TurnoutBatchBody,
)
from tallyroom.domain.protocol_document import parse_protocol_document
from tests.station_client import Api

ERROR_STATUSES = ("400", "401", "403", "404", "409", "413", "422")
#: the observers', complaints' and exit polls' routes (api/observers.py, api/exit_polls.py)
WATCHER_TAGS = {"observers", "exit-polls", "webcams"}


@pytest.fixture
def document(api: Api) -> dict[str, Any]:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """The results API's operations (the observers' routes are held to their own contract
    below: public filings take no token, their reads are not conditional)."""
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in methods.items()
        if not WATCHER_TAGS & set(operation.get("tags", []))
    ]


def test_the_observers_routes_declare_bodies_and_the_one_error_shape(
    document: dict[str, Any],
) -> None:
    routes = [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if WATCHER_TAGS & set(operation.get("tags", []))
    ]
    assert len(routes) == 26  # with the outage citation (POST /complaints/{n}/webcam-outage)
    public_filings = {"/api/v1/complaints", "/api/v1/organisation-applications"}
    for method, path, operation in routes:
        if method != "POST":
            continue
        assert ("security" in operation) is (path not in public_filings), path
        if path.endswith(("/credential", "/webcams/outages")):
            continue  # takes no body
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert resolve(document, reference).get("examples"), path
        for status in ERROR_STATUSES:
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)


def resolve(document: dict[str, Any], reference: str) -> dict[str, Any]:
    found: Any = document
    for part in reference.removeprefix("#/").split("/"):
        found = found[part]
    return dict(found)


def test_every_command_declares_its_body_errors_and_bearer_token(document: dict[str, Any]) -> None:
    commands = [entry for entry in operations(document) if entry[0] == "POST"]
    # 13 with the rules' change, poll book's 8 (desk codes, desk enrolment and desk revocation
    # in place of the old desk tokens), enrolment's 2, runoff's 3 (definition, round 2's
    # certification and its withdrawal), a lot's entry and confirmation
    assert len(commands) == 28
    for method, path, operation in commands:
        label = f"{method} {path}"
        if path in ("/api/v1/enrolments", "/api/v1/pollbook/enrolments"):
            # a device enrolling has no token yet: its one-time code is the proof
            assert "security" not in operation, label
        else:
            assert operation["security"] == [{"bearer": []}], label
        for status in ERROR_STATUSES:
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (label, status)
        if path in (
            "/api/v1/certification",
            "/api/v1/decisions/{decision_id}/confirmation",
            "/api/v1/lots/{lot_id}/confirmation",
        ) or path.endswith(("/enrolment-code", "/poll-book-codes")):
            assert "requestBody" not in operation, label
            continue  # takes no body
        body = operation["requestBody"]
        # a constituency's certification takes a reason only when it is too close; a runoff
        # needs withdrawals only when some candidate withdrew
        optional = path.endswith(("/certification", "/runoff"))
        assert body["required"] is not optional, label
        reference = body["content"]["application/json"]["schema"]["$ref"]
        model = resolve(document, reference)
        assert model["type"] == "object", label
        assert model.get("required") or not body["required"], label
        assert model.get("examples"), f"{label}: no example"
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearer"]["description"],
    }


def test_the_one_error_shape_everywhere(document: dict[str, Any]) -> None:
    # FastAPI's own validation shape is never promised: the API answers ErrorBody.
    assert "HTTPValidationError" not in document["components"]["schemas"]
    error = document["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["error"]
    detail = resolve(document, error["properties"]["error"]["$ref"])
    assert sorted(detail["required"]) == ["code", "details", "message"]
    for _, _, operation in operations(document):
        for status, answer in operation["responses"].items():
            if status.startswith(("4", "5")):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}


def test_the_protocol_body_is_declared_field_by_field(document: dict[str, Any]) -> None:
    submission = document["components"]["schemas"]["ProtocolSubmissionBody"]
    assert submission["properties"]["signature"]["pattern"] == "^[0-9a-fA-F]{128}$"
    protocol = resolve(document, submission["properties"]["protocol"]["$ref"])
    assert protocol["additionalProperties"] is False
    assert set(protocol["required"]) == {"election", "station", "version", "figures"}
    figures = resolve(document, protocol["properties"]["figures"]["$ref"])
    assert figures["properties"]["ballots_cast"]["minimum"] == 0
    assert figures["properties"]["ballots_cast"]["maximum"] == 10_000_000


def test_every_public_read_declares_its_model_etag_and_304(document: dict[str, Any]) -> None:
    # the commission's reads (queues, who has not reported) and a station's set-up are neither
    # public nor cached; a receipt's picture and a protocol's photo (named by its SHA-256)
    # never change
    immutable = {"/api/v1/receipts/{sha256}.svg", "/api/v1/photos/{sha256}.jpg"}
    reads = [
        entry
        for entry in operations(document)
        if entry[0] == "GET" and "security" not in entry[2] and entry[1] not in immutable
    ]
    assert {path for _, path, _ in reads} >= {"/api/v1/changes", "/api/v1/results"}
    for _, path, operation in reads:
        ok = operation["responses"]["200"]
        assert ok["content"]["application/json"]["schema"]["$ref"], path
        assert "ETag" in ok["headers"], path
        assert "304" in operation["responses"], path
        assert any(p["name"] == "If-None-Match" for p in operation["parameters"]), path


def test_the_examples_are_what_the_parsers_accept() -> None:
    examples = ProtocolSubmissionBody.model_config["json_schema_extra"]["examples"]
    ProtocolSubmissionBody.model_validate(examples[0])
    assert parse_protocol_document(EXAMPLE_PROTOCOL).station == "001-0001"
    for model in (TurnoutBatchBody, DecisionBody, TokenRevocationBody):
        for example in model.model_config["json_schema_extra"]["examples"]:
            model.model_validate(example)


def test_a_parameter_outside_its_declared_range_is_422_in_the_error_shape(api: Api) -> None:
    for url in (
        "/api/v1/changes?since=-1",
        "/api/v1/changes?since=abc",
        "/api/v1/turnout?constituency=9223372036854775808",
        "/api/v1/results/constituencies/0",
    ):
        response = api.client.get(url)
        assert response.status_code == 422, url
        assert response.json()["error"]["code"] == "invalid_request", url
    response = api.client.post(
        "/api/v1/constituencies/99999999999999999999/certification", headers=api.commission
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"reason": "checked"}, "invalid_decision"),
        ({"decision": "maybe", "reason": "checked"}, "invalid_decision"),
        ({"decision": "accept"}, "reason_required"),
        ({"decision": "accept", "reason": "   "}, "reason_required"),
        ({"decision": "accept", "reason": 7}, "reason_required"),
    ],
)
def test_commission_bodies_keep_their_stable_codes(
    api: Api, body: dict[str, Any], code: str
) -> None:
    response = api.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision", json=body, headers=api.commission
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == code
    assert error["details"]["problems"]
