"""The Celery application. The beat schedule lives in one place: backend/schedule.py."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _install_schedule(sender: Celery, **_: object) -> None:
    from backend.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE
