"""`X-Tallyroom-Clock` on every response: `real`, or `drill` when the server plays a drill."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tallyroom.domain.election_clock import ElectionClock

HEADER = b"x-tallyroom-clock"


class ClockHeader:
    """Plain ASGI (no per-request task or body buffering): it only adds a header."""

    def __init__(self, app: ASGIApp, *, clock: ElectionClock) -> None:
        self.app = app
        self.value = clock.kind.value.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_clock(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, self.value)]
            await send(message)

        await self.app(scope, receive, send_with_clock)
