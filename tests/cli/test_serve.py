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
from pathlib import Path

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


def _drill_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed P-256 certificate for 127.0.0.1, as docs/station-app.md makes one."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tallyroom drill")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "drill.crt", folder / "drill.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_serve_over_tls_for_the_station_app(
    loaded_election: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    cert, key = _drill_certificate(tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", str(port), "--tls-cert", str(cert), "--tls-key", str(key)],
        env={**os.environ, "TALLYROOM_DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        page = None
        while time.monotonic() < deadline and page is None:
            try:
                page = httpx.get(f"https://127.0.0.1:{port}/station/", verify=str(cert), timeout=1)
            except httpx.HTTPError:
                time.sleep(0.1)
        assert page is not None
        assert page.status_code == 200
        assert 'id="enrol"' in page.text
    finally:
        _seconds, stdout, stderr = interrupt(process)
    assert f"serving on https://127.0.0.1:{port}" in stdout
    assert "Traceback" not in stderr, stderr


def test_serve_wants_certificate_and_key_together(database_url: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [*COMMAND, "serve", "--tls-cert", str(tmp_path / "x.crt")],
        capture_output=True,
        env={**os.environ, "TALLYROOM_DATABASE_URL": database_url},
        check=False,
    )
    assert result.returncode != 0
    assert b"--tls-cert and --tls-key together" in result.stderr
