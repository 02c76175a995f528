"""Enrolment with the key born on the device: one-time codes (hash only stored), a station
cannot enrol or submit for another, a re-issued code revokes the old key from that moment
and a document the old key signed that arrives later is flagged; no private key anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.enrolment_code import enrolment_code_hash
from tallyroom.domain.key_fingerprint import key_fingerprint
from tallyroom.domain.signature import public_key_hex, sign_document
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.definition.credentials import IssuedCredentials, KeyMaking, issue_credentials
from tallyroom.store.database import transaction
from tallyroom.store.schema import StationEnrolmentRow, StationKeyRow
from tests.station_client import Api, protocol


@pytest.fixture
def codes(api: Api) -> IssuedCredentials:
    with transaction(api.sessions) as session:
        return issue_credentials(session, actor="test", key_making=KeyMaking.DEVICE)


def enrol(api: Api, station: str, code: str, key: Ed25519PrivateKey) -> Any:
    return api.client.post(
        "/api/v1/enrolments",
        json={"station": station, "code": code, "public_key": public_key_hex(key)},
    )


def send(api: Api, token: str, document: dict[str, Any], key: Ed25519PrivateKey) -> Any:
    return api.client.post(
        "/api/v1/protocols",
        json={"protocol": document, "signature": sign_document(document, key)},
        headers=api.headers(token),
    )


def test_device_enrols_and_its_key_signs(api: Api, codes: IssuedCredentials) -> None:
    assert codes.stations == {}
    key = Ed25519PrivateKey.generate()
    answer = enrol(api, "001-0001", codes.enrolment_codes["001-0001"][1], key)
    assert answer.status_code == 201, answer.text
    assert answer.json()["fingerprint"] == key_fingerprint(public_key_hex(key))
    token = answer.json()["token"]
    sent = send(api, token, protocol(), key)
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "accepted"
    setup = api.client.get("/api/v1/stations/001-0001/setup", headers=api.headers(token))
    assert setup.status_code == 200
    assert setup.json()["key_fingerprint"] == answer.json()["fingerprint"]
    assert [c["code"] for c in setup.json()["candidates"]] == ["C001", "C002", "C003"]
    assert setup.json()["latest"]["version"] == 1
    with transaction(api.sessions) as session:
        rows = session.scalars(select(StationKeyRow)).all()
        assert {row.made for row in rows if row.revoked_at is None} == {"device"}
        assert audit_discrepancies(session) == []


def test_code_is_single_use_and_the_second_device_is_refused(
    api: Api, codes: IssuedCredentials
) -> None:
    code = codes.enrolment_codes["001-0001"][1]
    assert enrol(api, "001-0001", code, Ed25519PrivateKey.generate()).status_code == 201
    again = enrol(api, "001-0001", code, Ed25519PrivateKey.generate())
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "enrolment_code_used"


def test_a_station_cannot_enrol_or_submit_for_another(api: Api, codes: IssuedCredentials) -> None:
    other = next(code for code in codes.enrolment_codes if code != "001-0001")
    key = Ed25519PrivateKey.generate()
    refused = enrol(api, other, codes.enrolment_codes["001-0001"][1], key)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "enrolment_code_wrong"
    token = enrol(api, "001-0001", codes.enrolment_codes["001-0001"][1], key).json()["token"]
    document = protocol(station=other)
    sent = send(api, token, document, key)
    assert sent.status_code == 403
    assert sent.json()["error"]["code"] == "out_of_scope"
    setup = api.client.get(f"/api/v1/stations/{other}/setup", headers=api.headers(token))
    assert setup.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"station": "001-0001", "code": "AAAAA-AAAAA", "public_key": "00" * 32}, 422, None),
        ({"station": "001-0001", "code": "short", "public_key": "ab" * 32}, 422, None),
        ({"station": "001-0001", "code": 12, "public_key": "ab" * 32}, 422, None),
        ({"station": ["x"], "code": "AAAAA-AAAAA", "public_key": "ab" * 32}, 422, None),
        ({"station": "999-9999", "code": "00000-00000", "public_key": "ab" * 32}, 404, None),
        ({}, 422, None),
    ],
)
def test_hostile_enrolments_are_refused_whole(
    api: Api, codes: IssuedCredentials, body: dict[str, Any], status: int, code: str | None
) -> None:
    with transaction(api.sessions) as session:
        before = session.scalar(text("select count(*) from station_key"))
    answer = api.client.post("/api/v1/enrolments", json=body)
    assert answer.status_code == status, answer.text
    with transaction(api.sessions) as session:
        assert session.scalar(text("select count(*) from station_key")) == before


def test_expired_code_is_refused(api: Api, codes: IssuedCredentials) -> None:
    code = codes.enrolment_codes["001-0001"][1]
    with transaction(api.sessions) as session:
        row = session.scalars(
            select(StationEnrolmentRow).where(
                StationEnrolmentRow.code_hash == enrolment_code_hash(code)
            )
        ).one()
        row.expires_at = row.issued_at
    answer = enrol(api, "001-0001", code, Ed25519PrivateKey.generate())
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "enrolment_code_expired"


def test_new_code_revokes_the_old_key_and_its_late_document_is_flagged(
    api: Api, codes: IssuedCredentials
) -> None:
    old_key = Ed25519PrivateKey.generate()
    enrol(api, "001-0001", codes.enrolment_codes["001-0001"][1], old_key)
    document = protocol()
    late_signature = sign_document(document, old_key)  # signed offline, not yet sent
    constituency = api.headers(codes.constituency_tokens[1])
    answer = api.client.post("/api/v1/stations/001-0001/enrolment-code", headers=constituency)
    assert answer.status_code == 201, answer.text
    new_key = Ed25519PrivateKey.generate()
    new = enrol(api, "001-0001", answer.json()["code"], new_key)
    assert new.status_code == 201
    # The lost phone's token was revoked with its key; the commission relays what it held.
    relayed = api.client.post(
        "/api/v1/protocols",
        json={"protocol": document, "signature": late_signature},
        headers=constituency,
    )
    assert relayed.status_code == 201, relayed.text
    assert relayed.json()["status"] == "flagged"
    assert [r["code"] for r in relayed.json()["reasons"]] == ["signed_with_revoked_key"]
    keys = api.client.get(
        "/api/v1/stations/001-0001/setup", headers=api.headers(new.json()["token"])
    )
    assert keys.json()["key_fingerprint"] == key_fingerprint(public_key_hex(new_key))
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []


def test_only_a_commission_issues_a_new_code(api: Api, codes: IssuedCredentials) -> None:
    key = Ed25519PrivateKey.generate()
    token = enrol(api, "001-0001", codes.enrolment_codes["001-0001"][1], key).json()["token"]
    for headers in (api.headers(token), api.headers(codes.constituency_tokens[2]), {}):
        answer = api.client.post("/api/v1/stations/001-0001/enrolment-code", headers=headers)
        assert answer.status_code in (401, 403), answer.text


def test_no_private_key_is_stored_in_the_default_flow(
    api: Api, codes: IssuedCredentials, loaded_election: sessionmaker[Session]
) -> None:
    key = Ed25519PrivateKey.generate()
    enrol(api, "001-0001", codes.enrolment_codes["001-0001"][1], key)
    private = key.private_bytes_raw().hex()
    with transaction(loaded_election) as session:
        for table in ("station_key", "station_enrolment", "access_token", "audit_entry"):
            dump = " ".join(str(row) for row in session.execute(text(f"select * from {table}")))
            assert private not in dump
            assert "PRIVATE KEY" not in dump
        # Only the hashes of the codes: none of the codes themselves.
        enrolments = " ".join(
            str(r) for r in session.execute(text("select * from station_enrolment"))
        )
        for _, code in codes.enrolment_codes.values():
            assert code.replace("-", "") not in enrolments


def test_turnout_signed_with_the_device_key_is_kept_with_its_signature(
    api: Api, codes: IssuedCredentials
) -> None:
    from tallyroom.domain.canonical_json import canonical_json
    from tallyroom.service.protocols.turnout import turnout_document
    from tallyroom.store.schema import TurnoutReportRow

    key = Ed25519PrivateKey.generate()
    token = enrol(api, "001-0001", codes.enrolment_codes["001-0001"][1], key).json()["token"]
    signed = key.sign(canonical_json(turnout_document("small-2024", "001-0001", "10:00", 212)))
    forged = key.sign(canonical_json(turnout_document("small-2024", "001-0001", "10:00", 999)))
    url = "/api/v1/stations/001-0001/turnout"
    refused = api.client.post(
        url,
        json={"as_of": "10:00", "voters": 212, "signature": forged.hex()},
        headers=api.headers(token),
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "signature_invalid"
    stored = api.client.post(
        url,
        json={"as_of": "10:00", "voters": 212, "signature": signed.hex()},
        headers=api.headers(token),
    )
    assert stored.status_code == 201, stored.text
    with transaction(api.sessions) as session:
        row = session.scalars(select(TurnoutReportRow)).one()
        assert row.signature == signed.hex()
        assert audit_discrepancies(session) == []
        row.signature = forged.hex()
    with transaction(api.sessions) as session:
        assert any("column signature" in problem for problem in audit_discrepancies(session))


def test_a_key_enrolled_after_a_protocol_cannot_have_signed_it(
    api: Api, codes: IssuedCredentials
) -> None:
    from tallyroom.store.schema import ProtocolVersionRow

    first = Ed25519PrivateKey.generate()
    token = enrol(api, "001-0001", codes.enrolment_codes["001-0001"][1], first).json()["token"]
    assert send(api, token, protocol(), first).status_code == 201
    constituency = api.headers(codes.constituency_tokens[1])
    code = api.client.post("/api/v1/stations/001-0001/enrolment-code", headers=constituency)
    second = Ed25519PrivateKey.generate()
    assert enrol(api, "001-0001", code.json()["code"], second).status_code == 201
    with transaction(api.sessions) as session:
        assert audit_discrepancies(session) == []
        later_key = session.scalars(
            select(StationKeyRow.id).where(StationKeyRow.public_key == public_key_hex(second))
        ).one()
        # Someone claims the new device signed the protocol that was stored before it existed.
        session.scalars(select(ProtocolVersionRow)).one().station_key_id = later_key
    with transaction(api.sessions) as session:
        problems = audit_discrepancies(session)
    assert any(
        "enrolled at audit entry" in problem and "after the protocol" in problem
        for problem in problems
    ), problems
