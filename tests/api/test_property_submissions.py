"""Property: whatever a station sends, the server answers without a 5xx, and the totals
always equal a recomputation from the counted protocols."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.store.database import transaction
from tests.station_client import Api

STATIONS = {"001-0001": ("C001", "C002", "C003"), "002-0001": ("C004", "C005")}
counts = st.one_of(
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=-5, max_value=-1),
    st.integers(min_value=10**7, max_value=10**13),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
    st.text(max_size=3),
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    station = draw(st.sampled_from(sorted(STATIONS)))
    candidates = STATIONS[station]
    chosen = draw(st.sets(st.sampled_from([*candidates, "C001", "X99"]), max_size=4))
    figures = {
        name: draw(st.integers(min_value=0, max_value=1500) | counts)
        for name in (
            "registered_voters",
            "voters_added",
            "ballots_received",
            "ballots_issued_in_station",
            "ballots_issued_portable",
            "ballots_cast",
            "invalid_ballots",
            "unused_ballots",
        )
    }
    if draw(st.booleans()):
        figures.pop(draw(st.sampled_from(sorted(figures))))
    figures["votes"] = {
        code: draw(st.integers(min_value=0, max_value=900) | counts) for code in chosen
    }
    document: dict[str, Any] = {
        "election": "small-2024",
        "station": station,
        "version": draw(st.integers(min_value=0, max_value=4)),
        "figures": figures,
    }
    if draw(st.booleans()):
        document["amendment_reason"] = draw(st.sampled_from(["recount", "", "typing error"]))
    return document


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=documents(), sign_correctly=st.booleans())
def test_random_protocols_never_break_the_server_or_the_totals(
    api: Api, document: dict[str, Any], sign_correctly: bool
) -> None:
    envelope = api.signed(document)
    if not sign_correctly:
        envelope["signature"] = envelope["signature"][::-1]
    response = api.client.post(
        "/api/v1/protocols",
        json=envelope,
        headers=api.headers(api.station_token(document["station"])),
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"]["code"]
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []
