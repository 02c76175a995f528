"""Conditional reads: every public read carries an ETag and answers 304 when the client's
If-None-Match names it, so pollers (media, mirrors, the site's live page) pay nothing while
nothing changed."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response

#: a second: the results change by the second on polling night
CACHE_CONTROL = "public, max-age=1"


def body_etag(body: bytes) -> str:
    """A strong ETag of exactly these bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names this ETag (`*`, or a list; weak comparison, RFC 9110
    13.1.2: W/ is ignored)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(candidate) == wanted for candidate in if_none_match.split(","))


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def json_read(
    request: Request, body: bytes, *, etag: str | None = None, last_modified: str | None = None
) -> Response:
    """The JSON body with its ETag (of the bytes unless given), or 304 when it is current."""
    headers = {"ETag": etag or body_etag(body), "Cache-Control": CACHE_CONTROL}
    if last_modified is not None:
        headers["Last-Modified"] = last_modified
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
