"""Celery beat schedule: the one reviewed place where periodic jobs are declared.

Every entry carries an expiry so that a backlog after downtime does not run stale copies.
"""
from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "recompute-provisional-deadlines": {
        # Cheap when nothing is provisional; picks up a calendar year loaded by another process.
        "task": "disclosure.recompute_provisional_deadlines",
        "schedule": crontab(minute=15, hour=2),
        "options": {"expires": 3600},
    },
}
