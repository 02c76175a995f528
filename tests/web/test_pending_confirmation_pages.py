"""Four-eyes on the public site: a protocol whose decision awaits a second person's
confirmation is "pending confirmation" (not counted) on the station page, the constituency's
table, the station's JSON and CSV, in az/en/ru, as the console's queue says; once
confirmed it is what the decision made it."""

from __future__ import annotations

import csv
import io
import re

from tests.commission_console import (
    flagged_protocol,
    give_commission_key,
    second_member,
    set_four_eyes,
)
from tests.station_client import Api

PENDING = {"en": "Pending confirmation", "az": "Təsdiq gözləyir", "ru": "Ожидает подтверждения"}


def propose_acceptance(api: Api) -> int:
    give_commission_key(api)
    set_four_eyes(api, "accept")
    assert api.submit(flagged_protocol("001-0001")).json()["status"] == "flagged"
    proposed = api.client.post(
        "/api/v1/stations/001-0001/protocols/1/decision",
        json={"decision": "accept", "reason": "checked against the paper copy"},
        headers=api.commission,
    )
    assert proposed.status_code == 202, proposed.text
    return int(proposed.json()["decision_id"])


def test_a_protocol_awaiting_confirmation_is_pending_not_flagged_in_public(web_api: Api) -> None:
    client = web_api.client
    # Before anyone decides, the site says flagged.
    assert web_api.submit(flagged_protocol("001-0002")).json()["status"] == "flagged"
    decision_id = propose_acceptance(web_api)
    (item,) = [
        item
        for item in client.get("/api/v1/queue/flagged", headers=web_api.commission).json()["items"]
        if item["station"] == "001-0001"
    ]
    assert item["status"] == "pending_confirmation"

    for language, label in PENDING.items():
        page = client.get(f"/stations/001-0001?lang={language}").text
        assert re.search(rf'data-status="pending_confirmation">{label}<', page), language
        assert re.search(
            rf'data-version-history="1" data-standing="pending_confirmation">.*?{label}',
            page,
            re.S,
        )
        table = client.get(f"/constituencies/1?lang={language}").text
        assert re.search(rf'data-station="001-0001">.*?{label}', table, re.S), language
    other = client.get("/stations/001-0002?lang=en").text
    assert 'data-status="flagged">Flagged<' in other

    station = client.get("/stations/001-0001.json").json()["data"]["station"]
    assert station["status"] == "pending_confirmation"
    assert [(p["status"], p["standing"], p["counted"]) for p in station["protocols"]] == [
        ("flagged", "pending_confirmation", False)
    ]
    api_view = client.get("/api/v1/stations/001-0001").json()
    assert [v["standing"] for v in api_view["protocol_versions"]] == ["pending_confirmation"]
    versions = list(
        csv.DictReader(
            io.StringIO(client.get("/stations/001-0001/protocols.csv").content.decode("utf-8-sig"))
        )
    )
    assert [row["standing"] for row in versions] == ["pending_confirmation"]
    stations = list(
        csv.DictReader(
            io.StringIO(client.get("/constituencies/1/stations.csv").content.decode("utf-8-sig"))
        )
    )
    statuses = {row["code"]: row["status"] for row in stations}
    assert statuses["001-0001"] == "pending_confirmation"
    assert statuses["001-0002"] == "flagged"
    assert client.get("/overview.json").json()["data"]["national"]["stations_reporting"] == 0

    # A second person confirms: the protocol counts, and the site says so.
    confirmed = client.post(
        f"/api/v1/decisions/{decision_id}/confirmation", headers=second_member(web_api)
    )
    assert confirmed.status_code == 200, confirmed.text
    station = client.get("/stations/001-0001.json").json()["data"]["station"]
    assert station["status"] == "counted"
    assert [p["standing"] for p in station["protocols"]] == ["counted"]
