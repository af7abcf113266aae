"""Site-level pages: the portal's front page and the health check."""
from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from backend.celery import app as celery_app


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


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


def health(request: HttpRequest) -> JsonResponse:
    """``{database, broker, last_sweep_at}``: 200 when the database and the broker answer, else 503.

    ``last_sweep_at`` stays null until the deadline sweep (supervision issue) exists.
    """
    database, broker = _database_ok(), _broker_ok()
    body = {
        "database": "ok" if database else _("unreachable"),
        "broker": "ok" if broker else _("unreachable"),
        "last_sweep_at": None,
    }
    return JsonResponse(body, status=200 if database and broker else 503)
