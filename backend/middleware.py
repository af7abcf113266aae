"""Site-wide request hardening: refuse NUL bytes in the URL, throttle every public page, and send
a Content-Security-Policy header."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

Handler = Callable[[HttpRequest], HttpResponse]


def wants_json(request: HttpRequest) -> bool:
    """The API (and the schema) answer in the JSON error format of API.md; pages answer in HTML."""
    return request.path.startswith("/api/")


class RejectNulMiddleware:
    """A NUL byte in the path or the query string is never meaningful, and PostgreSQL refuses it in
    any text value (a 500 wherever it reached a query): answer 400 before any view runs."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if wants_json(request):
                return JsonResponse({"detail": _("Invalid input."), "errors": {}}, status=400)
            from django.views.defaults import bad_request

            return bad_request(request, ValueError("NUL byte in the request"))
        return self.get_response(request)


class PublicPageThrottle(SimpleRateThrottle):
    """Public pages per client address (DRF's ``get_ident``: ``REMOTE_ADDR``, or the address the
    ``NUM_PROXIES``-th proxy saw), counted in the default cache, at ``PUBLIC_SEARCH_RATE``."""

    scope = "public_page"

    def get_rate(self) -> str:
        return str(settings.PUBLIC_SEARCH_RATE)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def is_public_page(url_name: str | None, namespace: str) -> bool:
    """The portal's pages: ``home`` and every ``portal-…`` URL name (disclosure/portal/urls.py),
    plus any name or namespace listed in ``PUBLIC_PAGE_URL_NAMES``."""
    extra = settings.PUBLIC_PAGE_URL_NAMES
    return bool(url_name) and (
        url_name == "home" or str(url_name).startswith("portal-") or url_name in extra
    ) or bool(namespace and namespace in extra)


class PublicPageThrottleMiddleware:
    """Throttle every public portal page (the record and entity pages included), on top of the
    throttles some views apply themselves to searches and submissions."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or not is_public_page(match.url_name, match.namespace):
            return None
        if PublicPageThrottle().allow_request(request, None):  # type: ignore[arg-type]
            return None
        return too_many_requests(request)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """The portal's page for a throttled address (429)."""
    return render(request, "disclosure/portal/message.html", {
        "title": _("Too many requests"),
        "message": _("Too many requests from your address; please wait a little and try again."),
    }, status=429)


class ContentSecurityPolicyMiddleware:
    """``Content-Security-Policy`` from the ``CONTENT_SECURITY_POLICY`` setting (empty: none)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
