"""The simulator's stations photograph their tally sheet: a plain JPEG the server's photo check
takes as it is, its SHA-256 signed in the document, sent after the version is stored, so the
public station page and the commission's queue show it; the timeline's sample of stations."""

from __future__ import annotations

import hashlib
import io
from datetime import time

import httpx
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.uploaded_file import checked_signed_photo
from tallyroom.scenarios.az_2024 import build_definition
from tallyroom.scenarios.polling_day import build_polling_day_plan
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.simulator.simulation_tally import SimulationTally
from tallyroom.simulator.station_clients import StationClients
from tallyroom.simulator.tally_sheet_photo import (
    PAGE_SIZE,
    PAPER,
    photographed,
    tally_sheet_photo,
)
from tallyroom.simulator.timeline import ProtocolSubmission, Until, polling_day_timeline
from tests.commission_console import flagged_protocol
from tests.station_client import protocol
from tests.web.live_server import serving, site_app


def _format_2(document: dict[str, object]) -> dict[str, object]:
    return document | {"format": 2, "contest": "constituency-1", "photo_sha256": None}


def test_the_photo_is_a_plain_jpeg_of_this_documents_figures() -> None:
    document = _format_2(protocol())
    photo = tally_sheet_photo(document)
    checked = checked_signed_photo(photo, declared_type="image/jpeg")
    assert (checked.width, checked.height) == PAGE_SIZE
    assert checked.content == photo
    with Image.open(io.BytesIO(photo)) as image:
        assert not image.info.get("exif")
        assert not image.info.get("icc_profile")
        corner = image.convert("RGB").getpixel((2, 2))
        assert isinstance(corner, tuple)
        assert all(abs(a - b) <= 6 for a, b in zip(corner, PAPER, strict=True))
    # The same document, the same bytes (a re-run sends what the server holds); other figures
    # or another version, another photo.
    assert tally_sheet_photo(document) == photo
    assert tally_sheet_photo(_format_2(flagged_protocol())) != photo
    assert tally_sheet_photo(document | {"version": 2}) != photo
    named, same = photographed(document)
    assert same == photo
    assert named == document | {"photo_sha256": hashlib.sha256(photo).hexdigest()}


def test_a_sample_of_stations_photograph_every_version_they_send() -> None:
    plan = build_polling_day_plan(build_definition(2024), 2024)
    events = polling_day_timeline(
        plan, election="az", closes=time(19), until=Until.END, seed=2024, photo_percent=5.0
    )
    protocols = [event for event in events if isinstance(event, ProtocolSubmission)]
    stations = {event.station for event in protocols}
    taking = {event.station for event in protocols if event.photographed}
    assert 0.04 * len(stations) < len(taking) < 0.06 * len(stations)
    # every version of a photographing station, its wrong first version too
    assert all(event.photographed == (event.station in taking) for event in protocols)
    again = polling_day_timeline(
        plan, election="az", closes=time(19), until=Until.END, seed=2024, photo_percent=5.0
    )
    assert [e for e in again if isinstance(e, ProtocolSubmission) and e.photographed] == [
        e for e in protocols if e.photographed
    ]
    none = polling_day_timeline(plan, election="az", closes=time(19), until=Until.END, seed=2024)
    assert not any(isinstance(e, ProtocolSubmission) and e.photographed for e in none)


def test_the_photo_follows_its_version_to_the_station_page_and_the_queue(
    loaded_election: sessionmaker[Session], database_url: str, credentials: IssuedCredentials
) -> None:
    tally = SimulationTally()
    with serving(site_app(database_url)) as url:
        clients = StationClients(url, credentials, tally, clients=2)
        clients.start()
        for document in (_format_2(flagged_protocol()), _format_2(protocol("001-0002"))):
            clients.send(
                ProtocolSubmission(
                    minute=0, station=str(document["station"]), document=document, photographed=True
                )
            )
        clients.finish()
        counts = tally.snapshot()
        assert counts.refusals == ()
        assert counts.protocols_flagged + counts.protocols_accepted == 2
        assert counts.photos_sent == 2

        digest = hashlib.sha256(tally_sheet_photo(_format_2(protocol("001-0002")))).hexdigest()
        photo = httpx.get(f"{url}/api/v1/photos/{digest}.jpg")
        assert photo.status_code == 200
        assert hashlib.sha256(photo.content).hexdigest() == digest
        page = httpx.get(f"{url}/stations/001-0002?lang=en").text
        assert 'data-photo="stored"' in page
        assert f"/api/v1/photos/{digest}.jpg" in page

        items = httpx.get(
            f"{url}/api/v1/queue/flagged",
            headers={"Authorization": f"Bearer {credentials.commission_token}"},
        ).json()["items"]
        item = next(item for item in items if item["station"] == "001-0001")
        assert item["photo_stored"] is True
        assert item["photo_sha256"] != digest

        # A re-run sends the same photo again: stored already, nothing refused.
        again = SimulationTally()
        clients = StationClients(url, credentials, again, clients=1)
        clients.start()
        clients.send(
            ProtocolSubmission(
                minute=0,
                station="001-0002",
                document=_format_2(protocol("001-0002")),
                photographed=True,
            )
        )
        clients.finish()
        assert again.snapshot().refusals == ()
        assert again.snapshot().photos_sent == 1
