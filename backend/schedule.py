"""Celery beat schedule: the one reviewed place where periodic jobs are declared.

Every entry carries an expiry, so that a backlog after downtime does not run stale copies, and
hard and soft time limits, so that a stuck run cannot hold a worker forever. Times are
Asia/Shanghai (CELERY_TIMEZONE = TIME_ZONE). Every job is safe to run twice.
"""
from celery.schedules import crontab


def _limits(expires: int, time_limit: int) -> dict[str, int]:
    return {"expires": expires, "time_limit": time_limit, "soft_time_limit": time_limit - 60}


BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "sweep-deadlines": {
        # Art. 7/12: reminders, overdue notices, escalation. Early, so that the morning's inbox
        # is current; again after lunch to catch a morning lost to downtime.
        "task": "scheduler.sweep_deadlines",
        "schedule": crontab(minute=30, hour="7,13"),
        "options": _limits(expires=3 * 3600, time_limit=1800),
    },
    "sweep-deadlines-full": {
        # The incremental sweeps read only what can have changed class; once a night a full one
        # checks every open deadline (see scheduler/sweep.py).
        "task": "scheduler.sweep_deadlines",
        "schedule": crontab(minute=40, hour=1),
        "kwargs": {"full": True},
        "options": _limits(expires=3 * 3600, time_limit=3600),
    },
    "check-calendar-coverage": {
        # In December: warn administrators while next year's holiday notice is not loaded.
        "task": "scheduler.check_calendar_coverage",
        "schedule": crontab(minute=0, hour=9),
        "options": _limits(expires=6 * 3600, time_limit=300),
    },
    "expire-records": {
        # Art. 8: records past their display period become `expired` versions (search already
        # hides them on the day; this archives them and tells the feed).
        "task": "disclosure.expire_records",
        "schedule": crontab(minute=30, hour=0),
        "options": _limits(expires=3600, time_limit=1800),
    },
    "recompute-publicity": {
        # NDRC Order 2025 No. 36: records whose class and dates were computed under another
        # revision of the publicity rule table (an edit whose queued run was lost or skipped a
        # locked row, an import that read the old rules). Before the expiry run, which then ends
        # what is past its new maximum.
        "task": "disclosure.recompute_publicity",
        "schedule": crontab(minute=15, hour=0),
        "options": _limits(expires=3600, time_limit=3600),
    },
    "monthly-report": {
        # Art. 12: last month's 通报 from the month's first working day on; the month is claimed
        # first, so running daily (and twice) makes and mails it once.
        "task": "reports.monthly_report_due",
        "schedule": crontab(minute=30, hour=6),
        "options": _limits(expires=6 * 3600, time_limit=1800),
    },
    "recompute-provisional-deadlines": {
        # Cheap when nothing is provisional; picks up a calendar year loaded by another process.
        "task": "disclosure.recompute_provisional_deadlines",
        "schedule": crontab(minute=15, hour=2),
        "options": _limits(expires=3600, time_limit=1800),
    },
    "push-feed": {
        # Art. 6 push delivery's safety net: events are pushed when they commit, and a failed
        # delivery schedules its own retry; this resumes after a lost retry or a killed worker
        # (whose lease has expired). A no-op while push is not configured or a backoff is pending.
        "task": "disclosure.push_feed",
        "schedule": 60.0,
        "options": _limits(expires=55, time_limit=600),
    },
    "verify-audit": {
        # The audit trail, every version and every record row against it, resumed from the last
        # intact run's checkpoint; /health/ shows the result. After the night's writers are done.
        "task": "disclosure.verify_audit",
        "schedule": crontab(minute=50, hour=3),
        "options": _limits(expires=3 * 3600, time_limit=3600),
    },
    "sign-tree-head": {
        # The transparency log's daily signed tree head (README "Transparency log"), after the
        # night's expiries are logged; idempotent when the log has not grown.
        "task": "disclosure.sign_tree_head",
        "schedule": crontab(minute=10, hour=1),
        "options": _limits(expires=6 * 3600, time_limit=600),
    },
    "open-data-dump": {
        # README "Open data": the day's dump of everything public, after the night's expiries
        # (00:30) so that a record whose display period ended is not in it; claimed, so two
        # workers make it once; deletes the dumps past OPEN_DATA_KEEP_DAYS.
        "task": "disclosure.open_data_dump",
        "schedule": crontab(minute=30, hour=2),
        "options": _limits(expires=6 * 3600, time_limit=3600),
    },
}
