"""A tallyroom server of the simulator's own: uvicorn in a background thread on a free
loopback port, against the configured database."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tallyroom.api.app import create_app
from tallyroom.api.stopping_server import STOP_SECONDS, StoppingServer
from tallyroom.domain.election_clock import ElectionClock

STARTUP_SECONDS = 60.0


class LocalServer:
    """Use as a context manager; `url` is valid inside it. `keep_serving()` blocks until
    Ctrl-C instead of stopping at the end of the block. It runs a drill: by default one
    standing at the close of voting (every reporting hour has come), or the simulator's."""

    def __init__(
        self, database_url: str, host: str = "127.0.0.1", *, clock: ElectionClock | None = None
    ) -> None:
        self.host = host
        # Bound here, handed to uvicorn: no other process can take the port in between.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        self.port: int = self._socket.getsockname()[1]
        self._app = create_app(database_url, clock=clock or ElectionClock.drill(speed=0))
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            timeout_graceful_shutdown=STOP_SECONDS,
        )
        self._server = StoppingServer(config, self._app.state.runtime.stopping)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="tallyroom-server",
            daemon=True,
        )

    def use_commission_key(self, key: Ed25519PrivateKey) -> None:
        """The commission's key, for certifications (`serve --tree-head-key` gives it)."""
        self._app.state.runtime.tree_head_key = key

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        # Started here, from the main thread, the intake process inherits its indifference
        # to Ctrl-C (the server, not the terminal, stops it); else the first protocol would.
        self._app.state.runtime.start()
        self._thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on {self.url} did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self._socket.close()
        self._app.state.runtime.close()

    def keep_serving(self) -> None:
        try:
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        except KeyboardInterrupt:
            logging.getLogger("tallyroom.simulator").info("stopping the server")

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()
