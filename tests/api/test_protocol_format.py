"""Format 2 of the signed protocol document (format, contest, photo_sha256) beside format 1,
which stays accepted; the rule set's version stored with each protocol version."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tallyroom.domain.rule_set import REFERENCE_RULE_SET
from tallyroom.store.database import transaction
from tallyroom.store.schema import ProtocolVersionRow
from tests.station_client import Api, protocol

PHOTO = "0f" * 32


def current(**changes: Any) -> dict[str, Any]:
    """A format 2 protocol of station 001-0001, in constituency 1."""
    document = protocol()
    document |= {"format": 2, "contest": "constituency-1", "photo_sha256": PHOTO}
    document |= changes
    return {name: value for name, value in document.items() if value is not ...}


def stored(api: Api) -> list[tuple[int, str | None]]:
    with transaction(api.sessions) as session:
        return list(
            session.execute(
                select(ProtocolVersionRow.version, ProtocolVersionRow.rule_set_version)
            ).tuples()
        )


def test_a_format_2_protocol_is_accepted_with_the_rule_set_version(api: Api) -> None:
    response = api.submit(current())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "accepted"
    assert body["rule_set_version"] == REFERENCE_RULE_SET.version
    assert stored(api) == [(1, REFERENCE_RULE_SET.version)]
    station = api.client.get("/api/v1/stations/001-0001").json()
    (version,) = station["protocol_versions"]
    assert version["rule_set_version"] == REFERENCE_RULE_SET.version
    assert version["protocol"]["photo_sha256"] == PHOTO


def test_format_1_stays_accepted(api: Api) -> None:
    response = api.submit(protocol())
    assert response.status_code == 201, response.text
    assert response.json()["rule_set_version"] == REFERENCE_RULE_SET.version


@pytest.mark.parametrize("photo", [None, ...])
def test_a_format_2_protocol_without_a_photo(api: Api, photo: Any) -> None:
    assert api.submit(current(photo_sha256=photo)).status_code == 201


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"contest": ...}, "contest", "missing"),
        ({"contest": ""}, "contest", "not_text"),
        ({"contest": 1}, "contest", "not_text"),
        ({"photo_sha256": "0F" * 32}, "photo_sha256", "not_a_sha256"),
        ({"photo_sha256": "0f" * 31}, "photo_sha256", "not_a_sha256"),
        ({"photo_sha256": "0f" * 32 + "\n"}, "photo_sha256", "not_a_sha256"),
        ({"photo_sha256": 5}, "photo_sha256", "not_a_sha256"),
        ({"format": 3}, "format", "unknown_format"),
        ({"format": "2"}, "format", "unknown_format"),
        ({"format": True}, "format", "unknown_format"),
        ({"format": 1}, "contest", "unknown_field"),
    ],
)
def test_a_malformed_format_2_protocol_is_refused_whole(
    api: Api, changes: dict[str, Any], field: str, code: str
) -> None:
    response = api.submit(current(**changes))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "malformed_protocol"
    assert {"field": field, "code": code} in [
        {"field": problem["field"], "code": problem["code"]}
        for problem in error["details"]["problems"]
    ]
    assert stored(api) == []


def test_a_format_1_protocol_cannot_carry_format_2_fields(api: Api) -> None:
    document = protocol() | {"photo_sha256": PHOTO}
    response = api.submit(document)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["problems"][0]["code"] == "unknown_field"


@pytest.mark.parametrize("contest", ["constituency-2", "constituency-01", "2", "constituency-1 "])
def test_a_protocol_for_another_contest_is_refused(api: Api, contest: str) -> None:
    response = api.submit(current(contest=contest))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "wrong_contest"
    assert stored(api) == []


def test_the_station_of_constituency_2_names_its_own_contest(api: Api) -> None:
    document = current(station="002-0001", contest="constituency-2", votes=...)
    document["figures"] = dict(document["figures"]) | {
        "registered_voters": 900,
        "ballots_received": 900,
        "unused_ballots": 140,
        "votes": {"C004": 400, "C005": 350},
    }
    response = api.submit(document)
    assert response.status_code == 201, response.text


def test_the_same_format_2_protocol_again_is_idempotent(api: Api) -> None:
    assert api.submit(current()).status_code == 201
    again = api.submit(current())
    assert again.status_code == 200
    assert again.json()["already_stored"] is True
    assert again.json()["rule_set_version"] == REFERENCE_RULE_SET.version
    with transaction(api.sessions) as session:
        assert session.scalar(select(func.count(ProtocolVersionRow.id))) == 1
