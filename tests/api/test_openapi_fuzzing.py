"""schemathesis against the application: requests generated from /openapi.json (bodies from
the request models), sent with no token, a bad one and each kind of real one. No answer is
a 5xx, and every answer conforms to the schema: its status declared, its body the declared
model (the one error shape for every error), its headers as declared."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import rfc8785
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tallyroom.domain.signature import load_private_key, sign_document
from tests.station_client import Api, good_figures, protocol

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
#: the candidates of station 001-0001
CANDIDATES = ("C001", "C002", "C003")
CALLERS = ("none", "unknown", "station", "constituency", "observer", "commission")


def api_schema(api: Api) -> OpenApiSchema:
    document = api.client.get("/openapi.json").json()
    # The live queue is a stream that stays open: tests/api/test_commission_decisions.py
    # holds it to its contract.
    return (
        schemathesis.openapi.from_dict(document)
        .include(path_regex="^/api/v1/")
        .exclude(path_regex="/events$")
    )


def token_of(api: Api, caller: str) -> str | None:
    tokens = {
        "none": None,
        "unknown": "tr-not-a-token",
        "station": api.station_token("001-0001"),
        "constituency": api.credentials.constituency_tokens[1],
        "observer": api.credentials.observer_token,
        "commission": api.credentials.commission_token,
    }
    return tokens[caller]


def signed_by_the_station(api: Api, body: Any) -> Any:
    """A generated protocol made to reach the judging rules: the station's own election,
    station, candidates and signature (a random signature never verifies)."""
    if not isinstance(body, dict) or not isinstance(body.get("protocol"), dict):
        return body
    document = {
        **body["protocol"],
        "election": "small-2024",
        "station": "001-0001",
        "version": 1,
    }
    figures = document.get("figures")
    if isinstance(figures, dict) and isinstance(figures.get("votes"), dict):
        votes = [*figures["votes"].values(), 0, 0, 0]
        document["figures"] = {**figures, "votes": dict(zip(CANDIDATES, votes, strict=False))}
    key = load_private_key(api.credentials.stations["001-0001"][2])
    try:
        signature = sign_document(document, key)
    except rfc8785.CanonicalizationError:
        # No station could sign it (an integer past JSON's safe range, a lone surrogate):
        # it goes unsigned, as a hostile client would send it.
        return body
    return {**body, "protocol": document, "signature": signature}


def send(api: Api, case: Case, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    sent = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    data = sent.get("data")
    return api.client.request(
        sent["method"],
        sent["url"],
        params=sent.get("params"),
        headers=sent.get("headers"),
        content=data.encode() if isinstance(data, str) else data,
        json=sent.get("json"),
    )


def fuzz(api: Api, operation: APIOperation, mode: GenerationMode, examples: int) -> Counter[int]:
    """Send `examples` generated requests; the statuses answered."""
    statuses: Counter[int] = Counter()

    @given(case=operation.as_strategy(mode), caller=st.sampled_from(CALLERS), sign=st.booleans())
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: Case, caller: str, sign: bool) -> None:
        if sign and operation.label == "POST /api/v1/protocols":
            case.body = signed_by_the_station(api, case.body)
            caller = "station"
        response = send(api, case, token_of(api, caller))
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    run()
    return statuses


def operations(api: Api) -> list[APIOperation]:
    found = [result.ok() for result in api_schema(api).get_all_operations()]
    assert len(found) >= 16, [operation.label for operation in found]
    return found


def can_be_wrong(operation: APIOperation) -> bool:
    """Whether a request can break the schema: a body, or a parameter that is not any text."""
    definition = operation.definition.raw
    return "requestBody" in definition or any(
        "string" not in json.dumps(parameter.get("schema", {}))
        for parameter in definition.get("parameters", [])
    )


def test_requests_that_fit_the_schema(api: Api) -> None:
    # The success answers are held to the schema too, not only the refusals: generated
    # figures rarely pass every control check, so one good protocol is sent first, the same
    # way (before the fuzzing, which may take the station's version 1).
    submission = next(o for o in operations(api) if o.label == "POST /api/v1/protocols")
    document = protocol(figures=good_figures())
    key = load_private_key(api.credentials.stations["001-0001"][2])
    case = submission.Case(
        body={"protocol": document, "signature": sign_document(document, key)},
        media_type="application/json",
    )
    response = send(api, case, token_of(api, "station"))
    assert response.status_code == 201, response.text
    case.validate_response(response, checks=CHECKS)
    answered = {
        operation.label: fuzz(api, operation, GenerationMode.POSITIVE, examples=30)
        for operation in operations(api)
    }
    assert answered["GET /api/v1/changes"][200] > 0


def test_requests_that_do_not_fit_the_schema(api: Api) -> None:
    fuzzed = [operation for operation in operations(api) if can_be_wrong(operation)]
    assert {"POST /api/v1/protocols", "POST /api/v1/turnout"} <= {
        operation.label for operation in fuzzed
    }
    for operation in fuzzed:
        fuzz(api, operation, GenerationMode.NEGATIVE, examples=15)
