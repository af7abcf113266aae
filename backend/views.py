"""Site-level endpoints: the health check."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.celery import app as celery_app
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


def health(request: HttpRequest) -> JsonResponse:
    """``{database, broker, last_sweep_at, sweep_stale}``: 200 when the database and the broker
    answer, else 503.

    A stale sweep (none finished within ``SWEEP_STALE_AFTER_HOURS``: beat or every worker is
    down) is reported but does not fail the check: the web process itself is healthy, and a
    failing web health check would only restart the wrong container.
    """
    database, broker = _database_ok(), _broker_ok()
    last = _last_sweep() if database else None
    stale_before = timezone.now() - timedelta(hours=settings.SWEEP_STALE_AFTER_HOURS)
    body = {
        "database": "ok" if database else _("unreachable"),
        "broker": "ok" if broker else _("unreachable"),
        "last_sweep_at": last.isoformat() if last else None,
        "sweep_stale": last is None or last < stale_before,
    }
    return JsonResponse(body, status=200 if database and broker else 503)
