"""`/docs`: Swagger UI served from the package (its assets come with `fastapi-offline`), so
the API's documentation works with no network, and bootstrapped by a served script, not an
inline one, so a strict Content-Security-Policy holds on it too."""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from tallyroom.service.errors import NotFound

SWAGGER_UI = Path(fastapi_offline.__file__).parent / "static"
OWN = Path(__file__).parent / "docs_static"
#: name → (file, media type); read once, answered from memory
ASSETS = {
    "swagger-ui-bundle.js": (SWAGGER_UI / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (SWAGGER_UI / "swagger-ui.css", "text/css"),
    "favicon.png": (SWAGGER_UI / "favicon.png", "image/png"),
    "swagger-initializer.js": (OWN / "swagger-initializer.js", "text/javascript"),
}
ASSETS_PATH = "/docs/assets"


def docs_page(title: str, openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} API</title>
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_PATH}/swagger-initializer.js"></script>
</body>
</html>
"""


def docs_router(title: str, openapi_url: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    page = docs_page(title, openapi_url)
    assets = {name: (path.read_bytes(), media) for name, (path, media) in ASSETS.items()}

    @router.get("/docs")
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @router.get(ASSETS_PATH + "/{name}")
    async def asset(name: str) -> Response:
        found = assets.get(name)
        if found is None:
            raise NotFound("not_found", f"there is no {name!r}")
        body, media = found
        return Response(body, media_type=media, headers={"Cache-Control": "public, max-age=86400"})

    return router
