"""Thin Celery tasks: they call services and return plain data."""
from __future__ import annotations

from celery import shared_task

from reports.services import monthly_report_due


@shared_task(name="reports.monthly_report_due", acks_late=True, time_limit=1800, soft_time_limit=1700)
def monthly_report_due_task() -> int | None:
    """Daily: make last month's report from the 1st working day on; the id made, or None."""
    report = monthly_report_due()
    return report.pk if report else None
