"""How many complaints one address may file per minute: public forms take no token and no
CSRF token, so a limit per address (in this process) keeps a script from flooding them."""

from __future__ import annotations

import threading
import time

from tallyroom.service.errors import ServiceError

#: complaints one address may file per minute
FILINGS_PER_MINUTE = 10
#: addresses remembered at most; a flood of addresses is forgotten rather than grown
REMEMBERED_ADDRESSES = 10_000


class TooManyRequests(ServiceError):
    status = 429


class FilingRateLimit:
    """Filings per client address in the last minute."""

    def __init__(self, per_minute: int = FILINGS_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._recent: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def admit(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._recent) > REMEMBERED_ADDRESSES:
                self._recent.clear()
            recent = [t for t in self._recent.get(client, []) if now - t < 60]
            if len(recent) >= self.per_minute:
                raise TooManyRequests(
                    "too_many_filings", "too many complaints from here; wait a minute"
                )
            recent.append(now)
            self._recent[client] = recent


def filing_limit_of(app_state: object) -> FilingRateLimit:
    """The app's own limiter, shared by the API and the web form (one per app, so that two
    apps in one process do not share it)."""
    limit: FilingRateLimit | None = getattr(app_state, "complaint_filing_limit", None)
    if limit is None:
        limit = FilingRateLimit()
        setattr(app_state, "complaint_filing_limit", limit)  # noqa: B010 - starlette State
    return limit
