from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Timeliness statistics and monthly reports: built by the audit issue."""

    name = "reports"
    verbose_name = _("Timeliness reports")

    def ready(self) -> None:
        from disclosure.services.audit import audit_actions_register
        from reports.models import ReportAction

        audit_actions_register(ReportAction)
