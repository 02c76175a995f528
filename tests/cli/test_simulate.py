"""`tallyroom simulate --keep-serving` (make demo): the site's address comes before polling day
opens, the site says DRILL, and Ctrl-C ends it all within two seconds without a traceback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

COMMAND = [sys.executable, "-c", "from tallyroom.cli.app import main; main()"]
ADDRESS = re.compile(r"the site is at (http://127\.0\.0\.1:\d+)/")


def _default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_demo_prints_its_address_before_polling_day_and_stops_on_ctrl_c(
    database_url: str,
) -> None:
    process = subprocess.Popen(
        [*COMMAND, "simulate", "az-2024", "--speed", "1200", "--keep-serving"],
        env={**os.environ, "TALLYROOM_DATABASE_URL": database_url, "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # Ctrl-C as from a terminal: a runner started in the background (`cmd &` without job
        # control) ignores SIGINT, and a child inherits that, so the signal would never arrive
        preexec_fn=_default_interrupt,
    )
    output, problems = process.stdout, process.stderr
    assert output is not None
    assert problems is not None
    errors: list[str] = []
    threading.Thread(target=lambda: errors.extend(problems), daemon=True).start()
    try:
        first = output.readline()  # loading the scenario can take a minute
        found = ADDRESS.search(first)
        assert found, first
        assert "polling day opens in" in first
        page = httpx.get(f"{found.group(1)}/", timeout=30)
        assert page.headers["x-tallyroom-clock"] == "drill"
        assert 'class="drill-banner"' in page.text
        time.sleep(6)  # into polling day: turnout reports on their way
    finally:
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        seconds = time.monotonic() - started
    time.sleep(0.2)
    stderr = "".join(errors)
    assert "Traceback" not in stderr, stderr
    assert "interrupted at" in stderr
    assert seconds < 2.0, stderr
