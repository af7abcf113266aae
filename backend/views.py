"""Site-level endpoints: the health check."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.celery import app as celery_app
from disclosure.selectors.feed_push import feed_push_status
from disclosure.services.verification import audit_last_check
from scheduler.sweep import sweep_last_finished


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means unhealthy; the reason goes to the log
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


def _last_sweep() -> datetime | None:
    try:
        return sweep_last_finished()
    except Exception:  # noqa: BLE001 - the database check already reports the failure
        return None


def _last_audit_check() -> dict[str, object] | None:
    try:
        check = audit_last_check()
    except Exception:  # noqa: BLE001 - the database check already reports the failure
        return None
    if check is None:
        return None
    return {"at": check.finished_at.isoformat(), "ok": check.ok, "first_broken": check.first_broken or None,
            "problem": check.first_problem or None, "head": f"{check.head_entry_id}:{check.head_hash}"
            if check.head_entry_id else None}


def _feed_push() -> dict[str, object] | None:
    try:
        status = feed_push_status()
    except Exception:  # noqa: BLE001 - the database check already reports the failure
        return None
    # /health/ answers anyone: the receiver's own words (its response body, an exception's text)
    # stay in the admin; here only when, where and how often delivery failed.
    status.pop("last_error", None)
    return status


def health(request: HttpRequest) -> JsonResponse:
    """``{database, broker, last_sweep_at, sweep_stale, audit_check, feed_push}``: 200 when the database and
    the broker answer, else 503.

    A stale sweep (none finished within ``SWEEP_STALE_AFTER_HOURS``: beat or every worker is
    down) is reported but does not fail the check: the web process itself is healthy, and a
    failing web health check would only restart the wrong container. ``audit_check`` is
    ``{at, ok, first_broken, problem, head}`` of the last ``verify_audit`` run, or null.
    ``feed_push`` is push delivery's state (``feed_push_status``: acknowledged and newest position,
    lag, last error, last success); a lag or a failing receiver does not fail the check either:
    the receiver being down is not this process's fault, restarting it would not help, and the
    events wait safely in the feed. Monitoring alerts on ``lag`` and ``last_error_at`` instead.
    """
    database, broker = _database_ok(), _broker_ok()
    last = _last_sweep() if database else None
    stale_before = timezone.now() - timedelta(hours=settings.SWEEP_STALE_AFTER_HOURS)
    body: dict[str, object] = {
        "database": "ok" if database else _("unreachable"),
        "broker": "ok" if broker else _("unreachable"),
        "last_sweep_at": last.isoformat() if last else None,
        "sweep_stale": last is None or last < stale_before,
    }
    # The last run of verify_audit (the nightly beat job or by hand): when, whether the trail was
    # intact, and the first broken entry. Like a stale sweep, a break does not fail the check.
    body["audit_check"] = _last_audit_check() if database else None
    body["feed_push"] = _feed_push() if database else None
    return JsonResponse(body, status=200 if database and broker else 503)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: Django's own 400 (a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many
    fields, a disallowed host…) in the API's JSON error format under ``/api/``, else its HTML page."""
    from django.views.defaults import bad_request as html_bad_request
    from rest_framework.exceptions import ParseError

    from backend.api import too_large_message
    from backend.middleware import wants_json

    if not wants_json(request):
        return html_bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": too_large_message(), "errors": {}}, status=413)
    return JsonResponse({"detail": str(ParseError.default_detail), "errors": {}}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler403``: JSON under ``/api/``, Django's HTML page elsewhere."""
    from django.views.defaults import permission_denied as html_permission_denied
    from rest_framework.exceptions import PermissionDenied

    from backend.middleware import wants_json

    if not wants_json(request):
        return html_permission_denied(request, exception)
    return JsonResponse({"detail": str(PermissionDenied.default_detail), "errors": {}}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: a URL no route matches (``/api/v1/records/1.5/``) answers like any 404 of the API."""
    from django.views.defaults import page_not_found as html_page_not_found

    from backend.middleware import wants_json

    if not wants_json(request):
        return html_page_not_found(request, exception)
    return JsonResponse({"detail": _("Not found."), "errors": {}}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: JSON under ``/api/``, Django's HTML page elsewhere."""
    from django.views.defaults import server_error as html_server_error
    from rest_framework.exceptions import APIException

    from backend.middleware import wants_json

    if not wants_json(request):
        return html_server_error(request)
    return JsonResponse({"detail": str(APIException.default_detail), "errors": {}}, status=500)
