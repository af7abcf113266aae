"""The audit's configurable numbers (defaults and environment variables: ``backend/settings/base.py``,
section "Timeliness audit"), read at call time so that tests can override them."""
from __future__ import annotations

from django.conf import settings


def min_records_to_rank() -> int:
    """A rate over fewer decided records than this is shown but marked too few to rank."""
    return int(settings.AUDIT_MIN_RECORDS_TO_RANK)


def trend_months() -> int:
    """How many months the dashboard's trend chart shows (ending with the period's last month)."""
    return int(settings.AUDIT_TREND_MONTHS)


def claim_timeout_seconds() -> int:
    """After this long a report still marked "generating" is presumed abandoned and may be claimed again."""
    return int(settings.AUDIT_REPORT_CLAIM_TIMEOUT_SECONDS)


def report_max_overdue_items() -> int:
    """The most overdue records the monthly PDF lists one by one (the rest are counted)."""
    return int(settings.AUDIT_REPORT_MAX_OVERDUE_ITEMS)


def document_number_kinds() -> list[str]:
    """Record kinds flagged by the completeness check when they carry no document number."""
    return list(settings.AUDIT_DOCUMENT_NUMBER_KINDS)


def page_size() -> int:
    """Rows per page of the dashboard's lists."""
    return int(settings.AUDIT_PAGE_SIZE)
