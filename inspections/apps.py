from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """双随机、一公开 draws, inspection tasks and results: built by the inspections issue."""

    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from disclosure.services.audit import audit_actions_register
        from inspections.models import InspectionAction

        audit_actions_register(InspectionAction)
