"""uvicorn's server, telling the app the moment it begins to stop (Ctrl-C, SIGTERM), so that
open live-update streams end and the graceful stop takes well under two seconds."""

from __future__ import annotations

import threading
from types import FrameType

import uvicorn

#: seconds a stopping server gives open connections before closing them
STOP_SECONDS = 1


class StoppingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, stopping: threading.Event) -> None:
        super().__init__(config)
        self.stopping = stopping

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.stopping.set()
        super().handle_exit(sig, frame)

    def stop(self) -> None:
        """Stop from another thread (a server run in a thread gets no signal)."""
        self.stopping.set()
        self.should_exit = True
