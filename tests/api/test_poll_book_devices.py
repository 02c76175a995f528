"""Poll-book desks enrol as a station's signing device does: a commission's one-time desk
code (hash only kept, single use, expiring), a key pair made on the desk, the poll-book token
in the answer. Several desks a station, each checking in under its own name; a desk code never
enrols a signing device nor the reverse, and issuing one revokes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from tallyroom.domain.enrolment_code import enrolment_code_hash
from tallyroom.domain.key_fingerprint import key_fingerprint
from tallyroom.domain.signature import public_key_hex
from tallyroom.service.audit import audit_log
from tallyroom.service.audit.audit_verification import audit_discrepancies
from tallyroom.service.register.poll_book_devices import MAXIMUM_DEVICES
from tallyroom.service.register.poll_book_figures import check_ins_by_station
from tallyroom.store.database import transaction
from tallyroom.store.schema import (
    CheckInRow,
    PollBookDeviceRow,
    StationEnrolmentRow,
    StationKeyRow,
)
from tests.api.test_poll_book import desks, voter_of
from tests.station_client import Api, protocol

__all__ = ["desks"]


def issue(api: Api, station: str = "001-0001", headers: dict[str, str] | None = None) -> Any:
    return api.client.post(
        f"/api/v1/stations/{station}/poll-book-codes",
        headers=api.commission if headers is None else headers,
    )


def enrol(api: Api, code: str, station: str = "001-0001", key: str | None = None) -> Any:
    return api.client.post(
        "/api/v1/pollbook/enrolments",
        json={
            "station": station,
            "code": code,
            "public_key": key or public_key_hex(Ed25519PrivateKey.generate()),
        },
    )


def enrolled(api: Api, station: str = "001-0001") -> dict[str, Any]:
    code = issue(api, station)
    assert code.status_code == 201, code.text
    answer = enrol(api, code.json()["code"], station)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def desk(api: Api, station: str = "001-0001") -> dict[str, str]:
    return api.headers(enrolled(api, station)["token"])


def code_of(answer: Any) -> str:
    return str(answer.json()["error"]["code"])


def test_a_station_has_several_desks_each_checking_in_under_its_name(desks: Api) -> None:
    key = Ed25519PrivateKey.generate()
    code = issue(desks).json()["code"]
    first = enrol(desks, code, key=public_key_hex(key)).json()
    second = enrolled(desks)
    assert (first["device"], second["device"]) == (
        "station-001-0001/pollbook-1",
        "station-001-0001/pollbook-2",
    )
    assert first["fingerprint"] == key_fingerprint(public_key_hex(key))
    assert first["token"] != second["token"]
    voter = voter_of(desks, "001-0001", 20)
    one = desks.client.post(
        "/api/v1/pollbook/check-ins/batch",
        json={"check_ins": [{"voter": voter, "client_reference": "d1-1"}]},
        headers=desks.headers(first["token"]),
    )
    assert one.json()["outcomes"][0]["status"] == "recorded", one.text
    twice = desks.client.post(
        "/api/v1/pollbook/check-ins",
        json={"voter": voter, "client_reference": "d2-1"},
        headers=desks.headers(second["token"]),
    )
    assert (twice.status_code, code_of(twice)) == (409, "already_checked_in")
    with transaction(desks.sessions) as session:
        assert session.scalars(select(CheckInRow.device)).all() == [first["device"]]
        enrolled_entries = [
            e for e in audit_log.entries(session) if e.action == "pollbook.device_enrolled"
        ]
        assert [e.payload["device"] for e in enrolled_entries] == [
            first["device"],
            second["device"],
        ]
        logged = " ".join(str(e.payload) for e in audit_log.entries(session))
        assert first["token"] not in logged
        assert code not in logged
        stored = session.scalars(select(StationEnrolmentRow.code_hash)).all()
        assert enrolment_code_hash(code) in stored
        assert code not in stored
        assert audit_discrepancies(session) == []


def test_issuing_a_desk_code_revokes_nothing_and_the_desk_key_signs_nothing(desks: Api) -> None:
    with transaction(desks.sessions) as session:
        before = session.scalars(
            select(StationKeyRow.id).where(StationKeyRow.revoked_at.is_(None))
        ).all()
    headers = desk(desks)
    with transaction(desks.sessions) as session:
        after = session.scalars(
            select(StationKeyRow.id).where(StationKeyRow.revoked_at.is_(None))
        ).all()
    assert after == before
    sent = desks.client.post(
        "/api/v1/protocols",
        json=desks.signed(protocol()),
        headers=desks.headers(desks.station_token("001-0001")),
    )
    assert sent.status_code == 201, sent.text
    refused = {
        "protocol": desks.client.post(
            "/api/v1/protocols", json=desks.signed(protocol()), headers=headers
        ),
        "turnout": desks.client.post(
            "/api/v1/stations/001-0001/turnout",
            json={"as_of": "10:00", "voters": 10},
            headers=headers,
        ),
        "setup": desks.client.get("/api/v1/stations/001-0001/setup", headers=headers),
        "desk code": issue(desks, headers=headers),
        "signing code": desks.client.post(
            "/api/v1/stations/001-0001/enrolment-code", headers=headers
        ),
        "certificate": desks.client.post(
            "/api/v1/register/absentee-certificates",
            json={"voter": voter_of(desks, "001-0001"), "number": "AC-77"},
            headers=headers,
        ),
    }
    assert {name: answer.status_code for name, answer in refused.items()} == dict.fromkeys(
        refused, 403
    ), {name: answer.text for name, answer in refused.items()}


def test_a_code_never_enrols_the_other_kind_of_device(desks: Api) -> None:
    desk_code = issue(desks).json()["code"]
    key = public_key_hex(Ed25519PrivateKey.generate())
    as_signer = desks.client.post(
        "/api/v1/enrolments", json={"station": "001-0001", "code": desk_code, "public_key": key}
    )
    assert (as_signer.status_code, code_of(as_signer)) == (403, "enrolment_code_wrong_purpose")
    signing_code = desks.client.post(
        "/api/v1/stations/001-0001/enrolment-code", headers=desks.commission
    ).json()["code"]
    as_desk = enrol(desks, signing_code, key=key)
    assert (as_desk.status_code, code_of(as_desk)) == (403, "enrolment_code_wrong_purpose")
    # neither attempt spent its code: each still enrols its own kind
    assert enrol(desks, desk_code, key=key).status_code == 201
    signer = desks.client.post(
        "/api/v1/enrolments",
        json={
            "station": "001-0001",
            "code": signing_code,
            "public_key": public_key_hex(Ed25519PrivateKey.generate()),
        },
    )
    assert signer.status_code == 201, signer.text
    # a new signing code leaves unused desk codes alone
    waiting = issue(desks).json()["code"]
    desks.client.post("/api/v1/stations/001-0001/enrolment-code", headers=desks.commission)
    assert enrol(desks, waiting).status_code == 201


def test_a_reused_an_expired_or_another_stations_code_is_refused(desks: Api) -> None:
    code = issue(desks).json()["code"]
    assert enrol(desks, code).status_code == 201
    replayed = enrol(desks, code)
    assert (replayed.status_code, code_of(replayed)) == (409, "enrolment_code_used")
    other = enrol(desks, issue(desks, "001-0002").json()["code"], station="001-0001")
    assert (other.status_code, code_of(other)) == (403, "enrolment_code_wrong")
    late = issue(desks).json()["code"]
    with transaction(desks.sessions) as session:
        session.execute(
            update(StationEnrolmentRow)
            .where(StationEnrolmentRow.code_hash == enrolment_code_hash(late))
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    expired = enrol(desks, late)
    assert (expired.status_code, code_of(expired)) == (409, "enrolment_code_expired")
    key = public_key_hex(Ed25519PrivateKey.generate())
    assert enrol(desks, issue(desks).json()["code"], key=key).status_code == 201
    same_key = enrol(desks, issue(desks).json()["code"], key=key)
    assert (same_key.status_code, code_of(same_key)) == (409, "key_known")
    for body in ({}, {"station": "001-0001", "code": 7, "public_key": key}, [1]):
        answer = desks.client.post("/api/v1/pollbook/enrolments", json=body)
        assert 400 <= answer.status_code < 500, (body, answer.text)
    mistyped = enrol(desks, "ZZZZZ-ZZZZZ")
    assert (mistyped.status_code, code_of(mistyped)) == (422, "enrolment_code_mistyped")
    bad_key = enrol(desks, issue(desks).json()["code"], key="00" * 32)
    assert (bad_key.status_code, code_of(bad_key)) == (422, "public_key_invalid")
    oversized = desks.client.post(
        "/api/v1/pollbook/enrolments",
        content=b'{"station": "' + b"1" * 2_000_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= oversized.status_code < 500


def test_issuing_is_a_commissions_act_in_its_scope_and_bounded(desks: Api) -> None:
    station = issue(desks, headers=desks.headers(desks.station_token("001-0001")))
    assert (station.status_code, code_of(station)) == (403, "commission_only")
    constituency = desks.headers(desks.credentials.constituency_tokens[1])
    elsewhere = issue(desks, "002-0001", headers=constituency)
    assert (elsewhere.status_code, code_of(elsewhere)) == (403, "other_constituency")
    assert issue(desks, "001-0002", headers=constituency).status_code == 201
    assert issue(desks, "999-9999").status_code == 404
    assert issue(desks, headers={}).status_code == 401
    for _ in range(MAXIMUM_DEVICES - 1):
        assert issue(desks, "001-0002").status_code == 201
    many = issue(desks, "001-0002")
    assert (many.status_code, code_of(many)) == (409, "too_many_devices")


def test_a_revoked_desk_frees_its_place(desks: Api) -> None:
    codes = [issue(desks).json()["code"] for _ in range(MAXIMUM_DEVICES)]
    assert enrol(desks, codes[0]).status_code == 201
    assert issue(desks).status_code == 409
    desks.client.post(
        "/api/v1/stations/001-0001/poll-book-desks/1/revocation",
        json={"reason": "tablet lost"},
        headers=desks.commission,
    )
    replacement = issue(desks)
    assert replacement.status_code == 201, replacement.text
    assert enrol(desks, replacement.json()["code"]).json()["device"] == (
        "station-001-0001/pollbook-2"
    )


def test_a_revoked_desk_is_refused_audited_and_the_others_keep_working(desks: Api) -> None:
    first = enrolled(desks)
    second = desk(desks)
    path = "/api/v1/stations/001-0001/poll-book-desks/1/revocation"
    by_desk = desks.client.post(path, json={"reason": "x"}, headers=second)
    assert by_desk.status_code == 403
    elsewhere = desks.client.post(
        path,
        json={"reason": "lost"},
        headers=desks.headers(desks.credentials.constituency_tokens[2]),
    )
    assert (elsewhere.status_code, code_of(elsewhere)) == (403, "other_constituency")
    assert desks.client.post(path, json={}, headers=desks.commission).status_code == 422
    revoked = desks.client.post(
        path, json={"reason": "the desk's tablet was stolen"}, headers=desks.commission
    )
    assert revoked.status_code == 201, revoked.text
    assert revoked.json()["device"] == first["device"]
    assert revoked.json()["revoked_at"]
    again = desks.client.post(path, json={"reason": "again"}, headers=desks.commission)
    assert (again.status_code, code_of(again)) == (409, "device_revoked")
    missing = desks.client.post(
        "/api/v1/stations/001-0001/poll-book-desks/9/revocation",
        json={"reason": "x"},
        headers=desks.commission,
    )
    assert (missing.status_code, code_of(missing)) == (404, "unknown_device")
    body = {"voter": voter_of(desks, "001-0001", 21), "client_reference": "after"}
    lost = desks.client.post(
        "/api/v1/pollbook/check-ins", json=body, headers=desks.headers(first["token"])
    )
    assert lost.status_code == 401
    assert (
        desks.client.post("/api/v1/pollbook/check-ins", json=body, headers=second).status_code
        == 201
    )
    station = desks.client.post(
        "/api/v1/pollbook/check-ins",
        json={"voter": voter_of(desks, "001-0001", 22), "client_reference": "station"},
        headers=desks.headers(desks.station_token("001-0001")),
    )
    assert station.status_code == 201
    with transaction(desks.sessions) as session:
        (entry,) = [e for e in audit_log.entries(session) if e.action == "pollbook.device_revoked"]
        assert entry.payload["reason"] == "the desk's tablet was stolen"
        assert entry.payload["device"] == first["device"]
        assert audit_discrepancies(session) == []


def test_the_station_page_lists_desk_keys_with_their_purpose(desks: Api) -> None:
    first = enrolled(desks)
    desks.client.post(
        "/api/v1/stations/001-0001/poll-book-desks/1/revocation",
        json={"reason": "replaced"},
        headers=desks.commission,
    )
    page = desks.client.get("/stations/001-0001")
    assert page.status_code == 200, page.text
    assert (
        f'data-purpose="poll_book"><th scope="row"><code>{first["fingerprint"]}</code>' in page.text
    )
    assert first["device"] in page.text
    assert 'data-purpose="signing_device"' in page.text


def test_a_station_with_a_desk_uses_a_poll_book_before_its_first_check_in(desks: Api) -> None:
    desk(desks, "001-0003")
    with transaction(desks.sessions) as session:
        assert check_ins_by_station(session, [1, 3]) == {3: 0}


def test_a_desk_token_revoked_as_a_token_revokes_its_desk(desks: Api) -> None:
    first = enrolled(desks)
    revoked = desks.client.post(
        "/api/v1/tokens/revocation", json={"token": first["token"]}, headers=desks.commission
    )
    assert revoked.status_code == 201, revoked.text
    with transaction(desks.sessions) as session:
        (desk_row,) = session.scalars(select(PollBookDeviceRow)).all()
        assert desk_row.revoked_at is not None
        assert audit_discrepancies(session) == []
