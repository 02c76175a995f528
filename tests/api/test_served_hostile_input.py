"""Hostile bodies against a real served process (`tallyroom serve`): every one is answered
quickly with a 4xx, and SIGTERM afterwards still stops the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.test_crash_safety import free_port


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    tallyroom = Path(sys.executable).parent / "tallyroom"
    process = subprocess.Popen(
        [str(tallyroom), "serve", "--port", str(port)],
        env={**os.environ, "TALLYROOM_DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{base}/api/v1/audit/head", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("server did not start") from None
            time.sleep(0.1)
    try:
        yield base, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def deep(levels: int) -> bytes:
    return b'{"protocol": ' + b"[" * levels + b"]" * levels + b', "signature": "00"}'


def test_deep_body_is_answered_and_sigterm_still_stops(
    served: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = served
    for levels in (600, 5000, 30000):
        started = time.monotonic()
        response = httpx.post(
            f"{base}/api/v1/protocols",
            content=deep(levels),
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert time.monotonic() - started < 2
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "too_deep"
    oversized = httpx.post(f"{base}/api/v1/protocols", content=b" " * (65 * 1024), timeout=10)
    assert oversized.status_code == 413
    assert oversized.json()["error"]["code"] == "body_too_large"
    assert "server" not in httpx.get(f"{base}/api/v1/audit/head").headers
    # Answered by the intake process (no token: 401), so it is up before the stop is timed.
    unsigned = httpx.post(
        f"{base}/api/v1/protocols", json={"protocol": {}, "signature": "00"}, timeout=60
    )
    assert unsigned.status_code == 401
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=5)
