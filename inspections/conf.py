"""The inspections app's settings (defaults and environment variables: ``backend/settings/base.py``,
section "Inspections"), read at call time so that tests can override them."""
from __future__ import annotations

from django.conf import settings


def inspector_repeat_window_days() -> int:
    """No inspector is drawn for the same entity twice within this many days (双随机 rotation)."""
    return int(settings.INSPECTIONS_INSPECTOR_REPEAT_WINDOW_DAYS)


def min_inspectors_per_task() -> int:
    """At least this many inspectors per task (the 2019 双随机 rules: 两名以上执法人员)."""
    return int(settings.INSPECTIONS_MIN_INSPECTORS_PER_TASK)


def web_import_max_rows() -> int:
    """Largest file the upload pages import within a request; larger ones go through the command."""
    return int(settings.INSPECTIONS_WEB_IMPORT_MAX_ROWS)


def import_max_bytes() -> int:
    """Largest upload accepted by the import pages and API."""
    return int(settings.INSPECTIONS_IMPORT_MAX_BYTES)
