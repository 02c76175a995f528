"""Renderings per results revision, for the site's pages and the API's JSON: one build per
revision however many readers ask, and the newest rendering served while a newer one is built."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from threading import Lock
from typing import Any

from fastapi.concurrency import run_in_threadpool

log = logging.getLogger("tallyroom.web")

#: Pages and renderings kept per revision; older revisions are dropped as soon as one is newer.
CACHE_ENTRIES = 2048


class PageCache:
    """Pages and their renderings for the newest results revision. Concurrent requests for a
    page not yet built wait for one build instead of each building it (a new revision arrives
    with many readers at once); while it is built, the previous revision's rendering may be
    served (`serve`), so readers never queue behind a rebuild."""

    def __init__(self) -> None:
        self._revision: int | None = None
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        #: the newest entry of every key, whatever its revision: served while a newer is built
        self._latest: OrderedDict[Hashable, Any] = OrderedDict()
        self._building: dict[Hashable, Future[Any]] = {}
        #: keys handed to the background builder and not yet finished
        self._scheduled: set[tuple[int, Hashable]] = set()
        #: one background builder: rebuilds of a new revision queue instead of crowding out
        #: the event loop's readers on the one interpreter lock
        self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tallyroom-pages")
        self._lock = Lock()

    def get(self, revision: int, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            if self._revision is not None and revision < self._revision:
                # A request that read an older revision: answer it, keep the cache newer.
                pending = None
            else:
                if revision != self._revision:
                    self._entries = OrderedDict()
                    self._building.clear()
                    self._revision = revision
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key]
                pending = self._building.get(key)
                if pending is not None:
                    waiting = pending
                else:
                    waiting = None
                    pending = self._building[key] = Future()
        if waiting is not None:
            return waiting.result()
        try:
            value = build()
        except BaseException as error:
            if pending is not None:
                pending.set_exception(error)
                self._finish(revision, key, pending, None)
            raise
        if pending is not None:
            pending.set_result(value)
            self._finish(revision, key, pending, value)
        return value

    async def serve(
        self, revision: int, key: Hashable, build: Callable[[], Any], *, background: bool
    ) -> Any:
        """The entry for this revision, answered on the event loop when built. Otherwise,
        with `background`, the newest entry of any revision while this one is built in the
        background; without, that newest entry only while another reader builds this one;
        when there is none, built in a worker thread and waited for."""
        with self._lock:
            if revision == self._revision and key in self._entries:
                return self._entries[key]
            latest = self._latest.get(key)
            being_built = revision == self._revision and key in self._building
        if latest is not None and background:
            self.build_in_background(revision, key, build)
            return latest
        if latest is not None and being_built:
            return latest
        return await run_in_threadpool(self.get, revision, key, build)

    def build_in_background(self, revision: int, key: Hashable, build: Callable[[], Any]) -> None:
        """Build this revision's entry in the background builder unless it is built, being
        built or queued already."""
        with self._lock:
            if revision == self._revision and (key in self._entries or key in self._building):
                return
            if (revision, key) in self._scheduled:
                return
            self._scheduled.add((revision, key))

        def run() -> None:
            try:
                self.get(revision, key, build)
            except Exception:
                log.exception("building %r in the background failed", key)
            finally:
                with self._lock:
                    self._scheduled.discard((revision, key))

        self._builder.submit(run)

    def _finish(self, revision: int, key: Hashable, pending: Future[Any], value: Any) -> None:
        with self._lock:
            if self._building.get(key) is pending:
                del self._building[key]
            if value is not None and revision == self._revision:
                self._entries[key] = value
                while len(self._entries) > CACHE_ENTRIES:
                    self._entries.popitem(last=False)
            if value is not None and (self._revision is None or revision >= self._revision):
                self._latest[key] = value
                self._latest.move_to_end(key)
                while len(self._latest) > CACHE_ENTRIES:
                    self._latest.popitem(last=False)
