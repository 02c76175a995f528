"""The commission in the simulator, over the API like the console: a desk watching the live
flagged queue that decides each flagged protocol as it arrives (accepted, with a reason), and
at the end of the night every constituency certified (with a reason where too close to call)
and the nation."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

#: why the demo's commission accepts a flagged protocol
ACCEPTANCE_REASON = "figures checked against the station's paper protocol and its tally sheet"
#: why it certifies a contest too close to call
TOO_CLOSE_REASON = "margin under the threshold: the count was checked again under observation"
TIMEOUT_SECONDS = 60.0
#: a live queue stream lasts this long before the desk opens the next (and sees a stop)
STREAM_SECONDS = 2


class CommissionDesk:
    """A thread deciding flagged protocols as the live queue announces them."""

    def __init__(self, server: str, token: str) -> None:
        self.server = server
        self.token = token
        #: "station vN" accepted
        self.accepted: list[str] = []
        #: flagged versions the station amended before the desk could decide them
        self.amended_first: list[str] = []
        self.problems: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="commission desk", daemon=True)

    def __enter__(self) -> CommissionDesk:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=STREAM_SECONDS + TIMEOUT_SECONDS)

    def _watch(self) -> None:
        with httpx.Client(
            base_url=self.server,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=TIMEOUT_SECONDS,
        ) as client:
            while not self._stop.is_set():
                try:
                    self._stream(client)
                except httpx.HTTPError as error:
                    self.problems.append(f"the live queue: {error}")
                    self._stop.wait(1.0)

    def _stream(self, client: httpx.Client) -> None:
        path = f"/api/v1/queue/flagged/events?lifetime={STREAM_SECONDS}"
        with client.stream("GET", path) as stream:
            event = ""
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event == "item":
                    item = json.loads(line.removeprefix("data: "))
                    if item["status"] == "flagged" and item["version"] is not None:
                        self._accept(client, item["station"], int(item["version"]))

    def _accept(self, client: httpx.Client, station: str, version: int) -> None:
        label = f"{station} v{version}"
        if label in self.accepted or label in self.amended_first:
            return
        response = client.post(
            f"/api/v1/stations/{station}/protocols/{version}/decision",
            json={"decision": "accept", "reason": ACCEPTANCE_REASON},
        )
        if response.status_code == 409 and _code(response) in ("superseded", "not_flagged"):
            self.amended_first.append(label)
        elif response.is_error:
            self.problems.append(f"{label}: {response.status_code} {response.text[:200]}")
        else:
            self.accepted.append(label)


class CommissionRefused(RuntimeError):
    """The server refused a decision or a certification the night needed."""


@dataclass
class CommissionNight:
    accepted: list[str] = field(default_factory=list)
    certified: list[int] = field(default_factory=list)
    certified_with_reason: list[int] = field(default_factory=list)
    nation_certified: bool = False


def decide_and_certify(server: str, token: str) -> CommissionNight:
    """Decide the flagged queue, certify every constituency, then the nation."""
    night = CommissionNight()
    with httpx.Client(
        base_url=server,
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT_SECONDS,
    ) as client:
        for item in _answer(client.get("/api/v1/queue/flagged"))["items"]:
            if item["status"] != "flagged" or item["version"] is None:
                continue
            _answer(
                client.post(
                    f"/api/v1/stations/{item['station']}/protocols/{item['version']}/decision",
                    json={"decision": "accept", "reason": ACCEPTANCE_REASON},
                )
            )
            night.accepted.append(f"{item['station']} v{item['version']}")
        numbers = [
            int(c["number"])
            for c in _answer(client.get("/api/v1/results"))["constituencies"]
            if not c["certified"]
        ]
        for number in numbers:
            path = f"/api/v1/constituencies/{number}/certification"
            response = client.post(path)
            if _code(response) == "too_close_reason_required":
                response = client.post(path, json={"reason": TOO_CLOSE_REASON})
                night.certified_with_reason.append(number)
            _answer(response)
            night.certified.append(number)
        _answer(client.post("/api/v1/certification"))
        night.nation_certified = True
        # A served site rebuilds its results picture in the background: wait until it
        # says final, as a reader of the site will see it.
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while _answer(client.get("/api/v1/results/summary"))["status"] != "final":
            if time.monotonic() > deadline:
                raise CommissionRefused("the site did not turn final after the certification")
            time.sleep(0.25)
    return night


def _code(response: httpx.Response) -> str | None:
    if not response.is_error:
        return None
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


def _answer(response: httpx.Response) -> Any:
    if response.is_error:
        try:
            error = response.json()["error"]
            message = f"{error['code']}: {error['message']}"
        except (ValueError, KeyError, TypeError):
            message = response.text[:300]
        raise CommissionRefused(f"{response.request.method} {response.request.url.path}: {message}")
    return response.json()
