"""Server-sent events: one event whenever the results revision changes. All listeners share
one revision check at a time, so a million open pages cost one query per interval."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable

from fastapi.concurrency import run_in_threadpool

from tallyroom.service.errors import InvalidInput
from tallyroom.web.results_source import Revision

#: How often the revision is looked at, and the reconnection delay the browser is told.
CHECK_INTERVAL = 0.5
RETRY_MILLISECONDS = 2000
KEEPALIVE_SECONDS = 15.0
#: revisions are counted, never near 10^18
MAXIMUM_EVENT_ID_DIGITS = 18


class RevisionWatch:
    def __init__(self, read: Callable[[], Revision], *, interval: float = CHECK_INTERVAL) -> None:
        self.read = read
        self.interval = interval
        self._last: Revision | None = None
        self._checked_at = 0.0
        self._lock = asyncio.Lock()

    async def current(self) -> Revision:
        async with self._lock:
            now = time.monotonic()
            if self._last is None or now - self._checked_at >= self.interval:
                self._last = await run_in_threadpool(self.read)
                self._checked_at = now
            return self._last


def last_event_id(header: str | None) -> int | None:
    """The revision a reconnecting browser saw last: the `id` of an event we sent, so a
    number; anything else (`²` passes str.isdigit) is refused rather than guessed at."""
    if not header:
        return None
    if not (header.isascii() and header.isdigit() and len(header) <= MAXIMUM_EVENT_ID_DIGITS):
        raise InvalidInput(
            "invalid_last_event_id", "Last-Event-ID must be the id of an event this site sent"
        )
    return int(header)


def revision_event(revision: Revision) -> str:
    data = json.dumps({"revision": revision.number, "changed_at": revision.changed_at.isoformat()})
    return f"event: revision\nid: {revision.number}\ndata: {data}\n\n"


async def revision_events(
    watch: RevisionWatch,
    *,
    since: int | None,
    lifetime: float,
    stopping: threading.Event | None = None,
) -> AsyncIterator[str]:
    """The current revision at once, then each new one; ends after `lifetime` seconds (the
    browser reconnects by itself), which keeps proxies and idle servers tidy, or as soon as
    the server is `stopping` (a stream left open would hold its graceful stop)."""
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    started = last_sent_at = time.monotonic()
    sent = since
    while time.monotonic() - started < lifetime and not (stopping and stopping.is_set()):
        revision = await watch.current()
        if revision.number != sent:
            sent = revision.number
            last_sent_at = time.monotonic()
            yield revision_event(revision)
        elif time.monotonic() - last_sent_at >= KEEPALIVE_SECONDS:
            last_sent_at = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(watch.interval)
