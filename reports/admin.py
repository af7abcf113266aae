from __future__ import annotations

from django.contrib import admin

from backend.admin import ReadOnlyAdmin
from reports.models import MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    """Read-only: reports are made by the scheduled job or ``manage.py monthly_report``."""

    list_display = ("month", "status", "generated_at", "emailed_at", "audit_head_entry_id")
    list_filter = ("status",)
