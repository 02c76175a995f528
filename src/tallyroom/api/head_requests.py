"""HEAD answered wherever GET is: the GET response's status and headers, without its body."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _Answered(Exception):
    """Raised into a streaming response once its headers are sent, to stop it early."""


class HeadAsGet:
    """ASGI middleware: a HEAD request is routed as GET and only the headers go out, so every
    GET route (the site, its JSON and CSV, the API, the event stream) answers HEAD alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        answered = False

        async def headers_only(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body":
                if not answered:
                    answered = True
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                if message.get("more_body", False):
                    # A stream (the live events) would run for minutes with no one to read it.
                    raise _Answered

        try:
            await self.app({**scope, "method": "GET"}, receive, headers_only)
        except _Answered:
            pass
        except BaseExceptionGroup as group:
            rest = group.subgroup(lambda error: not isinstance(error, _Answered))
            if rest is not None:
                raise rest from None
