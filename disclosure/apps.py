from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("Supervision information disclosure")

    def ready(self) -> None:
        # The hooks the lower layers offer (backend/layers.py): the CJK font check of the letters'
        # PDFs, the OpenAPI description of two views, and the deadline subjects the scheduler's
        # sweep and delivery work on, with the calendar's "a year was loaded" signal.
        from backend import pdf  # noqa: F401  (registers the CJK font check)
        from disclosure import deadline_subjects, schema  # noqa: F401

        deadline_subjects.register()
