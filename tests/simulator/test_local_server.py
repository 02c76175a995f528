"""The simulator's own server runs a drill and stops within two seconds, even while a reader
keeps the live page open (make demo's Ctrl-C)."""

from __future__ import annotations

import threading
import time

import httpx
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.simulator.local_server import LocalServer


def test_stops_within_two_seconds_with_a_live_page_open(
    loaded_election: sessionmaker[Session], database_url: str
) -> None:
    server = LocalServer(database_url)
    server.start()
    try:
        page = httpx.get(f"{server.url}/", timeout=30)
        assert page.headers["x-tallyroom-clock"] == "drill"
        streaming = threading.Event()

        def listen() -> None:
            try:
                with httpx.stream("GET", f"{server.url}/events", timeout=30) as stream:
                    for _ in stream.iter_bytes():
                        streaming.set()
            except httpx.HTTPError:
                pass

        threading.Thread(target=listen, daemon=True).start()
        assert streaming.wait(timeout=30)
    finally:
        started = time.monotonic()
        server.stop()
        seconds = time.monotonic() - started
    assert seconds < 2.0
