"""A per-client rate limit for public forms that touch personal data (the voter look-up):
a sliding window of attempts per address, kept in memory."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field


@dataclass
class RateLimit:
    attempts: int = 5
    window_seconds: float = 60.0
    #: addresses remembered at most (the oldest forgotten first), so a flood of addresses
    #: cannot grow memory without bound
    most_clients: int = 100_000
    _seen: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str, *, now: float | None = None) -> bool:
        """Whether this client may try once more now (counting this attempt)."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            if client not in self._seen and len(self._seen) >= self.most_clients:
                self._seen.pop(next(iter(self._seen)))
            attempts = self._seen[client]
            while attempts and attempts[0] <= moment - self.window_seconds:
                attempts.popleft()
            if len(attempts) >= self.attempts:
                return False
            attempts.append(moment)
            return True
