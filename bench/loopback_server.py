"""Starting a uvicorn server on a free loopback port for benchmarks, and latency arithmetic."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(factory: str, port: int, database_url: str) -> subprocess.Popen[bytes]:
    """uvicorn with one worker; the same settings for the service and any reference app."""
    environment = {
        **os.environ,
        "TALLYROOM_DATABASE_URL": database_url,
        # The reference app beside this file, and the tallyroom of this checkout: without
        # src/ first the server would import the shared virtualenv's editable install (the
        # main checkout), whichever branch or worktree the benchmark was started from.
        "PYTHONPATH": os.pathsep.join(
            (str(Path(__file__).parent), str(Path(__file__).parent.parent / "src"))
        ),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=environment,
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{factory} did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0
