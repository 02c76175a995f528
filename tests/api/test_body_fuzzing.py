"""A hypothesis fuzzer of the bodies stations send, beyond what the schema allows: protocol
envelopes and turnout reports with any JSON at any place, signed or not, with each kind of
token. No answer is a 5xx; every refusal is in the one error shape; every success is the
declared model."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import quote

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tallyroom.api.errors import ErrorBody
from tallyroom.api.response_bodies import (
    SubmissionOutcomeBody,
    TurnoutBatchOutcomeBody,
    TurnoutOutcomeBody,
)
from tests.station_client import Api, protocol

#: any JSON value, a few levels deep (deep nesting is refused before parsing: 9.12's tests);
#: text without lone surrogates (a known 500: see test_known_failures below)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
#: the places of a protocol document a fuzzed value may go
PROTOCOL_PLACES = (
    ("election",),
    ("station",),
    ("version",),
    ("amendment_reason",),
    ("figures",),
    ("figures", "registered_voters"),
    ("figures", "ballots_cast"),
    ("figures", "invalid_ballots"),
    ("figures", "votes"),
    ("figures", "votes", "C001"),
    ("figures", "votes", "X99"),
    ("unknown",),
)
CALLERS = ("none", "station", "other_station", "constituency", "commission")
TIMES = st.sampled_from(["08:00", "10:00", "12:00", "15:00", "19:00", "24:00", "10:0", ""])
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def token_of(api: Api, caller: str) -> dict[str, str]:
    token = {
        "none": None,
        "station": api.station_token("001-0001"),
        "other_station": api.station_token("002-0001"),
        "constituency": api.credentials.constituency_tokens[1],
        "commission": api.credentials.commission_token,
    }[caller]
    return api.headers(token) if token else {}


def place(document: dict[str, Any], path: tuple[str, ...], value: Any, remove: bool) -> None:
    target: Any = document
    for part in path[:-1]:
        if not isinstance(target, dict) or not isinstance(target.get(part), dict):
            return
        target = target[part]
    if remove:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value


@st.composite
def protocol_bodies(draw: st.DrawFn) -> tuple[Any, bool]:
    """A body for POST /protocols, and whether to sign its protocol with the station's key."""
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(json_values), False
    document = protocol(version=draw(st.integers(min_value=1, max_value=3)))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        path = draw(st.sampled_from(PROTOCOL_PLACES))
        place(document, path, draw(json_values), remove=draw(st.booleans()))
    envelope: dict[str, Any] = {"protocol": document, "signature": "ab" * 64}
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        envelope[draw(st.sampled_from(["protocol", "signature"]))] = draw(json_values)
    return envelope, draw(st.booleans())


def report_values(station: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    report = st.fixed_dictionaries(
        {"station": station, "as_of": TIMES | json_values, "voters": st.integers() | json_values}
    )
    return report.flatmap(
        lambda values: st.sets(st.sampled_from(sorted(values))).map(
            lambda dropped: {name: value for name, value in values.items() if name not in dropped}
        )
    )


def assert_answered(response: Any, success: type[Any]) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        ErrorBody.model_validate(response.json())
    else:
        success.model_validate(response.json())


@SETTINGS
@given(body=protocol_bodies(), caller=st.sampled_from(CALLERS))
def test_protocol_bodies(api: Api, body: tuple[Any, bool], caller: str) -> None:
    envelope, sign = body
    if sign and isinstance(envelope.get("protocol"), dict):
        with contextlib.suppress(rfc8785.CanonicalizationError):
            # (a document with no canonical form cannot be signed; it goes unsigned)
            envelope["signature"] = api.signed(envelope["protocol"], "001-0001")["signature"]
    response = api.client.post(
        "/api/v1/protocols",
        content=json.dumps(envelope).encode(),
        headers={**token_of(api, caller), "Content-Type": "application/json"},
    )
    assert_answered(response, SubmissionOutcomeBody)


@SETTINGS
@given(
    station=st.sampled_from(["001-0001", "002-0001", "999-9999"]) | st.text(min_size=1),
    report=report_values(st.just("unused")) | json_values,
    caller=st.sampled_from(CALLERS),
)
def test_turnout_bodies(api: Api, station: str, report: Any, caller: str) -> None:
    if isinstance(report, dict):
        report.pop("station", None)
    response = api.client.post(
        f"/api/v1/stations/{quote(station, safe='')}/turnout",
        content=json.dumps(report).encode(),
        headers={**token_of(api, caller), "Content-Type": "application/json"},
    )
    assert_answered(response, TurnoutOutcomeBody)


@SETTINGS
@given(
    reports=st.lists(
        report_values(st.sampled_from(["001-0001", "001-0002", "002-0001"]) | json_values),
        max_size=5,
    )
    | json_values,
    wrapped=st.booleans(),
    caller=st.sampled_from(CALLERS),
)
def test_turnout_batch_bodies(api: Api, reports: Any, wrapped: bool, caller: str) -> None:
    body = {"reports": reports} if wrapped else reports
    response = api.client.post(
        "/api/v1/turnout",
        content=json.dumps(body).encode(),
        headers={**token_of(api, caller), "Content-Type": "application/json"},
    )
    assert_answered(response, TurnoutBatchOutcomeBody)


@pytest.mark.parametrize("where", ["station", "amendment_reason"])
def test_a_lone_surrogate_in_a_protocol_is_refused(api: Api, where: str) -> None:
    document = protocol(version=2, amendment_reason="typing error")
    document[where] = "SURROGATE"
    body = json.dumps({"protocol": document, "signature": "ab" * 64})
    response = api.client.post(
        "/api/v1/protocols",
        content=body.replace('"SURROGATE"', '"\\ud800"').encode(),
        headers={**api.headers(api.station_token("001-0001")), "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text
    ErrorBody.model_validate(response.json())


@pytest.mark.parametrize("as_of", ["10:00Z", "10:00+09:00", "10:00:00"])
def test_a_turnout_time_not_exactly_hh_mm_is_refused(api: Api, as_of: str) -> None:
    response = api.client.post(
        "/api/v1/stations/001-0001/turnout",
        json={"as_of": as_of, "voters": 100},
        headers=api.headers(api.station_token("001-0001")),
    )
    assert response.status_code == 422, response.text
    ErrorBody.model_validate(response.json())
