"""`tallyroom serve` and the command itself: a version, a clock named at start, and Ctrl-C
that stops the server within two seconds without a traceback, even with a live page open."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom import __version__
from tallyroom.cli.app import app

COMMAND = [sys.executable, "-c", "from tallyroom.cli.app import main; main()"]


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tallyroom {__version__}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(database_url: str, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", str(port), *options],
        env={**os.environ, "TALLYROOM_DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # its own process group, as a terminal's foreground job: Ctrl-C reaches every process
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/api/v1/progress", timeout=1).raise_for_status()
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError(f"the server did not start: {process.communicate()[1].decode()}")


def interrupt(process: subprocess.Popen[bytes]) -> tuple[float, str, str]:
    """Ctrl-C as a terminal sends it (to the whole group); seconds to exit, stdout, stderr."""
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
    return time.monotonic() - started, stdout.decode(), stderr.decode()


def listen(url: str) -> threading.Thread:
    """A reader with the live page open: a server-sent events stream that never ends."""

    def read() -> None:
        try:
            with httpx.stream("GET", f"{url}/events", timeout=30) as stream:
                for _ in stream.iter_bytes():
                    pass
        except httpx.HTTPError:
            pass

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("live_page_open", [False, True], ids=["idle", "live-page-open"])
def test_ctrl_c_stops_serve_within_two_seconds_without_a_traceback(
    loaded_election: sessionmaker[Session], database_url: str, live_page_open: bool
) -> None:
    process, url = serve(database_url)
    assert httpx.get(f"{url}/").headers["x-tallyroom-clock"] == "real"
    if live_page_open:
        listen(url)
        time.sleep(1.0)
    seconds, stdout, stderr = interrupt(process)
    assert "Traceback" not in stderr, stderr
    assert "clock: real time" in stdout
    assert seconds < 2.0, (seconds, stderr)


def test_serve_with_drill_says_drill(
    loaded_election: sessionmaker[Session], database_url: str
) -> None:
    process, url = serve(database_url, "--drill", "--drill-starts", "09:30")
    try:
        page = httpx.get(f"{url}/")
        assert page.headers["x-tallyroom-clock"] == "drill"
        assert 'class="drill-banner"' in page.text
    finally:
        _seconds, stdout, stderr = interrupt(process)
    assert "clock: drill" in stdout
    assert "Traceback" not in stderr, stderr
