"""OpenAPI descriptions of the plain ``APIView``s drf-spectacular cannot introspect (the outbound
feed and the deadline calculator), without touching those views; loaded in ``DisclosureConfig.ready``."""
from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema

from disclosure import serializers as s


class FeedSchema(OpenApiViewExtension):
    target_class = "disclosure.apis_public.Feed"

    def view_replacement(self) -> Any:
        class Feed(self.target_class):  # type: ignore[name-defined,misc,no-untyped-call]
            @extend_schema(
                parameters=[
                    OpenApiParameter("after", int, description="the last position you processed (0 to start)"),
                    OpenApiParameter("limit", int, description="events per page"),
                ],
                responses=s.FeedPageOutput,
            )
            def get(self, request: Any) -> Any:
                return super().get(request)

        return Feed


class DeadlineCalculatorSchema(OpenApiViewExtension):
    target_class = "disclosure.apis_public.DeadlineCalculator"

    def view_replacement(self) -> Any:
        class DeadlineCalculator(self.target_class):  # type: ignore[name-defined,misc,no-untyped-call]
            @extend_schema(parameters=[s.DeadlineInput], responses=s.DeadlineOutput)
            def get(self, request: Any) -> Any:
                return super().get(request)

        return DeadlineCalculator
