"""Making the OpenAPI schema true to the responses.

* ``document_errors`` (a drf-spectacular post-processing hook): every operation may answer with
  the error format of API.md, ``{"detail": …, "errors": {field: [messages]}}``, under the statuses
  the error handler uses; the schema says so, once, for all of them.

An app whose plain ``APIView``s drf-spectacular cannot introspect describes them with view
extensions of its own (``disclosure/schema.py``), loaded in its ``ready``.
"""
from __future__ import annotations

from typing import Any

ERROR_STATUSES = {
    "400": "Bad input (the fields are named in errors)",
    "401": "Not signed in",
    "403": "Signed in, but not allowed",
    "404": "Not found, or not visible to the caller",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "409": "Conflicts with the current state (e.g. a stale version)",
    "413": "The request body is too large",
    "415": "Unsupported media type",
    "429": "Too many requests from this address",
}

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail", "errors"],
}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                responses.setdefault(code, {"description": description,
                                            "content": {"application/json": {"schema": reference}}})
    return result
