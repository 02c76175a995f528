"""Read-only CORS for the public reads: any site may GET them (no credentials), no site may
call a command from a browser (its preflight gets no CORS answer, so the browser refuses)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

READ_METHODS = "GET, HEAD, OPTIONS"
#: the request headers a reader may send: conditional reads
ALLOWED_HEADERS = "If-None-Match, If-Modified-Since"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    # ETag is not a CORS-safelisted response header: a reader's script needs it to poll.
    "Access-Control-Expose-Headers": "ETag",
}
PREFLIGHT_SECONDS = "86400"


def public_read_paths(routes: Iterable[BaseRoute]) -> list[re.Pattern[str]]:
    """The paths of these routes that answer GET."""
    return [
        route.path_regex
        for route in routes
        if isinstance(route, Route) and route.methods and "GET" in route.methods
    ]


def _asks_to_read(scope: Scope) -> bool:
    """Whether an OPTIONS request is a preflight for a read (or no preflight at all): one
    for a POST to a path that also reads (/api/v1/turnout) gets no CORS answer."""
    for name, value in scope["headers"]:
        if name == b"access-control-request-method":
            return value.strip().upper() in (b"GET", b"HEAD")
    return True


class PublicReadCors:
    """ASGI middleware: CORS headers on GET and HEAD of the public read paths, and the
    answer to their preflight (OPTIONS); every other path and method passes untouched."""

    def __init__(self, app: ASGIApp, *, public_paths: list[re.Pattern[str]]) -> None:
        self.app = app
        self.public_paths = public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._public(scope["path"]):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS" and _asks_to_read(scope):
            await self._preflight(send)
            return
        if method not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in CORS_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def _public(self, path: str) -> bool:
        return any(pattern.match(path) for pattern in self.public_paths)

    async def _preflight(self, send: Send) -> None:
        headers = {
            **CORS_HEADERS,
            "Access-Control-Allow-Methods": READ_METHODS,
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_SECONDS,
            "Allow": READ_METHODS,
        }
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (name.lower().encode(), value.encode()) for name, value in headers.items()
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})
