"""Who has not reported: per constituency, the stations the commission waits for, with the
time since their last turnout report and their contact (commission staff only, never
published: not in open data, exports, snapshots, and only a salted hash in the audit log)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tallyroom.definition.reader import read_definition
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.service.results.publication import gather_publication
from tallyroom.store.database import transaction
from tallyroom.store.schema import AuditEntryRow
from tests.commission_console import flagged_protocol, set_contact
from tests.station_client import Api, protocol

CONTACT = "Aygün Rzayeva +994 50 555 12 34"


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def unreported(api: Api, headers: dict[str, str], query: str = "") -> Any:
    return api.client.get(f"/api/v1/constituencies/1/unreported{query}", headers=headers)


def test_the_stations_not_yet_reported_with_turnout_and_contact(api: Api) -> None:
    set_contact(api, "001-0002", CONTACT)
    assert api.submit(protocol()).status_code == 201
    for station, as_of in (("001-0002", "10:00"), ("001-0002", "12:00")):
        response = api.client.post(
            f"/api/v1/stations/{station}/turnout",
            json={"as_of": as_of, "voters": 100},
            headers=api.headers(api.station_token(station)),
        )
        assert response.status_code == 201, response.text
    response = unreported(api, api.commission)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    stations = response.json()["stations"]
    assert [s["station"] for s in stations] == ["001-0002", "001-0003"]
    first, second = stations
    assert (first["waiting_for"], first["last_turnout_as_of"], first["contact"]) == (
        "nothing_received",
        "12:00",
        CONTACT,
    )
    assert first["minutes_since_turnout"] >= 0
    assert (second["last_turnout_as_of"], second["minutes_since_turnout"]) == (None, None)
    # Sorted by the longest silence first: a station that never reported turnout leads.
    by_silence = unreported(api, api.commission, "?sort=-minutes_since_turnout").json()
    assert [s["station"] for s in by_silence["stations"]] == ["001-0003", "001-0002"]
    by_name = unreported(api, api.commission, "?sort=name").json()
    assert [s["name"] for s in by_name["stations"]] == sorted(s["name"] for s in stations)
    # The constituency's own commission sees it too.
    mine = unreported(api, api.headers(api.credentials.constituency_tokens[1]))
    assert mine.status_code == 200
    exported = api.client.get("/api/v1/constituencies/1/unreported.csv", headers=api.commission)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["station"], r["contact"]) for r in rows] == [
        ("001-0002", CONTACT),
        ("001-0003", ""),
    ]


def test_a_rejected_protocol_is_waited_for(api: Api) -> None:
    assert api.submit(flagged_protocol()).status_code == 201
    response = api.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision",
        json={"decision": "reject", "reason": "does not add up"},
        headers=api.commission,
    )
    assert response.status_code == 200
    waiting = {
        s["station"]: s["waiting_for"] for s in unreported(api, api.commission).json()["stations"]
    }
    assert waiting["001-0001"] == "amendment"
    assert waiting["001-0002"] == "nothing_received"


def test_the_contact_is_never_published(api: Api, tmp_path: Path) -> None:
    set_contact(api, "001-0002", CONTACT)
    assert api.submit(protocol()).status_code == 201
    with transaction(api.sessions) as session:
        payloads = session.scalars(select(AuditEntryRow.payload)).all()
        assert not any(CONTACT in payload for payload in payloads)
        assert any("hmac-sha256:" in payload and "contact" in payload for payload in payloads)
        publication = gather_publication(session)
    written = write_snapshot(publication, tmp_path / "snapshots")
    for file in written.folder.rglob("*"):
        if file.is_file():
            assert CONTACT.encode() not in file.read_bytes(), file
    for path in ("/api/v1/stations/001-0002", "/stations/001-0002", "/stations/001-0002.json"):
        assert CONTACT not in api.client.get(path).text, path


def test_the_definition_may_name_contacts(small_election: Path) -> None:
    stations = small_election / "stations.csv"
    lines = stations.read_text(encoding="utf-8").splitlines()
    lines[0] += ",contact"
    lines[1] += f',"{CONTACT}"'
    lines[2:] = [line + "," for line in lines[2:]]
    stations.write_text("\n".join(lines) + "\n", encoding="utf-8")
    definition = read_definition(small_election)
    contacts = {s.code: s.contact for s in definition.stations}
    assert contacts == {"001-0001": CONTACT, "001-0002": None, "001-0003": None, "002-0001": None}


# --- hostile ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["unreported", "unreported.csv"])
def test_only_commission_staff_see_who_has_not_reported(api: Api, path: str) -> None:
    url = f"/api/v1/constituencies/1/{path}"
    for headers, status, code in (
        ({}, 401, "token_missing"),
        (api.headers(api.station_token("001-0001")), 403, "commission_only"),
        (api.headers(api.credentials.observer_token), 403, "commission_only"),
        (api.headers(api.credentials.constituency_tokens[2]), 403, "commission_only"),
    ):
        response = api.client.get(url, headers=headers)
        assert (response.status_code, error_code(response)) == (status, code), headers


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?sort=password", 422),
        ("?sort=" + "a" * 41, 422),
        ("?sort=name;drop", 422),
        ("?sort=--name", 422),
    ],
)
def test_a_bad_sort_is_refused(api: Api, query: str, status: int) -> None:
    assert unreported(api, api.commission, query).status_code == status


def test_an_unknown_constituency_is_404(api: Api) -> None:
    response = api.client.get("/api/v1/constituencies/9/unreported", headers=api.commission)
    assert (response.status_code, error_code(response)) == (404, "unknown_constituency")
    response = api.client.get(
        "/api/v1/constituencies/99999999999/unreported", headers=api.commission
    )
    assert response.status_code == 422
