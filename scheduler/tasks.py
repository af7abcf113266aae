"""Thin Celery tasks of the deadline supervision; the schedule is in backend/schedule.py."""
from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from scheduler.notifications import notices_deliver, notifications_email
from scheduler.sweep import calendar_coverage_check, deadlines_sweep

# A locked SQLite file or a dropped database connection is worth another try; anything else is
# a bug that retrying would only repeat.
_TRANSIENT = (OperationalError,)


@shared_task(name="scheduler.sweep_deadlines", acks_late=True, time_limit=1800, soft_time_limit=1700,
             autoretry_for=_TRANSIENT, retry_backoff=30, max_retries=5)
def sweep_deadlines(full: bool = False) -> dict[str, object]:
    """Start one sweep: in-line for one partition, else one task per partition for the workers to share.

    ``full`` checks every open deadline instead of those that can have changed class (nightly).
    """
    partitions = max(settings.SWEEP_PARTITIONS, 1)
    if partitions == 1:
        return sweep_partition(0, 1, full)
    for partition in range(partitions):
        sweep_partition.delay(partition, partitions, full)
    return {"partitions": partitions}


@shared_task(name="scheduler.sweep_partition", acks_late=True, time_limit=1800, soft_time_limit=1700,
             autoretry_for=_TRANSIENT, retry_backoff=30, max_retries=5)
def sweep_partition(partition: int, partitions: int, full: bool = False) -> dict[str, object]:
    summary = deadlines_sweep(partition=partition, partitions=partitions, full=full)
    delivered = notices_deliver()
    emailed = notifications_email()
    return summary.as_dict() | {"delivered": delivered.notices, "notifications": delivered.notifications,
                                "emails": emailed}


@shared_task(name="scheduler.check_calendar_coverage", acks_late=True, time_limit=300, soft_time_limit=270,
             autoretry_for=_TRANSIENT, retry_backoff=30, max_retries=5)
def check_calendar_coverage() -> bool:
    """Warn administrators (in-app and by e-mail) when next year's holiday calendar is missing."""
    if calendar_coverage_check() is None:
        return False
    notices_deliver()
    notifications_email()
    return True
