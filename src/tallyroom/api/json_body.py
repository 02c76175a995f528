"""Reading a request's JSON body strictly: size-limited, and malformed JSON is a 400."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from tallyroom.api.runtime import limited_body
from tallyroom.service.errors import ServiceError


class MalformedJson(ServiceError):
    status = 400


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def json_object(request: Request) -> dict[str, Any]:
    body = await limited_body(request)
    try:
        value = json.loads(body, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedJson("malformed_json", f"the body is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise MalformedJson("malformed_json", "the body must be a JSON object")
    return value
