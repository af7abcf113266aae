from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulerConfig(AppConfig):
    name = "scheduler"
    verbose_name = _("Working-day calendar and deadlines")

    def ready(self) -> None:
        from scheduler.subjects import subject_register
        from scheduler.sweep import CALENDAR_SUBJECT

        subject_register(CALENDAR_SUBJECT)
