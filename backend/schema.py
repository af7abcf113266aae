"""Making the OpenAPI schema true to the responses.

* ``document_errors`` (a drf-spectacular post-processing hook): every operation may answer with
  the error format of API.md, ``{"detail": …, "errors": {field: [messages]}}``, under the statuses
  the error handler uses; the schema says so, once, for all of them.
* View extensions describe the bodies of the plain ``APIView``s that drf-spectacular cannot
  introspect (the outbound feed and the deadline calculator), without touching those views.
"""
from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema

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


class FeedSchema(OpenApiViewExtension):
    target_class = "disclosure.apis_public.Feed"

    def view_replacement(self) -> Any:
        from disclosure.serializers import FeedPageOutput

        class Feed(self.target_class):  # type: ignore[name-defined,misc,no-untyped-call]
            @extend_schema(
                parameters=[
                    OpenApiParameter("after", int, description="the last position you processed (0 to start)"),
                    OpenApiParameter("limit", int, description="events per page"),
                ],
                responses=FeedPageOutput,
            )
            def get(self, request: Any) -> Any:
                return super().get(request)

        return Feed


class DeadlineCalculatorSchema(OpenApiViewExtension):
    target_class = "disclosure.apis_public.DeadlineCalculator"

    def view_replacement(self) -> Any:
        from disclosure import serializers as s

        class DeadlineCalculator(self.target_class):  # type: ignore[name-defined,misc,no-untyped-call]
            @extend_schema(parameters=[s.DeadlineInput], responses=s.DeadlineOutput)
            def get(self, request: Any) -> Any:
                return super().get(request)

        return DeadlineCalculator
