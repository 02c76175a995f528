"""The party-list ballot's line on a protocol: parsed strictly, written only when present, and
documents without it unchanged byte for byte."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.protocol_document import (
    MalformedProtocol,
    document_of,
    parse_protocol_document,
)
from tests.station_client import good_figures


def test_party_votes_round_trip_and_survive_pickling() -> None:
    figures = replace(good_figures(), party_votes={"YAP": 500, "REAL": 200})
    document = document_of(
        election="small-2024", station="001-0001", version=1, figures=figures, contest="x"
    )
    parsed = parse_protocol_document(document)
    assert parsed.figures.party_votes == {"YAP": 500, "REAL": 200}
    assert pickle.loads(pickle.dumps(parsed)) == parsed


def test_without_party_votes_the_document_is_as_before() -> None:
    document = document_of(election="e", station="s", version=1, figures=good_figures())
    assert "party_votes" not in document["figures"]
    assert b"party_votes" not in canonical_json(document)
    assert parse_protocol_document(document).figures.party_votes is None
    document["figures"]["party_votes"] = None
    assert parse_protocol_document(document).figures.party_votes is None


@pytest.mark.parametrize(
    ("value", "field", "code"),
    [
        ([1, 2], "figures.party_votes", "not_an_object"),
        ({"YAP": True}, "figures.party_votes.YAP", "not_a_whole_number"),
        ({"YAP": 10_000_001}, "figures.party_votes.YAP", "too_large"),
        ({"YAP": "12"}, "figures.party_votes.YAP", "not_a_whole_number"),
    ],
)
def test_malformed_party_votes_are_refused(value: object, field: str, code: str) -> None:
    document = document_of(election="e", station="s", version=1, figures=good_figures())
    document["figures"]["party_votes"] = value
    with pytest.raises(MalformedProtocol) as refused:
        parse_protocol_document(document)
    assert [(p.field, p.code) for p in refused.value.problems] == [(field, code)]
