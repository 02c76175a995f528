"""Reading a request's JSON body strictly: size- and depth-limited, valid Unicode, and
malformed JSON is a 400 — checked before anything reaches the protocol intake."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from tallyroom.api.runtime import MAXIMUM_BODY_BYTES, limited_body
from tallyroom.service.errors import InvalidInput, ServiceError

#: A protocol envelope is four levels deep (envelope, protocol, figures, votes); anything far
#: deeper is an attack, and past ~1,000 levels pickling it for the intake process fails.
MAXIMUM_DEPTH = 16


class MalformedJson(ServiceError):
    status = 400


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def json_object(
    request: Request, limit: int = MAXIMUM_BODY_BYTES, *, nul_allowed: bool = True
) -> dict[str, Any]:
    """The body's JSON object; with `nul_allowed=False` a NUL character in any string is
    refused (PostgreSQL stores none in text, and nothing a person types holds one)."""
    body = await limited_body(request, limit)
    try:
        value = json.loads(body, parse_constant=_no_constants)
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedJson("malformed_json", f"the body is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise MalformedJson("malformed_json", "the body must be a JSON object")
    _check_depth_and_text(value, nul_allowed=nul_allowed)
    return value


async def optional_json_object(request: Request) -> dict[str, Any]:
    """The body's JSON object, or {} when the request has no body at all (a command whose
    body is optional)."""
    empty = request.headers.get("content-length", "0") == "0" and (
        "transfer-encoding" not in request.headers
    )
    return {} if empty else await json_object(request)


def _too_deep() -> MalformedJson:
    return MalformedJson("too_deep", f"the body is nested more than {MAXIMUM_DEPTH} levels deep")


def _check_depth_and_text(value: dict[str, Any], *, nul_allowed: bool = True) -> None:
    """Refuses nesting past MAXIMUM_DEPTH and strings that are not Unicode text (a lone
    UTF-16 surrogate such as "\\ud800" parses, but can be neither stored nor encoded)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        elif isinstance(item, str):
            _check_text(item)
            if not nul_allowed and "\x00" in item:
                raise InvalidInput("nul_character", "the body holds a NUL character")
            continue
        else:
            continue
        if depth > MAXIMUM_DEPTH:
            raise _too_deep()
        pending.extend((child, depth + 1) for child in children)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedJson(
            "malformed_json", "the body holds a string that is not Unicode text (a lone surrogate)"
        ) from None
