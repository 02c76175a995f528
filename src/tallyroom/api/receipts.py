"""A protocol receipt as a QR code: the station posts its protocol's SHA-256 on its door,
as text and as this picture, so anyone can check the published protocol is the one signed."""

from __future__ import annotations

import io
import re

import segno
from fastapi import APIRouter
from fastapi.responses import Response

from tallyroom.api.errors import error_responses
from tallyroom.service.errors import InvalidInput

router = APIRouter(prefix="/api/v1", tags=["public"])
_SHA256 = re.compile(r"[0-9a-f]{64}")


@router.get(
    "/receipts/{sha256}.svg",
    summary="A QR code of a protocol's SHA-256 (the station's receipt)",
    responses={
        200: {"content": {"image/svg+xml": {}}, "description": "the QR code"},
        **error_responses(422),
    },
    response_class=Response,
)
def get_receipt(sha256: str) -> Response:
    if not _SHA256.fullmatch(sha256):
        raise InvalidInput("invalid_sha256", "a receipt is 64 lower-case hex digits")
    picture = io.BytesIO()
    # The hash itself, upper-cased so the QR code takes its compact alphanumeric mode.
    segno.make(sha256.upper(), error="m").save(
        picture, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title=sha256
    )
    return Response(
        picture.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
