"""The parts of `/openapi.json` FastAPI cannot infer from routes that read their own bodies:
request bodies (declared, not parsed, by FastAPI), the bearer scheme, conditional reads."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tallyroom.api.errors import COMMAND_ERRORS, error_responses

COMPONENT = "#/components/schemas/{model}"
BEARER = "bearer"
#: the request bodies declared by `request_body`, added to the components on generation
_REQUEST_MODELS: dict[str, type[BaseModel]] = {}


def request_body(
    model: type[BaseModel], description: str, *, required: bool = True
) -> dict[str, Any]:
    """`openapi_extra` declaring a route's JSON body as `model`, for a route that reads the
    body itself (json_body.py) so its fast path and its error codes stay its own."""
    _REQUEST_MODELS[model.__name__] = model
    return {
        "requestBody": {
            "required": required,
            "description": description,
            "content": {
                "application/json": {"schema": {"$ref": COMPONENT.format(model=model.__name__)}}
            },
        }
    }


def command(
    model: type[BaseModel] | None = None,
    *,
    body: str = "",
    errors: tuple[int, ...] = (),
    body_required: bool = True,
) -> dict[str, Any]:
    """The contract of a command: bearer token, its body if any, and its error answers
    (pass with `responses=` the result of `command_responses`)."""
    extra: dict[str, Any] = {"security": [{BEARER: []}]}
    if model is not None:
        extra |= request_body(model, body, required=body_required)
    return extra


def commission_read(
    model: type[BaseModel], description: str, *errors: int
) -> dict[int | str, dict[str, Any]]:
    """The answers of a read for the commission's staff (bearer token, never cached)."""
    responses: dict[int | str, dict[str, Any]] = {200: {"model": model, "description": description}}
    return responses | error_responses(401, 403, *errors)


def command_responses(
    success: dict[int, tuple[type[BaseModel], str]], *extra_errors: int
) -> dict[int | str, dict[str, Any]]:
    """Success answers (status → model, description) and every error a command may give."""
    responses: dict[int | str, dict[str, Any]] = {
        status: {"model": model, "description": description}
        for status, (model, description) in success.items()
    }
    return responses | error_responses(*COMMAND_ERRORS, *extra_errors)


ETAG_HEADER = {
    "ETag": {
        "description": "send it back in If-None-Match to be answered 304 if nothing changed",
        "schema": {"type": "string"},
    },
    "Access-Control-Allow-Origin": {
        "description": "any site may read the public results",
        "schema": {"type": "string", "const": "*"},
    },
}
#: `openapi_extra` of a public read: If-None-Match in, 304 out
CONDITIONAL_READ: dict[str, Any] = {
    "parameters": [
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "the ETag of what you have; 304 when it is still current",
            "schema": {"type": "string"},
        }
    ],
}


def public_read(
    model: type[BaseModel], description: str, *errors: int
) -> dict[int | str, dict[str, Any]]:
    """The answers of a public read: the document with its ETag, 304, and its errors."""
    responses: dict[int | str, dict[str, Any]] = {
        200: {"model": model, "description": description, "headers": ETAG_HEADER},
        304: {"description": "not modified: what the If-None-Match named is current"},
    }
    return responses | error_responses(*errors)


def install_contract(app: FastAPI) -> None:
    """Complete the generated OpenAPI document with the declared request bodies and the
    bearer scheme."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            components = document.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            _, definitions = models_json_schema(
                [(model, "validation") for model in _REQUEST_MODELS.values()],
                ref_template=COMPONENT,
            )
            schemas.update(definitions.get("$defs", {}))
            components["securitySchemes"] = {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a token issued by `tallyroom credentials issue`: a "
                    "station's, a constituency commission's or the central commission's",
                }
            }
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
