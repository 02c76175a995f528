"""The reference for bench/ingest.py: a bare FastAPI JSON echo under the same server settings."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request


def create_echo_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> Any:
        return await request.json()

    return app
