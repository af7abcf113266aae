"""Reads of push delivery's state (Art. 6) for ``/health/`` and the admin."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from disclosure.models import FeedHead, FeedPush


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def feed_push_status() -> dict[str, Any]:
    """``{configured, acknowledged_position, newest_position, lag, last_success_at, last_error,
    last_error_at, last_error_position, consecutive_failures, next_attempt_at, delivering}``
    (two queries). ``lag`` counts the events the receiver has not acknowledged yet (positions are
    gap-free); ``delivering`` whether a worker holds a live lease now."""
    row = FeedPush.objects.filter(id=1).first() or FeedPush(id=1)
    newest = FeedHead.objects.filter(id=1).values_list("last_position", flat=True).first() or 0
    now = timezone.now()
    return {
        "configured": bool(settings.FEED_PUSH_URL),
        "acknowledged_position": row.acknowledged_position,
        "newest_position": newest,
        "lag": max(newest - row.acknowledged_position, 0),
        "last_success_at": _iso(row.last_success_at),
        "last_error": row.last_error or None,
        "last_error_at": _iso(row.last_error_at),
        "last_error_position": row.last_error_position,
        "consecutive_failures": row.consecutive_failures,
        "next_attempt_at": _iso(row.next_attempt_at) if row.next_attempt_at and row.next_attempt_at > now else None,
        "delivering": bool(row.lease_owner and row.lease_until and row.lease_until > now),
    }
