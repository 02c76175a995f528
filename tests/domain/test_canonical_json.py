"""The fast path of canonical JSON writes exactly what rfc8785 writes, for any JSON value."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from tallyroom.domain.audit_chain import entry_hash, entry_hash_of_canonical_payload
from tallyroom.domain.canonical_json import canonical_json

_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from('"\\\x00\x1f\x7f\u2028\ue000\U0001f600'),
    max_size=12,
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)
_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_text, children, max_size=5),
    max_leaves=25,
)


def _rfc8785(value: Any) -> bytes | type[Exception]:
    try:
        return bytes(rfc8785.dumps(value))
    except Exception as error:  # the kind of error is what is compared
        return type(error)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_same_bytes_as_rfc8785(value: Any) -> None:
    expected = _rfc8785(value)
    if isinstance(expected, bytes):
        assert canonical_json(value) == expected
    else:
        with pytest.raises(expected):
            canonical_json(value)


def test_keys_sorted_by_utf16_not_code_points() -> None:
    # U+1F600 is D83D DE00 in UTF-16: before U+E000 there, after it by code point.
    value = {"\ue000": 1, "\U0001f600": 2}
    assert canonical_json(value) == bytes(rfc8785.dumps(value))
    assert canonical_json(value).index("\U0001f600".encode()) < canonical_json(value).index(
        "\ue000".encode()
    )


def test_a_protocol_document() -> None:
    document = {
        "election": "az-2024",
        "station": "001-0001",
        "version": 2,
        "votes": {"C002": 250, "C001": 400},
        "amendment_reason": 'sayım "yenidən"\n',
    }
    assert canonical_json(document) == bytes(rfc8785.dumps(document))


@settings(max_examples=200, deadline=None)
@given(
    payload=st.dictionaries(_text, _values, max_size=6),
    actor=_text,
    action=_text,
    sequence=st.integers(min_value=1, max_value=2**40),
)
def test_audit_hash_of_a_canonical_payload_equals_the_full_hash(
    payload: dict[str, Any], actor: str, action: str, sequence: int
) -> None:
    try:
        stored = canonical_json(payload)
    except Exception:  # payloads rfc8785 refuses are never stored
        return
    arguments = {
        "sequence": sequence,
        "recorded_at": "2024-09-01T19:00:00.000001+00:00",
        "actor": actor,
        "action": action,
        "previous_hash": "ab" * 32,
    }
    try:
        expected = entry_hash(payload=json.loads(stored), **arguments)
    except Exception:  # a float like 2**53 reads back as an integer rfc8785 refuses
        return
    assert entry_hash_of_canonical_payload(canonical_payload=stored, **arguments) == expected
