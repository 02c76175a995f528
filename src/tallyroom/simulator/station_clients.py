"""A small, bounded pool of HTTP clients playing the stations and the commission.

Each worker thread owns one connection and one queue; every event of a station goes to the
same worker, so a station's reports and versions arrive in order while stations run in
parallel. Queues are bounded, so a slow server slows the timeline instead of filling memory.
A station that photographs its tally sheet has the photo drawn here, in the worker, its
SHA-256 signed inside the document, and sends it once the version is stored, as the station
app does. Check-ins go with the token of the desk that sends them (simulator/poll_book_desks)."""

from __future__ import annotations

import queue
import threading
import time
import zlib
from collections.abc import Mapping
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tallyroom.domain.signature import load_private_key, sign_document
from tallyroom.service.definition.credentials import IssuedCredentials
from tallyroom.simulator.check_in_timeline import CheckInBatch
from tallyroom.simulator.poll_book_desks import EnrolledDesk
from tallyroom.simulator.simulation_tally import SimulationTally
from tallyroom.simulator.tally_sheet_photo import photographed
from tallyroom.simulator.timeline import (
    Annulment,
    ProtocolSubmission,
    TimelineEvent,
    TurnoutBatch,
)

QUEUE_LENGTH = 256
ATTEMPTS = 6
TIMEOUT_SECONDS = 60.0
#: answers that mean "this was done already": a re-run against the same database
ALREADY_DONE = {"replayed_version", "already_annulled", "already_reported"}
PHOTO_TYPE = "image/jpeg"


class StationClients:
    def __init__(
        self,
        server: str,
        credentials: IssuedCredentials,
        tally: SimulationTally,
        *,
        clients: int = 4,
        desks: Mapping[tuple[str, int], EnrolledDesk] | None = None,
    ) -> None:
        self.server = server.rstrip("/")
        self.credentials = credentials
        self.desks = desks or {}
        self.tally = tally
        self._keys: dict[str, Ed25519PrivateKey] = {}
        self._queues: list[queue.Queue[TimelineEvent | None]] = [
            queue.Queue(QUEUE_LENGTH) for _ in range(max(1, clients))
        ]
        self._threads = [
            threading.Thread(target=self._work, args=(q,), name=f"station-client-{i}", daemon=True)
            for i, q in enumerate(self._queues)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def send(self, event: TimelineEvent) -> None:
        """Queue the event on its station's worker; blocks while that worker is behind."""
        self._queues[zlib.crc32(event.station.encode()) % len(self._queues)].put(event)

    def finish(self, *, discard: bool = False) -> None:
        """Wait until everything queued has been answered, then stop the workers; with
        `discard` (Ctrl-C), what is still queued is dropped and only requests under way end."""
        for q in self._queues:
            while discard:
                try:
                    q.get_nowait()
                except queue.Empty:
                    break
                self.tally.add(events_done=1)
            q.put(None)
        for thread in self._threads:
            thread.join()

    def _key(self, station: str) -> Ed25519PrivateKey:
        key = self._keys.get(station)
        if key is None:
            key = self._keys[station] = load_private_key(self.credentials.stations[station][2])
        return key

    def _work(self, events: queue.Queue[TimelineEvent | None]) -> None:
        with httpx.Client(base_url=self.server, timeout=TIMEOUT_SECONDS) as client:
            while True:
                event = events.get()
                if event is None:
                    return
                try:
                    self._handle(client, event)
                except Exception as error:  # a worker must never die silently mid-night
                    self.tally.refuse(f"{event.station}: {error.__class__.__name__}: {error}")
                finally:
                    self.tally.add(events_done=1)

    def _handle(self, client: httpx.Client, event: TimelineEvent) -> None:
        if isinstance(event, TurnoutBatch):
            answer = self._post(
                client,
                "/api/v1/turnout",
                {
                    "reports": [
                        {"station": code, "as_of": event.as_of, "voters": voters}
                        for code, voters in event.reports
                    ]
                },
                self.credentials.constituency_tokens[event.constituency],
                event.station,
            )
            if answer is not None:
                outcomes = answer.get("reports", [])
                self.tally.add(
                    turnout_reports=len(outcomes),
                    turnout_flagged=sum(1 for o in outcomes if o.get("status") == "flagged"),
                )
        elif isinstance(event, ProtocolSubmission):
            document, photo = event.document, None
            if event.photographed:
                document, photo = photographed(document)
            envelope = {
                "protocol": document,
                "signature": sign_document(document, self._key(event.station)),
            }
            answer = self._post(
                client,
                "/api/v1/protocols",
                envelope,
                self._station_token(event.station),
                event.station,
            )
            if answer is None:
                return
            if photo is not None:
                self._send_photo(client, event.station, int(document["version"]), photo)
            if answer.get("already_stored"):
                self.tally.add(already_stored=1)
            elif answer.get("status") == "flagged":
                self.tally.add(protocols_flagged=1)
            elif answer.get("status") == "accepted":
                amended = int(answer.get("version", 1)) > 1
                self.tally.add(protocols_accepted=1, protocols_amended=int(amended))
        elif isinstance(event, CheckInBatch):
            desk = self.desks.get((event.station, event.desk))
            if desk is None:
                self.tally.refuse(f"{event.station}: desk {event.desk} was not enrolled")
                return
            answer = self._post(
                client,
                "/api/v1/pollbook/check-ins/batch",
                {
                    "check_ins": [
                        {
                            "voter": check_in.voter,
                            "client_reference": check_in.client_reference,
                            "portable": check_in.portable,
                        }
                        for check_in in event.check_ins
                    ]
                },
                desk.token,
                desk.device,
            )
            if answer is not None:
                statuses = [outcome.get("status") for outcome in answer.get("outcomes", [])]
                self.tally.add(
                    check_ins=sum(s in ("recorded", "double_vote") for s in statuses),
                    double_votes=statuses.count("double_vote"),
                )
        elif isinstance(event, Annulment):
            answer = self._post(
                client,
                f"/api/v1/stations/{event.station}/annulment",
                {"reason": event.reason, "confirmed": True},
                self.credentials.commission_token,
                event.station,
            )
            if answer is not None:
                self.tally.add(annulments=1)

    def _send_photo(self, client: httpx.Client, station: str, version: int, photo: bytes) -> None:
        """The photo after its stored version (sent again on a re-run: 200, stored already)."""
        answer = self._request(
            client,
            "PUT",
            f"/api/v1/stations/{station}/protocols/{version}/photo",
            self._station_token(station),
            station,
            content=photo,
            content_type=PHOTO_TYPE,
        )
        if answer is not None:
            self.tally.add(photos_sent=1)

    def _station_token(self, station: str) -> str:
        return self.credentials.stations[station][1]

    def _post(
        self, client: httpx.Client, path: str, body: dict[str, Any], token: str, station: str
    ) -> dict[str, Any] | None:
        return self._request(client, "POST", path, token, station, json=body)

    def _request(
        self,
        client: httpx.Client,
        method: str,
        path: str,
        token: str,
        station: str,
        *,
        json: dict[str, Any] | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> dict[str, Any] | None:
        """The answer, None if refused or done before. Connection failures and 5xx are retried
        with backoff: every request here is idempotent (same body, same outcome)."""
        headers = {"Authorization": f"Bearer {token}"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        for attempt in range(ATTEMPTS):
            try:
                response = client.request(method, path, json=json, content=content, headers=headers)
            except httpx.TransportError as error:
                failure = f"{error.__class__.__name__}: {error}"
            else:
                if response.status_code < 400:
                    answer: dict[str, Any] = response.json()
                    return answer
                if response.status_code < 500:
                    self._refused(response, station)
                    return None
                failure = f"{response.status_code}: {response.text[:200]}"
            if attempt + 1 == ATTEMPTS:
                self.tally.refuse(f"{station}: {path}: gave up: {failure}")
                return None
            self.tally.add(retries=1)
            time.sleep(0.2 * 2**attempt)
        return None

    def _refused(self, response: httpx.Response, station: str) -> None:
        try:
            error = response.json()["error"]
            code, message = str(error["code"]), str(error["message"])
        except (ValueError, KeyError, TypeError):
            code, message = str(response.status_code), response.text[:200]
        if code in ALREADY_DONE:
            self.tally.add(already_stored=1)
            return
        self.tally.refuse(f"{station}: {response.status_code} {code}: {message}")
